/**
 * Event validators compiled with ajv from the generated JSON Schema. Errors name the field (a path such as
 * `line_items[0].quantity`) and the rule in the contract's terms. With the `drop` policy, undeclared
 * properties are removed from a copy of the event and listed in `dropped`.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { compareParsed, parseDecimal } from './decimal';
import { FORMATS } from './formats';
import { jsonSchema } from './generators/json-schema';
import {
  boundRule,
  decimalRangeRule,
  enumRule,
  FORMAT_RULES,
  itemsRule,
  jsonTypeOf,
  lengthRule,
  NULL_FIELD_NOTE,
  NULL_ITEM_NOTE,
  numericShapeRule,
  patternRule,
  REQUIRED_RULE,
  typeRule,
  unknownFieldRule,
} from './messages';
import type { Contract, FieldSpec, ItemSpec } from './model';

/** Rule families: `type` and `unknown-field` are also caught by the topic schema, the others only here. */
export type EventErrorCode =
  | 'required'
  | 'unknown-field'
  | 'type'
  | 'format'
  | 'pattern'
  | 'enum'
  | 'range'
  | 'length'
  | 'items';

export interface EventError {
  /** Path of the offending value, e.g. `line_items[0].quantity`; `(event)` for the event itself. */
  readonly field: string;
  readonly rule: string;
  readonly code: EventErrorCode;
}

export type EventValidation =
  | { readonly ok: true; readonly event: Record<string, unknown>; readonly dropped: readonly string[] }
  | { readonly ok: false; readonly errors: readonly EventError[]; readonly dropped: readonly string[] };

export interface EventValidator {
  readonly contract: Contract;
  validate(event: unknown): EventValidation;
}

let shared: Ajv2020 | undefined;

function ajv(): Ajv2020 {
  if (shared) return shared;
  const instance = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    validateFormats: true,
  });
  for (const [name, test] of Object.entries(FORMATS)) instance.addFormat(name, test);
  instance.addKeyword({ keyword: 'x-pii', schemaType: 'boolean' });
  instance.addKeyword({ keyword: 'x-tributary', schemaType: 'object' });
  instance.addKeyword({
    keyword: 'x-decimal',
    type: 'string',
    schemaType: 'object',
    error: {
      message: (ctx) =>
        decimalRangeRule((ctx.schema as DecimalSchema).min, (ctx.schema as DecimalSchema).max),
    },
    // Bounds are parsed once per schema; values that are not decimals are left to the pattern keyword.
    compile: (schema: DecimalSchema) => {
      const min = schema.min === undefined ? undefined : parseDecimal(schema.min);
      const max = schema.max === undefined ? undefined : parseDecimal(schema.max);
      return (data: string) => {
        const d = parseDecimal(data);
        return !d || ((!min || compareParsed(d, min) >= 0) && (!max || compareParsed(d, max) <= 0));
      };
    },
  });
  shared = instance;
  return instance;
}

interface DecimalSchema {
  readonly precision: number;
  readonly scale: number;
  readonly min?: string;
  readonly max?: string;
}

