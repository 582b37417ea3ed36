/**
 * The bundles `npm run build:udf` writes to dist/udf/ are checked as Dataflow would run them: parsed as
 * ECMAScript 5, run alone in a fresh node:vm context against every sample event, and run on Rhino (Debian's
 * `rhino`, a JVM engine standing in for Nashorn) with outputs identical to node's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UDF_FUNCTION_NAME } from '../../../contracts/generators/udf';
import type { Contract } from '../../../contracts/model';
import { buildUdfs, UDF_DIST } from '../../../runtime/udf/build';
import { CONTRACTS } from '../../../stacks/contracts/index';
import { invalidSamples, validSamples } from '../../contracts/fixtures';
import { describeWithTool } from '../../system-tools';
import { es5Violations } from './es5';
import { loadInVm, maskIngestTime, runOnNode, runOnRhino } from './harness';
import { errorParts, expectedOutcome } from './oracle';

let bundles: Record<string, string> = {};

beforeAll(() => {
  bundles = buildUdfs(CONTRACTS);
});

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const WRONG_VALUES: unknown[] = [42, 'x', true, [], {}, 1.5, -0, 1e21, 'caf\u00e9 \u2028 \ud83d\ude80'];

/** Each valid sample, then each one with every top-level field removed, nulled and retyped, plus odd payloads. */
function corpus(name: string): string[] {
  const payloads: string[] = [];
  for (const base of validSamples(name) as Record<string, unknown>[]) {
    payloads.push(JSON.stringify(base), JSON.stringify({ ...base, 'undeclared_\u00fc': 1 }));
    for (const key of Object.keys(base)) {
      const { [key]: _removed, ...without } = base;
      payloads.push(JSON.stringify(without), JSON.stringify({ ...base, [key]: null }));
      for (const w of WRONG_VALUES) payloads.push(JSON.stringify({ ...base, [key]: w }));
    }
  }
  for (const s of invalidSamples(name)) payloads.push(JSON.stringify(s.event));
  payloads.push('{', '[]', 'null', '"event"', '42', '{"__proto__": {"x": 1}}', '{"a":1,"a":2}', ' {} ');
  return payloads;
}

function bundleFile(name: string): string {
  const file = bundles[name];
  if (file === undefined) throw new Error(`build:udf wrote no bundle for ${name}`);
  return file;
}

function bundleOf(name: string): string {
  return fs.readFileSync(bundleFile(name), 'utf8');
}

test('build:udf writes exactly one bundle per contract into dist/udf/', () => {
  expect(fs.readdirSync(UDF_DIST).sort()).toEqual(CONTRACTS.map((c) => `${c.name}.js`).sort());
  for (const c of CONTRACTS) expect(bundles[c.name]).toBe(path.join(UDF_DIST, `${c.name}.js`));
});

describe.each(CONTRACTS.map((c) => [c.name, c] as const))('dist/udf/%s.js', (name, contract: Contract) => {
  test('is ECMAScript 5 with a single top-level transform(inJson), no dynamic code and no foreign globals', () => {
    expect(es5Violations(bundleOf(name), UDF_FUNCTION_NAME)).toEqual([]);
  });

  test.each(validSamples(name).map((e, i) => [i, e]))('valid #%i gives the expected row', (_i, event) => {
    const { transform } = loadInVm(bundleOf(name));
    const before = Date.now();
    const out = transform(JSON.stringify(event));
    const after = Date.now();
    expect(typeof out).toBe('string');
    const { ingest_time, ...row } = JSON.parse(out);
    const expected = expectedOutcome(contract, event);
    if (!expected.ok) throw new Error(`sample rejected by the validator: ${JSON.stringify(expected.errors)}`);
    expect(row).toEqual(expected.row);
    expect(ingest_time).toMatch(ISO_UTC);
    expect(Date.parse(ingest_time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(ingest_time)).toBeLessThanOrEqual(after);
  });

  test.each(invalidSamples(name).map((s, i) => [i, s.reason, s.event]))(
    'invalid #%i (%s) throws an Error naming each field and rule',
    (_i, _reason, event) => {
      const { transform, ErrorType } = loadInVm(bundleOf(name));
      const expected = expectedOutcome(contract, event);
      if (expected.ok) throw new Error('sample accepted by the validator');
      let thrown: unknown;
      try {
        transform(JSON.stringify(event));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ErrorType);
      expect((thrown as Error).message.split('; ').sort()).toEqual(errorParts(expected.errors));
    },
  );

  test('agrees with the validator on every mutation of the samples: rows where it accepts, its errors where it rejects', () => {
    const { transform } = loadInVm(bundleOf(name));
    let compared = 0;
    for (const payload of corpus(name)) {
      let event: unknown;
      try {
        event = JSON.parse(payload);
      } catch {
        continue; // not JSON: covered by the odd-payload test below
      }
      const expected = expectedOutcome(contract, event);
      compared++;
      if (expected.ok) {
        const { ingest_time: _t, ...row } = JSON.parse(transform(payload));
        expect(row).toEqual(expected.row);
      } else if (typeof event === 'object' && event !== null && !Array.isArray(event)) {
        expect(() => transform(payload)).toThrow();
        let message = '';
        try {
          transform(payload);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message.split('; ').sort()).toEqual(errorParts(expected.errors));
      } else {
        expect(() => transform(payload)).toThrow(/^\(event\): /);
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  test('fails non-JSON, non-object and non-string payloads with an (event) error, never an empty result', () => {
    const { transform, ErrorType } = loadInVm(bundleOf(name));
    for (const payload of ['', '{', 'not json', '[]', '[{}]', 'null', '42', '"x"', 'true'])
      expect(() => transform(payload)).toThrow(ErrorType);
    expect(() => transform('{')).toThrow('(event): is not valid JSON');
    expect(() => transform('[]')).toThrow('(event): must be of type object, got an array');
    expect(() => transform(undefined)).toThrow(
      '(event): the UDF receives the message payload as a string, got a undefined',
    );
    expect(() => transform('{"__proto__": {}}')).toThrow(/^__proto__: /);
  });

  describeWithTool('rhino', 'on Rhino (JVM stand-in for Nashorn)', () => {
    test('runs identically on Rhino (JVM stand-in for Nashorn) for every sample and mutation', async () => {
      const payloads = corpus(name);
      const node = runOnNode(bundleOf(name), payloads).map(maskIngestTime);
      const rhino = (await runOnRhino(bundleFile(name), payloads)).map(maskIngestTime);
      expect(rhino).toHaveLength(payloads.length);
      for (let i = 0; i < payloads.length; i++) {
        if (rhino[i] !== node[i])
          throw new Error(`payload ${payloads[i]}\n  node:  ${node[i]}\n  rhino: ${rhino[i]}`);
      }
      expect(node.filter((l) => l.startsWith('{"ok"')).length).toBeGreaterThanOrEqual(
        validSamples(name).length,
      );
    }, 60_000);
  });
});
