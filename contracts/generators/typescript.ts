/**
 * A TypeScript type for producers and runtime code. Wire forms are spelled out in the doc comments, since
 * several kinds travel as strings (numeric, timestamp, date, json, bytes).
 */
import type { Contract, FieldSpec, ItemSpec } from '../model';
import { pascalCase } from './names';

const WIRE: Record<Exclude<ItemSpec['kind'], 'record' | 'enum'>, { ts: string; note: string }> = {
  string: { ts: 'string', note: '' },
  int64: { ts: 'number', note: 'int64: a JSON integer within ±(2^53 - 1)' },
  float64: { ts: 'number', note: 'float64: a finite JSON number' },
  numeric: { ts: 'string', note: 'numeric: a decimal string' },
  bool: { ts: 'boolean', note: '' },
  timestamp: { ts: 'string', note: 'timestamp: RFC 3339 with a time zone, e.g. 2026-01-31T12:00:00Z' },
  date: { ts: 'string', note: 'date: YYYY-MM-DD' },
  json: { ts: 'string', note: 'json: a string holding a JSON document' },
  bytes: { ts: 'string', note: 'bytes: standard base64' },
};

export function typeScriptType(contract: Contract): string {
  const root = pascalCase(contract.name);
  const blocks: string[] = [];
  emit(root, contract.fields, blocks, [
    `${contract.name} v${contract.version}: ${contract.description}`,
    `Owner: ${contract.owner}. Key: ${contract.key.join(', ')}. Event time: ${contract.eventTime}.`,
    `Unknown fields: ${contract.unknownFields === 'reject' ? 'rejected' : 'dropped and reported'}.`,
  ]);
  const header = `// Generated from the Tributary contract "${contract.name}" v${contract.version}. Do not edit; run npm run contracts:generate.\n`;
  return `${header}\n${blocks.reverse().join('\n')}`;
}

function emit(name: string, fields: readonly FieldSpec[], out: string[], doc: string[]): void {
  const lines = [`/**`, ...doc.map((d) => ` * ${d}`), ` */`, `export interface ${name} {`];
  for (const f of fields) {
    const item: ItemSpec = f.type.kind === 'repeated' ? f.type.items : f.type;
    let ts: string;
    let note = '';
    if (item.kind === 'record') {
      ts = `${name}${pascalCase(f.name)}`;
      emit(ts, item.fields, out, [f.description]);
    } else if (item.kind === 'enum') {
      ts = item.values.map((v) => JSON.stringify(v)).join(' | ');
      if (f.type.kind === 'repeated') ts = `(${ts})`;
    } else {
      ts = WIRE[item.kind].ts;
      note = WIRE[item.kind].note;
    }
    if (f.type.kind === 'repeated') ts = `${ts}[]`;
    const comment = [f.description, note, f.pii ? 'Personal data (PII)' : '']
      .filter(Boolean)
      .map((part) => (/[.!?]$/.test(part) ? part : `${part}.`))
      .join(' ');
    lines.push(`  /** ${comment.replace(/\*\//g, '* /')} */`);
    lines.push(`  readonly ${f.name}${f.optional ? '?' : ''}: ${ts}${f.optional ? ' | null' : ''};`);
  }
  lines.push('}', '');
  out.push(lines.join('\n'));
}
