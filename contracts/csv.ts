/**
 * How a CSV file maps onto a contract, for the batch loader (runtime/loader) and its documentation:
 *
 * - the header row names contract fields; nested record fields use dotted names (`shipping_address.city`);
 * - a repeated field, or a whole record, may be one cell holding JSON (`line_items`, `shipping_address`);
 * - an empty cell means the field is absent (so a required field must not be empty);
 * - int64 and float64 cells are decimal numbers, bool cells `true` or `false` (any case); every other type is
 *   written as the JSON string form the contract documents (timestamps RFC 3339, numerics "42.50", bytes
 *   base64, json fields the JSON document).
 *
 * The header is checked once against the contract; a header that does not match is refused whole, listing
 * every problem. Each row then becomes the event object the contract validator checks, plus the errors of
 * cells that could not be read at all (a number that is not a number, JSON that does not parse).
 */

import type { Contract, FieldSpec, ItemSpec, TypeSpec } from './model';
import type { EventErrorCode } from './validator';

/** An error in one row, in the validator's shape; `syntax` marks a cell, line or row that could not be read at all. */
export interface RowError {
  /** Path of the offending value, e.g. `shipping_address.city`; `(row)` for the row as a whole. */
  readonly field: string;
  readonly rule: string;
  readonly code: EventErrorCode | 'syntax';
}

export interface CsvRow {
  readonly event: Record<string, unknown>;
  /** Errors of cells that could not be read; the validator's errors for these paths add nothing. */
  readonly errors: readonly RowError[];
  /** Paths of non-empty cells in undeclared columns, removed under the `drop` policy. */
  readonly dropped: readonly string[];
}

export interface CsvLayout {
  readonly contract: Contract;
  readonly header: readonly string[];
  /** Undeclared columns, dropped (only under the `drop` policy; `reject` refuses the header). */
  readonly droppedColumns: readonly string[];
  /** The event of one record's cells, in header order. */
  read(cells: readonly string[]): CsvRow;
}

export type CsvHeaderCheck =
  | { readonly ok: true; readonly layout: CsvLayout }
  | { readonly ok: false; readonly problems: readonly string[] };

/** A cell that could not be read; cells that could are their value (one allocation less per cell). */
class CellError {
  constructor(public readonly rule: string) {}
}

type Cell = (text: string) => unknown;

const NONE: never[] = Object.freeze([]) as never[];

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NOT_INT64 = new CellError('must be an int64 written as a whole number, e.g. 42');
const NOT_FLOAT64 = new CellError('must be a float64 written as a decimal number, e.g. 4.25');
const FLOAT64_RANGE = new CellError('must be a float64 within ±1.7976931348623157e308');
const NOT_BOOL = new CellError('must be true or false');

function cellReader(type: TypeSpec): Cell {
  switch (type.kind) {
    case 'int64':
      return (t) => (INTEGER.test(t) ? Number(t) : NOT_INT64);
    case 'float64':
      return (t) => (!FLOAT.test(t) ? NOT_FLOAT64 : Number.isFinite(Number(t)) ? Number(t) : FLOAT64_RANGE);
    case 'bool':
      return (t) => {
        const l = t.length === 4 || t.length === 5 ? t.toLowerCase() : '';
        return l === 'true' ? true : l === 'false' ? false : NOT_BOOL;
      };
    case 'record':
    case 'repeated': {
      const what = type.kind === 'record' ? 'a JSON object' : 'a JSON array';
      return (t) => {
        try {
          return JSON.parse(t);
        } catch (error) {
          return new CellError(`must be ${what} in one cell: ${(error as Error).message}`);
        }
      };
    }
    default:
      return (t) => t;
  }
}

interface Column {
  readonly path: readonly string[];
  readonly text: string;
  readonly read: Cell;
}

