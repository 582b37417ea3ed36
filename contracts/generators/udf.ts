/**
 * The Dataflow UDF of a contract: one self-contained ECMAScript 5.1 script defining `transform(inJson)`, the
 * function the Google-provided templates call with each message payload. It parses and fully validates the
 * event (same rules and texts as the contract validator), normalizes timestamps to UTC RFC 3339, stamps the
 * platform metadata it can know (schema_version, ingest_time, event_id, dropped_fields), and returns the JSON
 * row. It never returns null, undefined or "" (which Dataflow would drop silently): an invalid event throws an
 * Error whose message names each field and rule, and the template writes it to the dead-letter table.
 *
 * subscription_name, message_id, publish_time, attributes and ingest_source stay empty on this path: the
 * template passes the UDF the payload only.
 */
import { createHash } from 'node:crypto';
import { FORMAT_PATTERNS } from '../formats';
import {
  boundRule,
  decimalRangeRule,
  enumRule,
  FORMAT_RULES,
  itemsRule,
  lengthRule,
  NULL_FIELD_NOTE,
  NULL_ITEM_NOTE,
  numericShapeRule,
  patternRule,
  REQUIRED_RULE,
  typeRule,
  unknownFieldRule,
} from '../messages';
import { EVENT_ID_SEPARATOR } from '../metadata';
import type { Contract, FieldSpec, ItemSpec } from '../model';
import { decimalPattern } from './json-schema';
import { perContract } from './memo';
import { UDF_RUNTIME } from './udf-runtime';

export const UDF_FUNCTION_NAME = 'transform';

type Spec = Record<string, unknown>;
const SAFE = Number.MAX_SAFE_INTEGER;

function typeSpec(type: ItemSpec): Spec {
  const base = { k: type.kind, t: typeRule(type.kind) };
  switch (type.kind) {
    case 'string': {
      const anchored = type.pattern !== undefined ? `^(?:${type.pattern})$` : undefined;
      return {
        ...base,
        ...(type.minLength !== undefined
          ? { minL: type.minLength, minLMsg: lengthRule('min', type.minLength) }
          : {}),
        ...(type.maxLength !== undefined
          ? { maxL: type.maxLength, maxLMsg: lengthRule('max', type.maxLength) }
          : {}),
        ...(anchored ? { re: anchored, reMsg: patternRule(anchored) } : {}),
        ...(type.format ? { fmt: type.format, fmtMsg: FORMAT_RULES[type.format] } : {}),
      };
    }
    case 'int64': {
      const min = type.min ?? -SAFE;
      const max = type.max ?? SAFE;
      return { ...base, min, max, minMsg: boundRule('min', min), maxMsg: boundRule('max', max) };
    }
    case 'float64':
      return {
        ...base,
        ...(type.min !== undefined ? { min: type.min, minMsg: boundRule('min', type.min) } : {}),
        ...(type.max !== undefined ? { max: type.max, maxMsg: boundRule('max', type.max) } : {}),
      };
    case 'numeric':
      return {
        ...base,
        re: decimalPattern(type.precision, type.scale),
        reMsg: numericShapeRule(type.precision, type.scale),
        ...(type.min !== undefined ? { dmin: type.min } : {}),
        ...(type.max !== undefined ? { dmax: type.max } : {}),
        rangeMsg: decimalRangeRule(type.min, type.max),
      };
    case 'timestamp':
      return { ...base, fmtMsg: FORMAT_RULES['date-time'] };
    case 'date':
      return { ...base, fmt: 'date', fmtMsg: FORMAT_RULES.date };
    case 'json':
      return { ...base, fmt: 'json', fmtMsg: FORMAT_RULES.json };
    case 'bytes': {
      const maxL = type.maxBytes !== undefined ? Math.ceil(type.maxBytes / 3) * 4 : undefined;
      return {
        ...base,
        fmt: 'byte',
        fmtMsg: FORMAT_RULES.byte,
        ...(maxL !== undefined ? { maxL, maxLMsg: lengthRule('max', maxL) } : {}),
      };
    }
    case 'enum':
      return { ...base, vals: [...type.values], enumMsg: enumRule(type.values) };
    case 'record':
      return { ...base, f: type.fields.map(fieldSpec) };
    case 'bool':
      return base;
  }
}

function fieldSpec(f: FieldSpec): Spec {
  const head = { n: f.name, o: f.optional };
  if (f.type.kind !== 'repeated') return { ...head, ...typeSpec(f.type) };
  const t = f.type;
  return {
    ...head,
    k: 'repeated',
    t: typeRule('array'),
    it: typeSpec(t.items),
    ...(t.minItems !== undefined ? { minI: t.minItems, minIMsg: itemsRule('min', t.minItems) } : {}),
    ...(t.maxItems !== undefined ? { maxI: t.maxItems, maxIMsg: itemsRule('max', t.maxItems) } : {}),
  };
}

/** The data the runtime walks: the contract's fields with every rule text precomputed. */
export function udfSpec(contract: Contract): Spec {
  return {
    name: contract.name,
    version: contract.version,
    unknown: contract.unknownFields,
    key: [...contract.key],
    idSep: EVENT_ID_SEPARATOR,
    requiredMsg: REQUIRED_RULE,
    nullField: NULL_FIELD_NOTE,
    nullItem: NULL_ITEM_NOTE,
    unknownMsg: unknownFieldRule(contract),
    eventMsg: typeRule('event'),
    patterns: Object.fromEntries(Object.entries(FORMAT_PATTERNS).map(([name, re]) => [name, re.source])),
    f: contract.fields.map(fieldSpec),
  };
}

/** JSON as an ES5 expression: U+2028/U+2029 are line terminators inside ES5 string literals. */
function es5Literal(value: unknown): string {
  return JSON.stringify(value, null, 2)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export const udfScript = perContract((contract: Contract): string => {
  return [
    `// Tributary UDF for the event contract "${contract.name}" v${contract.version} (owner ${contract.owner}).`,
    '// Generated from the contract; do not edit. ECMAScript 5.1 for Dataflow (Nashorn): no eval, no new Function.',
    `// Entry point: ${UDF_FUNCTION_NAME}(inJson) returns the validated, normalized row or throws naming each field and rule.`,
    UDF_RUNTIME,
    `var __tributary_contract = __tributary.compile(${es5Literal(udfSpec(contract))});`,
    `function ${UDF_FUNCTION_NAME}(inJson) {`,
    '  return __tributary.run(__tributary_contract, inJson);',
    '}',
    '',
  ].join('\n');
});

/** First 16 hex characters of the script's SHA-256: part of its object name, so a change updates the job. */
export function udfContentHash(script: string): string {
  return createHash('sha256').update(script).digest('hex').slice(0, 16);
}
