import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type App, Testing } from 'cdktf';
import {
  TributaryApp,
  TributaryStack,
  type TributaryStackProps,
} from '../constructs/platform/stack/tributary-stack';

export const TEST_LABELS = {
  environment: 'test',
  owner: 'data-platform',
  'cost-center': 'analytics',
  'managed-by': 'tributary',
};

/** A governed stack like the environment stacks, on a throwaway app. */
export function testStack(
  overrides: Partial<TributaryStackProps> = {},
  id = 'test',
  app: App = Testing.app(),
): TributaryStack {
  return new TributaryStack(app, id, {
    environment: 'test',
    production: false,
    project: 'trb-test-project',
    region: 'europe-west1',
    labels: TEST_LABELS,
    requiredLabels: Object.keys(TEST_LABELS),
    ...overrides,
  });
}

/** An app that writes its stacks and their reports into a fresh temporary directory, as `npm run synth` does. */
export function testApp(): TributaryApp {
  return new TributaryApp({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-test-')),
    stackTraces: false,
  });
}

export type TfJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, Record<string, unknown>[]>;
  terraform?: Record<string, unknown>;
};

/** Synthesized Terraform JSON of a stack (aspects run, metadata stripped). */
export function synth(stack: TributaryStack | Parameters<typeof Testing.synth>[0]): TfJson {
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

/** All resources of a type, as a list of their arguments. */
export function resources(json: TfJson, type: string): Record<string, unknown>[] {
  return Object.values(json.resource?.[type] ?? {});
}

export function dataSources(json: TfJson, type: string): Record<string, unknown>[] {
  return Object.values(json.data?.[type] ?? {});
}

/** The single resource of a type; fails the test when there are zero or several. */
export function only(json: TfJson, type: string): Record<string, unknown> {
  const all = resources(json, type);
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0] as Record<string, unknown>;
}

/** Runs `fn` and returns the error it throws, so tests can assert on every line of the message. */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw, but it returned');
}
