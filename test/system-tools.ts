/**
 * Tests that need a program npm does not install (Rhino, Terraform). Such a test runs when the program is on
 * PATH. Without it the test is skipped, and `test/tool-reporter.js` names it with the install command in the
 * run's closing summary; under CI (CI=true or CI=1) a missing program fails the run instead, since `.ci/run`
 * installs every one of them.
 */
import { spawnSync } from 'node:child_process';
import TOOLS from './system-tools.json';

export type SystemTool = keyof typeof TOOLS;

const found = new Map<SystemTool, boolean>();

/** Whether `tool` runs here (its probe command exits 0). */
export function hasTool(tool: SystemTool): boolean {
  let ok = found.get(tool);
  if (ok === undefined) {
    const [command, ...args] = TOOLS[tool].probe as [string, ...string[]];
    ok = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
    found.set(tool, ok);
  }
  return ok;
}

export function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/** The marker the reporter looks for in a describe title. */
export const needs = (tool: SystemTool): string => `[needs ${tool}]`;

/**
 * `describe` for tests that need `tool`: run with it, skipped (and reported) without it, failing under CI.
 */
export function describeWithTool(tool: SystemTool, title: string, body: () => void): void {
  const named = `${title} ${needs(tool)}`;
  if (hasTool(tool)) {
    describe(named, body);
  } else if (inCi()) {
    describe(named, () => {
      test(`fails: ${tool} is not installed, and CI must run these tests`, () => {
        throw new Error(`${tool} is missing (${TOOLS[tool].why}); install it: ${TOOLS[tool].install}`);
      });
    });
  } else {
    // A conditional skip, reported by name and install command in the closing summary (tool-reporter.js).
    const skipped = describe.skip;
    skipped(named, body);
  }
}