export function compileValidator(contract: Contract): EventValidator {
  // Compiled without its $id: ajv would otherwise refuse a second schema with the same id (a contract
  // recompiled, or two revisions of one version under test) and keep every compiled schema registered.
  const { $id: _id, ...schema } = jsonSchema(contract);
  const check = ajv().compile(schema);
  return {
    contract,
    validate(event: unknown): EventValidation {
      let candidate = event;
      const dropped: string[] = [];
      if (contract.unknownFields === 'drop' && isObject(event)) {
        candidate = structuredClone(event);
        dropUnknown(candidate as Record<string, unknown>, contract.fields, '', dropped);
      }
      if (check(candidate)) return { ok: true, event: candidate as Record<string, unknown>, dropped };
      return { ok: false, errors: describeErrors(contract, check), dropped };
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dropUnknown(
  obj: Record<string, unknown>,
  fields: readonly FieldSpec[],
  path: string,
  dropped: string[],
): void {
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const key of Object.keys(obj)) {
    const f = byName.get(key);
    const at = path ? `${path}.${key}` : key;
    if (!f) {
      dropped.push(at);
      delete obj[key];
      continue;
    }
    const item: ItemSpec = f.type.kind === 'repeated' ? f.type.items : f.type;
    if (item.kind !== 'record') continue;
    const value = obj[key];
    if (f.type.kind === 'repeated' && Array.isArray(value)) {
      value.forEach((v, i) => {
        if (isObject(v)) dropUnknown(v, item.fields, `${at}[${i}]`, dropped);
      });
    } else if (isObject(value)) {
      dropUnknown(value, item.fields, at, dropped);
    }
  }
}

/**
 * `/line_items/0/quantity` -> `line_items[0].quantity`. Digits in the instance path are array indexes (field
 * names are identifiers); `child` is a property name as sent, so `{"1": ...}` stays `1`, not `[1]`.
 */
function pathOf(instancePath: string, child?: string): string {
  const base = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
  if (child !== undefined) return base ? `${base}.${child}` : child;
  return base || '(event)';
}

/** The contract field a path points at, to phrase type errors in contract terms. */
function fieldAt(contract: Contract, instancePath: string): { field?: FieldSpec; item: boolean } {
  let fields: readonly FieldSpec[] = contract.fields;
  let found: FieldSpec | undefined;
  let item = false;
  for (const part of instancePath.split('/').slice(1)) {
    if (/^\d+$/.test(part) && found?.type.kind === 'repeated') {
      item = true;
      continue;
    }
    found = fields.find((f) => f.name === part);
    item = false;
    if (!found) return { item };
    const t: ItemSpec = found.type.kind === 'repeated' ? found.type.items : found.type;
    fields = t.kind === 'record' ? t.fields : [];
  }
  return { field: found, item };
}

function describeErrors(contract: Contract, check: ValidateFunction): EventError[] {
  const out: EventError[] = [];
  const push = (instancePath: string, rule: string, code: EventErrorCode, child?: string) =>
    out.push({ field: pathOf(instancePath, child), rule, code });
  for (const e of (check.errors ?? []) as ErrorObject[]) {
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        push(e.instancePath, REQUIRED_RULE, 'required', String(p.missingProperty));
        break;
      case 'additionalProperties':
        push(e.instancePath, unknownFieldRule(contract), 'unknown-field', String(p.additionalProperty));
        break;
      case 'type': {
        const { field, item } = fieldAt(contract, e.instancePath);
        const kind = !field
          ? 'event'
          : field.type.kind === 'repeated' && !item
            ? 'array'
            : itemOf(field).kind;
        const got = jsonTypeOf(e.data);
        // A null field value is a missing required field; a null array item is a type error.
        const missing = got === 'null' && !item && field !== undefined && !field.optional;
        const note = missing ? NULL_FIELD_NOTE : got === 'null' && item ? NULL_ITEM_NOTE : '';
        push(e.instancePath, `${typeRule(kind)}, got ${got}${note}`, missing ? 'required' : 'type');
        break;
      }
      case 'format':
        push(
          e.instancePath,
          FORMAT_RULES[String(p.format)] ?? `must match format ${String(p.format)}`,
          'format',
        );
        break;
      case 'pattern': {
        const { field } = fieldAt(contract, e.instancePath);
        const t = field && itemOf(field);
        push(
          e.instancePath,
          t?.kind === 'numeric' ? numericShapeRule(t.precision, t.scale) : patternRule(String(p.pattern)),
          'pattern',
        );
        break;
      }
      case 'enum':
        // A non-string (null included) already failed its type check; an enum error would only repeat it.
        if (typeof e.data !== 'string') break;
        push(
          e.instancePath,
          enumRule((p.allowedValues as unknown[]).filter((v) => v !== null).map(String)),
          'enum',
        );
        break;
      case 'minimum':
      case 'maximum':
        push(e.instancePath, boundRule(e.keyword === 'minimum' ? 'min' : 'max', String(p.limit)), 'range');
        break;
      case 'minLength':
      case 'maxLength':
        push(
          e.instancePath,
          lengthRule(e.keyword === 'minLength' ? 'min' : 'max', Number(p.limit)),
          'length',
        );
        break;
      case 'minItems':
      case 'maxItems':
        push(e.instancePath, itemsRule(e.keyword === 'minItems' ? 'min' : 'max', Number(p.limit)), 'items');
        break;
      case 'x-decimal':
        push(e.instancePath, e.message ?? 'is out of range', 'range');
        break;
      default:
        // Any other keyword is a bug in the generated schema, not a property of the event: fail loudly.
        throw new Error(
          `validator for ${contract.name}: unexpected schema keyword "${e.keyword}" at ${e.schemaPath}`,
        );
    }
  }
  return out;
}

function itemOf(field: FieldSpec): ItemSpec {
  return field.type.kind === 'repeated' ? field.type.items : field.type;
}
