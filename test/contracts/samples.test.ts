/**
 * The validator and the topic schema agree on every sample event: everything the validator accepts, the topic
 * accepts; everything it rejects for a reason proto3 JSON can express (wrong JSON type, undeclared field), the
 * topic rejects too. What the topic lets through is only what proto3 JSON cannot say (presence, enum
 * membership, formats, patterns, ranges, lengths, item counts), plus two proto3 JSON leniencies the platform
 * deliberately does not adopt: int64 as a decimal string and lowerCamelCase field-name aliases.
 */
import { protoMessageName, protoSchema } from '../../contracts/generators/proto';
import type { Contract, FieldSpec } from '../../contracts/model';
import { compileValidator, type EventError } from '../../contracts/validator';
import { CONTRACTS } from '../../stacks/contracts/index';
import { invalidSamples, validSamples } from './fixtures';
import { protoTopic } from './proto-json-stand-in';

const BEYOND_PROTO = new Set(['required', 'enum', 'format', 'pattern', 'range', 'length', 'items']);
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function leafName(path: string): string {
  return (
    path
      .split('.')
      .pop()
      ?.replace(/\[\d+\]$/, '') ?? path
  );
}

/** True when proto3 JSON legitimately lets this validator error through. */
function topicMayPermit(contract: Contract, error: EventError, event: unknown): boolean {
  if (BEYOND_PROTO.has(error.code)) return true;
  if (error.code === 'type')
    return (
      /int64/.test(error.rule) &&
      /got a string$/.test(error.rule) &&
      valueAt(event, error.field) !== undefined &&
      /^-?\d+$/.test(String(valueAt(event, error.field)))
    );
  if (error.code === 'unknown-field') return declaredNames(contract.fields).has(snake(leafName(error.field)));
  return false;
}

function snake(name: string): string {
  const s = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return camel(s) === name ? s : `\u0000${name}`;
}

function declaredNames(fields: readonly FieldSpec[]): Set<string> {
  const names = new Set<string>();
  for (const f of fields) {
    names.add(f.name);
    const item = f.type.kind === 'repeated' ? f.type.items : f.type;
    if (item.kind === 'record') for (const n of declaredNames(item.fields)) names.add(n);
  }
  return names;
}

function valueAt(event: unknown, path: string): unknown {
  let cur: unknown = event;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  }
  return cur;
}

describe.each(CONTRACTS.map((c) => [c.name, c] as const))('%s samples', (name, contract) => {
  const validator = compileValidator(contract);
  const topic = protoTopic(protoSchema(contract), protoMessageName(contract));

  test('ship at least 20 valid and 20 invalid events', () => {
    expect(validSamples(name).length).toBeGreaterThanOrEqual(20);
    expect(invalidSamples(name).length).toBeGreaterThanOrEqual(20);
  });

  test.each(validSamples(name).map((e, i) => [i, e]))(
    'valid #%i passes the validator and the topic schema',
    (_i, event) => {
      expect(validator.validate(event)).toEqual({ ok: true, event, dropped: [] });
      expect(topic.check(event)).toBeNull();
    },
  );

  test.each(invalidSamples(name).map((s, i) => [i, s.reason, s]))(
    'invalid #%i (%s) is rejected, and the topic agrees',
    (_i, _reason, sample) => {
      const result = validator.validate(sample.event);
      expect(result.ok).toBe(false);
      const errors = result.ok ? [] : result.errors;
      for (const e of errors) {
        expect(e.field.length).toBeGreaterThan(0);
        expect(e.rule.length).toBeGreaterThan(0);
      }
      if (topic.check(sample.event) === null) {
        // The topic let it through: every reason must be one proto3 JSON cannot express.
        expect(errors.filter((e) => !topicMayPermit(contract, e, sample.event))).toEqual([]);
      } else {
        // The topic refused it: the validator must report a structural reason too.
        expect(
          errors.some((e) => e.code === 'type' || e.code === 'unknown-field' || e.field === '(event)'),
        ).toBe(true);
      }
    },
  );

  test('agreement holds on mutations of every valid sample (each field removed, nulled, retyped; extra fields)', () => {
    const wrongValues: unknown[] = [42, 'x', true, [], {}, 1.5];
    let checked = 0;
    for (const base of validSamples(name) as Record<string, unknown>[]) {
      const mutations: unknown[] = [{ ...base, undeclared_field: 1 }];
      for (const key of Object.keys(base)) {
        const { [key]: _removed, ...without } = base;
        mutations.push(without, { ...base, [key]: null }, ...wrongValues.map((w) => ({ ...base, [key]: w })));
      }
      for (const event of mutations) {
        checked++;
        const result = validator.validate(event);
        const topicVerdict = topic.check(event);
        if (result.ok) expect(topicVerdict).toBeNull();
        else if (topicVerdict === null)
          expect(result.errors.filter((e) => !topicMayPermit(contract, e, event))).toEqual([]);
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});
