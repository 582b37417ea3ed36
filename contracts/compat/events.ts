/**
 * What a contract change does to the events on the wire:
 * - topic: is the new schema revision compatible, i.e. does every JSON message the old proto3 message accepts
 *   still parse under the new one (see generators/proto.ts for the mapping)?
 * - validator: does every event valid under the old contract stay valid under the new one?
 */
import { compareDecimal } from '../decimal';
import type { Contract, FieldSpec, ItemSpec, TypeSpec } from '../model';

export interface WireChange {
  readonly path: string;
  readonly change: string;
  readonly compatible: boolean;
}

const PROTO_TYPES: Record<ItemSpec['kind'], string> = {
  string: 'string',
  numeric: 'string',
  timestamp: 'string',
  date: 'string',
  json: 'string',
  enum: 'string',
  int64: 'int64',
  float64: 'double',
  bool: 'bool',
  bytes: 'bytes',
  record: 'message',
};

const itemOf = (t: TypeSpec): ItemSpec => (t.kind === 'repeated' ? t.items : t);
const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

export function diffTopic(
  before: readonly FieldSpec[],
  after: readonly FieldSpec[],
  prefix = '',
): WireChange[] {
  const out: WireChange[] = [];
  const newByName = new Map(after.map((f) => [f.name, f]));
  const oldNames = new Set(before.map((f) => f.name));
  for (const f of after)
    if (!oldNames.has(f.name))
      out.push({ path: join(prefix, f.name), change: 'field added', compatible: true });
  for (const f of before) {
    const path = join(prefix, f.name);
    const n = newByName.get(f.name);
    if (!n) {
      out.push({
        path,
        change: 'field removed: messages that still carry it fail the new revision as unknown fields',
        compatible: false,
      });
      continue;
    }
    if ((f.type.kind === 'repeated') !== (n.type.kind === 'repeated')) {
      out.push({
        path,
        change: `${f.type.kind === 'repeated' ? 'repeated' : 'singular'} -> ${n.type.kind === 'repeated' ? 'repeated' : 'singular'}`,
        compatible: false,
      });
      continue;
    }
    const [a, b] = [itemOf(f.type), itemOf(n.type)];
    const [pa, pb] = [PROTO_TYPES[a.kind], PROTO_TYPES[b.kind]];
    if (pa !== pb) {
      // proto3 JSON parses integers and numeric strings into double, so int64 -> double accepts every old message.
      const widening = pa === 'int64' && pb === 'double';
      out.push({ path, change: `proto type ${pa} -> ${pb}`, compatible: widening });
      continue;
    }
    if (a.kind === 'record' && b.kind === 'record') out.push(...diffTopic(a.fields, b.fields, path));
  }
  return out;
}

export function diffValidator(before: Contract, after: Contract): WireChange[] {
  const out = diffFields(before.fields, after.fields, '', after.unknownFields);
  if (before.unknownFields !== after.unknownFields) {
    const compatible = after.unknownFields === 'drop';
    out.push({
      path: '(contract)',
      change: `unknown fields ${before.unknownFields} -> ${after.unknownFields}${compatible ? '' : ': events with undeclared properties are now rejected'}`,
      compatible,
    });
  }
  return out;
}

function diffFields(
  before: readonly FieldSpec[],
  after: readonly FieldSpec[],
  prefix: string,
  policy: Contract['unknownFields'],
): WireChange[] {
  const out: WireChange[] = [];
  const oldByName = new Map(before.map((f) => [f.name, f]));
  const newByName = new Map(after.map((f) => [f.name, f]));
  for (const f of after) {
    if (oldByName.has(f.name)) continue;
    out.push(
      f.optional
        ? { path: join(prefix, f.name), change: 'optional field added', compatible: true }
        : {
            path: join(prefix, f.name),
            change: 'required field added: old events lack it',
            compatible: false,
          },
    );
  }
  for (const f of before) {
    const path = join(prefix, f.name);
    const n = newByName.get(f.name);
    if (!n) {
      out.push(
        policy === 'drop'
          ? {
              path,
              change: 'field removed: old events still pass, the property is dropped and reported',
              compatible: true,
            }
          : {
              path,
              change: 'field removed: old events that carry it are rejected as unknown fields',
              compatible: false,
            },
      );
      continue;
    }
    if (f.optional && !n.optional)
      out.push({ path, change: 'optional -> required: old events may lack it', compatible: false });
    if (!f.optional && n.optional) out.push({ path, change: 'required -> optional', compatible: true });
    out.push(...diffTypes(f.type, n.type, path, policy));
  }
  return out;
}

