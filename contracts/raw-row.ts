/**
 * The raw-table row of a validated event, exactly as the Dataflow UDF writes it (contracts/generators/udf.ts):
 * top-level fields in contract order, timestamps normalized to UTC RFC 3339 keeping their fraction digits, a null
 * optional field kept as null except for repeated fields (omitted, as BigQuery has no null arrays), then the
 * platform metadata. The batch loader writes these rows, so staging and curated cannot tell a batch row from a
 * streamed one; test/contracts/raw-row.test.ts holds the two paths to the same output.
 */
import { FORMAT_PATTERNS } from './formats';
import { EVENT_ID_SEPARATOR } from './metadata';
import type { Contract, FieldSpec, ItemSpec } from './model';

/** The metadata a writer stamps on each row, by column name (see metadata.ts). */
export interface RowMetadata {
  /** RFC 3339 UTC. */
  readonly ingestTime: string;
  /** Where the event entered, for example `batch:gs://bucket/order/2026-11-29.csv#1764400000000000`. */
  readonly ingestSource?: string;
  /** Undeclared properties removed under the `drop` policy, as paths. */
  readonly dropped: readonly string[];
}

export interface RawRowBuilder {
  readonly contract: Contract;
  /** The row for a validated event (as the validator returned it). */
  row(event: Readonly<Record<string, unknown>>, meta: RowMetadata): Record<string, unknown>;
  /** The event id: the key fields' values after normalization, joined by EVENT_ID_SEPARATOR. */
  eventId(row: Readonly<Record<string, unknown>>): string;
}

const TIMESTAMP = FORMAT_PATTERNS.TIMESTAMP as RegExp;

/**
 * The UTC form of a valid RFC 3339 timestamp, keeping its fraction digits (`2026-11-29T10:00:00.5+01:00` ->
 * `2026-11-29T09:00:00.5Z`). Timestamps reach here validated; anything else is returned unchanged.
 */
export function normalizeTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  if (m[8] === 'Z') return text;
  // Plain arithmetic rather than a Date: this runs for every timestamp of every loaded row.
  const offsetMin = (m[9] === '+' ? 1 : -1) * (Number(m[10]) * 60 + Number(m[11]));
  let year = Number(m[1]);
  let month = Number(m[2]);
  let day = Number(m[3]);
  let minutes = Number(m[4]) * 60 + Number(m[5]) - offsetMin;
  // An offset is under a day, so the date moves by one day at most.
  if (minutes < 0) {
    minutes += 1440;
    if (--day < 1) {
      if (--month < 1) {
        month = 12;
        year--;
      }
      day = daysInMonth(year, month);
    }
  } else if (minutes >= 1440) {
    minutes -= 1440;
    if (++day > daysInMonth(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        year++;
      }
    }
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(Math.floor(minutes / 60), 2)}:${pad(minutes % 60, 2)}:${
    m[6]
  }${m[7] ? `.${m[7]}` : ''}Z`;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0000'.slice(0, width - s.length) + s;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * How JSON columns (`json` fields and `dropped_fields`) are written. `text`: the JSON text as a string, which
 * the Dataflow template's BigQuery writer parses (the UDF's form). `value`: the JSON value itself, for
 * newline-delimited JSON load jobs, which store a string in a JSON column as a JSON string, not as the
 * document it spells.
 */
export type JsonColumns = 'text' | 'value';

type Convert = (value: unknown) => unknown;

/** A converter per type, or undefined where the validated value is written as it is. */
function converter(type: ItemSpec | FieldSpec['type'], json: JsonColumns): Convert | undefined {
  switch (type.kind) {
    case 'timestamp':
      return (v) => normalizeTimestamp(v as string);
    case 'json':
      // Validated as JSON text (formats.ts), so parsing cannot fail here.
      return json === 'value' ? (v) => JSON.parse(v as string) : undefined;
    case 'record': {
      // A record with nothing to convert and no repeated field (whose null is omitted) is written as validated:
      // a validated event holds only declared fields, and key order means nothing to BigQuery.
      const plain = type.fields.every(
        (f) => f.type.kind !== 'repeated' && converter(f.type, json) === undefined,
      );
      if (plain) return undefined;
      const build = recordBuilder(type.fields, json);
      return (v) => build(v as Record<string, unknown>);
    }
    case 'repeated': {
      const item = converter(type.items, json);
      return item ? (v) => (v as unknown[]).map(item) : undefined;
    }
    default:
      return undefined;
  }
}

function recordBuilder(
  fields: readonly FieldSpec[],
  json: JsonColumns,
): (value: Record<string, unknown>) => Record<string, unknown> {
  const plan = fields.map((f) => ({
    name: f.name,
    repeated: f.type.kind === 'repeated',
    convert: converter(f.type, json),
  }));
  return (value) => {
    const out: Record<string, unknown> = {};
    for (const f of plan) {
      if (!Object.hasOwn(value, f.name)) continue;
      const v = value[f.name];
      if (v === null) {
        if (!f.repeated) out[f.name] = null;
        continue;
      }
      out[f.name] = f.convert ? f.convert(v) : v;
    }
    return out;
  };
}

/** Compiles the row builder of a contract once; each row is then one walk over the declared fields. */
export function rawRowBuilder(contract: Contract, jsonColumns: JsonColumns = 'text'): RawRowBuilder {
  const build = recordBuilder(contract.fields, jsonColumns);
  const keys = contract.key;
  const eventId = (row: Readonly<Record<string, unknown>>) =>
    keys.length === 1
      ? String(row[keys[0] as string])
      : keys.map((k) => String(row[k])).join(EVENT_ID_SEPARATOR);
  return {
    contract,
    eventId,
    row(event, meta) {
      const out = build(event as Record<string, unknown>);
      out.schema_version = contract.version;
      out.ingest_time = meta.ingestTime;
      if (meta.ingestSource !== undefined) out.ingest_source = meta.ingestSource;
      out.event_id = eventId(out);
      if (meta.dropped.length > 0)
        out.dropped_fields = jsonColumns === 'value' ? [...meta.dropped] : JSON.stringify(meta.dropped);
      return out;
    },
  };
}
