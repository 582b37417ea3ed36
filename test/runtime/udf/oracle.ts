/**
 * What a UDF must return or throw, computed independently of the UDF runtime: acceptance and error texts come
 * from the ajv validator, timestamps are normalized with the host's Date, and metadata is stamped per
 * contracts/metadata.ts.
 */
import { EVENT_ID_SEPARATOR } from '../../../contracts/metadata';
import type { Contract, FieldSpec, ItemSpec } from '../../../contracts/model';
import { compileValidator, type EventError, type EventValidator } from '../../../contracts/validator';

/** RFC 3339 in UTC, keeping the fraction digits as sent (Date alone would cut them to milliseconds). */
export function utcTimestamp(s: string): string {
  const m = /^(.+T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) throw new Error(`oracle: not a timestamp: ${s}`);
  const whole = new Date(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole.getTime())) throw new Error(`oracle: Date cannot parse ${s}`);
  return whole.toISOString().replace(/\.000Z$/, m[2] ? `.${m[2]}Z` : 'Z');
}

function normalizeItem(type: ItemSpec, value: unknown): unknown {
  if (value === null) return null;
  if (type.kind === 'timestamp') return utcTimestamp(value as string);
  if (type.kind === 'record') return normalizeRecord(type.fields, value as Record<string, unknown>);
  return value;
}

function normalizeRecord(
  fields: readonly FieldSpec[],
  row: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!(f.name in row)) continue;
    const v = row[f.name];
    const type = f.type;
    if (type.kind !== 'repeated') out[f.name] = normalizeItem(type, v);
    // A null repeated field is an empty REPEATED column: the row leaves it out.
    else if (v !== null) out[f.name] = (v as unknown[]).map((item) => normalizeItem(type.items, item));
  }
  return out;
}

export type Expected =
  | { readonly ok: true; readonly row: Record<string, unknown> }
  | { readonly ok: false; readonly errors: readonly EventError[] };

const validators = new WeakMap<Contract, EventValidator>();

export function expectedOutcome(contract: Contract, event: unknown): Expected {
  let validator = validators.get(contract);
  if (!validator) {
    validator = compileValidator(contract);
    validators.set(contract, validator);
  }
  const result = validator.validate(event);
  if (!result.ok) return { ok: false, errors: result.errors };
  const row = normalizeRecord(contract.fields, result.event);
  row.schema_version = contract.version;
  row.event_id = contract.key.map((k) => String(row[k])).join(EVENT_ID_SEPARATOR);
  if (result.dropped.length > 0) row.dropped_fields = JSON.stringify(result.dropped);
  return { ok: true, row };
}

/** The "field: rule" parts a UDF error message must consist of. */
export function errorParts(errors: readonly EventError[]): string[] {
  return errors.map((e) => `${e.field}: ${e.rule}`).sort();
}