function diffTypes(a: TypeSpec, b: TypeSpec, path: string, policy: Contract['unknownFields']): WireChange[] {
  const narrower = (change: string): WireChange => ({ path, change, compatible: false });
  const wider = (change: string): WireChange => ({ path, change, compatible: true });
  if (a.kind === 'repeated' || b.kind === 'repeated') {
    if (a.kind !== 'repeated' || b.kind !== 'repeated') return [narrower(`${a.kind} -> ${b.kind}`)];
    const out: WireChange[] = [];
    limits(a.minItems, b.minItems, 'minItems', 'min', out, path);
    limits(a.maxItems, b.maxItems, 'maxItems', 'max', out, path);
    return [...out, ...diffTypes(a.items, b.items, `${path}[]`, policy)];
  }
  if (a.kind !== b.kind) {
    if (a.kind === 'int64' && b.kind === 'float64')
      return [wider('int64 -> float64: every JSON integer is a number')];
    if (a.kind === 'enum' && b.kind === 'string') {
      const rejected = a.values.filter((v) => !stringAccepts(b, v));
      return rejected.length === 0
        ? [wider('enum -> string')]
        : [narrower(`enum -> string that rejects ${rejected.join(', ')}`)];
    }
    return [narrower(`type ${a.kind} -> ${b.kind}`)];
  }
  const out: WireChange[] = [];
  switch (a.kind) {
    case 'string': {
      const s = b as typeof a;
      limits(a.minLength, s.minLength, 'minLength', 'min', out, path);
      limits(a.maxLength, s.maxLength, 'maxLength', 'max', out, path);
      if ((a.pattern ?? '') !== (s.pattern ?? ''))
        out.push(
          s.pattern === undefined
            ? wider('pattern removed')
            : narrower(`pattern ${a.pattern ?? '(none)'} -> ${s.pattern}`),
        );
      if ((a.format ?? '') !== (s.format ?? ''))
        out.push(
          s.format === undefined
            ? wider('format removed')
            : narrower(`format ${a.format ?? '(none)'} -> ${s.format}`),
        );
      break;
    }
    case 'int64':
    case 'float64': {
      const s = b as typeof a;
      limits(a.min, s.min, 'min', 'min', out, path);
      limits(a.max, s.max, 'max', 'max', out, path);
      break;
    }
    case 'numeric': {
      const s = b as typeof a;
      if (s.scale < a.scale)
        out.push(narrower(`scale ${a.scale} -> ${s.scale}: old values may have more decimals`));
      if (s.precision - s.scale < a.precision - a.scale)
        out.push(narrower(`integer digits ${a.precision - a.scale} -> ${s.precision - s.scale}`));
      if (
        s.scale >= a.scale &&
        s.precision - s.scale >= a.precision - a.scale &&
        (s.precision !== a.precision || s.scale !== a.scale)
      ) {
        out.push(wider(`NUMERIC(${a.precision}, ${a.scale}) -> NUMERIC(${s.precision}, ${s.scale})`));
      }
      limits(a.min, s.min, 'min', 'min', out, path);
      limits(a.max, s.max, 'max', 'max', out, path);
      break;
    }
    case 'bytes':
      limits(a.maxBytes, (b as typeof a).maxBytes, 'maxBytes', 'max', out, path);
      break;
    case 'enum': {
      const values = (b as typeof a).values;
      const removed = a.values.filter((v) => !values.includes(v));
      const added = values.filter((v) => !a.values.includes(v));
      if (removed.length > 0) out.push(narrower(`enum values removed: ${removed.join(', ')}`));
      if (added.length > 0) out.push(wider(`enum values added: ${added.join(', ')}`));
      break;
    }
    case 'record':
      out.push(...diffFields(a.fields, (b as typeof a).fields, path, policy));
      break;
  }
  return out;
}

/**
 * Records a bound change; it is incompatible when it narrows what is accepted. Decimal bounds are strings
 * and compare as decimals.
 */
function limits<T extends number | string>(
  before: T | undefined,
  after: T | undefined,
  name: string,
  side: 'min' | 'max',
  out: WireChange[],
  path: string,
): void {
  if (before === after) return;
  const order = (x: T, y: T) =>
    typeof x === 'string' ? compareDecimal(x, y as string) : (x as number) - (y as number);
  const tighter =
    after !== undefined &&
    (before === undefined || (side === 'min' ? order(after, before) > 0 : order(after, before) < 0));
  out.push({ path, change: `${name} ${before ?? '(none)'} -> ${after ?? '(none)'}`, compatible: !tighter });
}

function stringAccepts(s: Extract<TypeSpec, { kind: 'string' }>, value: string): boolean {
  if (s.format !== undefined) return false;
  if (s.minLength !== undefined && value.length < s.minLength) return false;
  if (s.maxLength !== undefined && value.length > s.maxLength) return false;
  return s.pattern === undefined || new RegExp(`^(?:${s.pattern})$`).test(value);
}
