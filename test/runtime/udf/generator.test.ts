/**
 * The UDF generator on contracts built to reach every rule: every type, format and bound, nested records,
 * repeated scalars and records, both unknown-field policies. Each script must agree with the ajv validator on
 * a deep mutation corpus, on node and on Rhino alike.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineContract, field, t } from '../../../contracts/dsl';
import { UDF_FUNCTION_NAME, udfContentHash, udfScript } from '../../../contracts/generators/udf';
import type { Contract } from '../../../contracts/model';
import { baseContract } from '../../contracts/fixtures';
import { describeWithTool } from '../../system-tools';
import { es5Violations } from './es5';
import { loadInVm, maskIngestTime, runOnNode, runOnRhino } from './harness';
import { errorParts, expectedOutcome } from './oracle';

function everyType(unknownFields: 'reject' | 'drop'): Contract {
  return defineContract({
    name: 'kitchen_sink',
    version: '2.3.0',
    description: 'Every field type and rule.',
    owner: 'platform@example.com',
    unknownFields,
    fields: [
      field('id', 'Id.', t.string({ minLength: 3, maxLength: 8, pattern: '[a-z0-9-]+' })),
      field('tenant', 'Tenant.', t.int64({ min: 1, max: 1000 })),
      field('email', 'Email.', t.string({ format: 'email' }), { optional: true, pii: true }),
      field('ref', 'UUID.', t.string({ format: 'uuid' }), { optional: true }),
      field('ip4', 'IPv4.', t.string({ format: 'ipv4' }), { optional: true }),
      field('ip6', 'IPv6.', t.string({ format: 'ipv6' }), { optional: true }),
      field('ip', 'Any IP.', t.string({ format: 'ip' }), { optional: true }),
      field('link', 'URI.', t.string({ format: 'uri' }), { optional: true }),
      field('ratio', 'Ratio.', t.float64({ min: 0, max: 1 }), { optional: true }),
      field('count', 'Count.', t.int64(), { optional: true }),
      field('price', 'Price.', t.numeric({ precision: 7, scale: 2, min: '0.01', max: '99999.99' })),
      field('paid', 'Paid.', t.bool()),
      field('at', 'When.', t.timestamp()),
      field('day', 'Day.', t.date(), { optional: true }),
      field('extra', 'JSON.', t.json(), { optional: true }),
      field('blob', 'Bytes.', t.bytes({ maxBytes: 6 }), { optional: true }),
      field('kind', 'Kind.', t.enum(['A', 'B_C'])),
      field('tags', 'Tags.', t.repeated(t.string({ maxLength: 4 }), { minItems: 1, maxItems: 3 })),
      field('times', 'Times.', t.repeated(t.timestamp()), { optional: true }),
      field(
        'lines',
        'Lines.',
        t.repeated(
          t.record([
            field('sku', 'SKU.', t.string()),
            field('qty', 'Qty.', t.int64({ min: 1 })),
            field('seen', 'Seen.', t.timestamp(), { optional: true }),
          ]),
        ),
        { optional: true },
      ),
      field(
        'geo',
        'Geo.',
        t.record([
          field('lat', 'Lat.', t.float64({ min: -90, max: 90 })),
          field('where', 'Where.', t.record([field('city', 'City.', t.string())]), { optional: true }),
        ]),
        { optional: true },
      ),
    ],
    key: ['id', 'tenant'],
    eventTime: 'at',
  });
}

const VALID = [
  {
    id: 'ab-1',
    tenant: 7,
    email: 'a.b@example.com',
    ref: '3f2c6a1e-8b4d-4c2a-9f1e-2b7d8c9a0e11',
    ip4: '192.0.2.1',
    ip6: '2001:db8::ff00:42:8329',
    ip: '::ffff:192.0.2.1',
    link: 'https://example.com/a?b=c',
    ratio: 0.25,
    count: -9007199254740991,
    price: '12.50',
    paid: true,
    at: '2026-03-01T01:30:00.123456+02:00',
    day: '2024-02-29',
    extra: '{"a":[1,2]}',
    blob: 'AAECAwQF',
    kind: 'B_C',
    tags: ['x', 'caf\u00e9', '\ud83d\ude80'],
    times: ['2026-01-01T00:00:00-00:30', '0001-01-01T00:00:00Z'],
    lines: [
      { sku: 's', qty: 1, seen: '2026-03-01T23:59:59.5-01:00' },
      { sku: 't', qty: 2, seen: null },
    ],
    geo: { lat: -12.5, where: { city: 'Gent' } },
  },
  {
    id: 'abc',
    tenant: 1000,
    price: '99999.99',
    paid: false,
    at: '9999-12-31T23:59:59.999999Z',
    kind: 'A',
    tags: ['a'],
  },
  {
    id: 'min',
    tenant: 1,
    price: '0.01',
    paid: false,
    at: '2026-03-01T00:00:00Z',
    kind: 'A',
    tags: ['a'],
    times: null,
    lines: [],
    geo: null,
  },
];

const WRONG: unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e21,
  'x',
  '',
  '\u2028',
  true,
  [],
  [null],
  {},
  { z: 1 },
  '2026-13-01',
  '1.001',
];

/** Every path of every valid event removed, replaced by each wrong value, plus an undeclared key at each level. */
function mutations(event: unknown): unknown[] {
  const out: unknown[] = [];
  const visit = (node: unknown, rebuild: (v: unknown) => unknown) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        const at = (v: unknown) => rebuild(node.map((x, j) => (j === i ? v : x)));
        for (const w of WRONG) out.push(at(w));
        visit(item, at);
      });
      out.push(rebuild([...node, ...node, ...node]));
    } else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      out.push(rebuild({ ...obj, undeclared: 1 }), rebuild({ ...obj, '1': 'numeric key', b: 2, a: 3 }));
      for (const key of Object.keys(obj)) {
        const { [key]: _gone, ...without } = obj;
        out.push(rebuild(without));
        const at = (v: unknown) => rebuild({ ...obj, [key]: v });
        for (const w of WRONG) out.push(at(w));
        visit(obj[key], at);
      }
    }
  };
  visit(event, (v) => v);
  return out;
}