/** Where a dotted header name points in the contract, or why it points nowhere. */
function resolve(
  contract: Contract,
  name: string,
): { field: FieldSpec; path: string[] } | { problem: string; unknown: boolean } {
  const parts = name.split('.');
  let fields: readonly FieldSpec[] = contract.fields;
  let field: FieldSpec | undefined;
  for (const [i, part] of parts.entries()) {
    const at = parts.slice(0, i + 1).join('.');
    if (field) {
      const t: ItemSpec | TypeSpec = field.type;
      const parent = parts.slice(0, i).join('.');
      if (t.kind === 'repeated')
        return {
          problem: `column "${name}": ${parent} is a repeated field; give it whole as one JSON cell named "${parent}"`,
          unknown: false,
        };
      if (t.kind !== 'record')
        return { problem: `column "${name}": ${parent} is a ${t.kind} field, not a record`, unknown: false };
      fields = t.fields;
    }
    field = fields.find((f) => f.name === part);
    if (!field)
      return {
        problem: `column "${name}": ${at} is not a field of ${contract.name} v${contract.version}${
          contract.unknownFields === 'reject' ? ' (unknown fields are rejected)' : ''
        }`,
        unknown: true,
      };
  }
  return { field: field as FieldSpec, path: parts };
}

/** Required fields under `fields` (at `prefix`) that no column covers, given the set of column names. */
function uncovered(
  fields: readonly FieldSpec[],
  prefix: string,
  names: ReadonlySet<string>,
  out: string[],
): void {
  for (const f of fields) {
    const at = prefix ? `${prefix}.${f.name}` : f.name;
    if (names.has(at)) continue;
    const nested = [...names].some((n) => n.startsWith(`${at}.`));
    if (nested && f.type.kind === 'record') uncovered(f.type.fields, at, names, out);
    else if (!f.optional && !nested) out.push(at);
  }
}

/** Checks a header against the contract and compiles the row reader; refuses it listing every problem. */
export function csvLayout(contract: Contract, header: readonly string[]): CsvHeaderCheck {
  const problems: string[] = [];
  const columns: (Column | undefined)[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  for (const [i, name] of header.entries()) {
    columns.push(undefined);
    if (name === '') {
      problems.push(`column ${i + 1} has an empty name`);
      continue;
    }
    if (name.trim() !== name) {
      problems.push(`column "${name}" has spaces around its name`);
      continue;
    }
    if (seen.has(name)) {
      problems.push(`column "${name}" appears more than once`);
      continue;
    }
    seen.add(name);
    const r = resolve(contract, name);
    if ('problem' in r) {
      if (r.unknown && contract.unknownFields === 'drop') dropped.push(name);
      else problems.push(r.problem);
      continue;
    }
    columns[i] = { path: r.path, text: name, read: cellReader(r.field.type) };
  }
  const names = new Set(columns.flatMap((c) => (c ? [c.text] : [])));
  for (const n of names) {
    const parts = n.split('.');
    for (let k = 1; k < parts.length; k++) {
      const parent = parts.slice(0, k).join('.');
      if (names.has(parent))
        problems.push(
          `columns "${parent}" and "${n}" both give ${n}; use the JSON cell or the dotted columns, not both`,
        );
    }
  }
  const missing: string[] = [];
  uncovered(contract.fields, '', names, missing);
  for (const m of missing) problems.push(`required field ${m} has no column`);
  if (problems.length > 0) return { ok: false, problems };

  const plan = columns.map((c, i) => ({ column: c, droppedName: c ? undefined : header[i] }));
  const width = header.length;
  return {
    ok: true,
    layout: {
      contract,
      header,
      droppedColumns: dropped,
      read(cells) {
        const event: Record<string, unknown> = {};
        // Most rows have neither: the shared empty arrays save two allocations per row.
        let errors: RowError[] = NONE;
        let droppedHere: string[] = NONE;
        if (cells.length !== width)
          errors = [
            {
              field: '(row)',
              rule: `must have ${width} cells like the header, has ${cells.length}`,
              code: 'syntax',
            },
          ];
        const n = Math.min(cells.length, width);
        for (let i = 0; i < n; i++) {
          const text = cells[i] as string;
          if (text === '') continue;
          const p = plan[i] as (typeof plan)[number];
          if (!p.column) {
            if (droppedHere === (NONE as string[])) droppedHere = [];
            droppedHere.push(p.droppedName as string);
            continue;
          }
          const value = p.column.read(text);
          if (value instanceof CellError) {
            if (errors === (NONE as RowError[])) errors = [];
            errors.push({ field: p.column.text, rule: value.rule, code: 'syntax' });
            continue;
          }
          const path = p.column.path;
          let target = event;
          for (let k = 0; k < path.length - 1; k++) {
            const key = path[k] as string;
            target[key] ??= {};
            target = target[key] as Record<string, unknown>;
          }
          target[path[path.length - 1] as string] = value;
        }
        return { event, errors, dropped: droppedHere };
      },
    },
  };
}