describe.each([['reject'], ['drop']] as const)(
  'UDF of a contract with every type (unknown fields: %s)',
  (policy) => {
    const contract = everyType(policy);
    const script = udfScript(contract);
    const corpus = [...VALID, ...VALID.flatMap(mutations)].map((e) => JSON.stringify(e));

    test('is ES5 with one transform(inJson) and nothing the language does not define', () => {
      expect(es5Violations(script, UDF_FUNCTION_NAME)).toEqual([]);
    });

    test('normalizes timestamps to UTC RFC 3339 keeping the fraction, and stamps the metadata', () => {
      const { transform } = loadInVm(script);
      const row = JSON.parse(transform(JSON.stringify(VALID[0])));
      expect(row.at).toBe('2026-02-28T23:30:00.123456Z');
      expect(row.times).toEqual(['2026-01-01T00:30:00Z', '0001-01-01T00:00:00Z']);
      expect(row.lines[0].seen).toBe('2026-03-02T00:59:59.5Z');
      expect(row.lines[1].seen).toBeNull();
      expect(row.schema_version).toBe('2.3.0');
      expect(row.event_id).toBe('ab-1|7');
      expect(row).not.toHaveProperty('dropped_fields');
      expect(JSON.parse(transform(JSON.stringify(VALID[2])))).not.toHaveProperty('times');
    });

    test(`agrees with the validator on ${'every'} deep mutation (rows and error texts)`, () => {
      const { transform } = loadInVm(script);
      let accepted = 0;
      let rejected = 0;
      for (const payload of corpus) {
        const expected = expectedOutcome(contract, JSON.parse(payload));
        if (expected.ok) {
          accepted++;
          const { ingest_time: _t, ...row } = JSON.parse(transform(payload));
          expect(row).toEqual(expected.row);
        } else {
          rejected++;
          let message: string | undefined;
          try {
            transform(payload);
          } catch (e) {
            message = (e as Error).message;
          }
          if (message === undefined) throw new Error(`accepted but the validator rejects: ${payload}`);
          expect(message.split('; ').sort()).toEqual(errorParts(expected.errors));
        }
      }
      expect(rejected).toBeGreaterThan(700);
      expect(accepted).toBeGreaterThan(policy === 'drop' ? 20 : 3);
    });

    describeWithTool('rhino', 'on Rhino', () => {
      test('gives identical outputs on Rhino', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-udf-'));
        const file = path.join(dir, 'kitchen_sink.js');
        fs.writeFileSync(file, script);
        try {
          const node = runOnNode(script, corpus).map(maskIngestTime);
          const rhino = (await runOnRhino(file, corpus)).map(maskIngestTime);
          expect(rhino).toHaveLength(corpus.length);
          for (let i = 0; i < corpus.length; i++) {
            if (rhino[i] !== node[i])
              throw new Error(`payload ${corpus[i]}\n  node:  ${node[i]}\n  rhino: ${rhino[i]}`);
          }
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }, 60_000);
    });
  },
);

describe('unknown fields', () => {
  test('under drop, are removed at every depth and listed in dropped_fields, never silently', () => {
    const { transform } = loadInVm(udfScript(everyType('drop')));
    const event = {
      ...VALID[0],
      zz: 1,
      geo: { lat: 1, where: { city: 'x', pop: 2 } },
      lines: [{ sku: 's', qty: 1, note: 'n' }],
    };
    const row = JSON.parse(transform(JSON.stringify(event)));
    expect(JSON.parse(row.dropped_fields)).toEqual(['zz', 'lines[0].note', 'geo.where.pop']);
    expect(row).not.toHaveProperty('zz');
    expect(row.geo.where).toEqual({ city: 'x' });
    expect(row.lines[0]).toEqual({ sku: 's', qty: 1 });
  });

  test('fails under reject, naming every undeclared property', () => {
    const { transform } = loadInVm(udfScript(everyType('reject')));
    const event = { ...VALID[0], zz: 1, geo: { lat: 1, pop: 2 } };
    expect(() => transform(JSON.stringify(event))).toThrow(/^zz: .*; geo\.pop: |^geo\.pop: .*; zz: /);
  });
});

describe('script identity', () => {
  test('is deterministic, and its content hash is 16 hex characters of SHA-256', () => {
    expect(udfScript(baseContract())).toBe(udfScript(baseContract()));
    expect(udfContentHash(udfScript(baseContract()))).toMatch(/^[0-9a-f]{16}$/);
  });

  test('changes with any rule of the contract, and the hash with it', () => {
    const base = udfScript(baseContract());
    const changed = udfScript(baseContract((d) => ({ ...d, version: '1.1.0' })));
    expect(changed).not.toBe(base);
    expect(udfContentHash(changed)).not.toBe(udfContentHash(base));
  });

  test('fails a payload that is not a string with an (event) error', () => {
    const { transform, ErrorType } = loadInVm(udfScript(baseContract()));
    expect(() => transform({ sale_id: 'x' })).toThrow(ErrorType);
    expect(() => transform({ sale_id: 'x' })).toThrow(
      '(event): the UDF receives the message payload as a string, got an object',
    );
  });
});
