/**
 * Compares an old and a new contract set and classifies every change three ways: what happens to the raw
 * BigQuery table, whether the Pub/Sub schema revision is compatible, and whether old events stay valid.
 * The synth guard and `npm run contracts:check` both use this, so they can never disagree.
 */
import { rawTableSpec } from '../generators/bigquery';
import type { Contract } from '../model';
import { diffTopic, diffValidator, type WireChange } from './events';
import { diffTable, type TableChange } from './table';

export type TableVerdict = 'unchanged' | 'in-place' | 'replace' | 'new-table';

export interface ContractReport {
  readonly name: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly oldVersion?: string;
  readonly newVersion?: string;
  readonly table: { readonly verdict: TableVerdict; readonly changes: readonly TableChange[] };
  readonly topic: { readonly compatible: boolean; readonly changes: readonly WireChange[] };
  readonly validator: { readonly compatible: boolean; readonly changes: readonly WireChange[] };
  /** Why this contract's change is breaking; empty when it is safe. */
  readonly breaking: readonly string[];
}

export interface CompatReport {
  readonly breaking: boolean;
  readonly contracts: readonly ContractReport[];
}

export interface TableContext {
  /** CMEK key of the raw tables; a change replaces them. */
  readonly kmsKeyName?: string;
}

export function compareContract(
  before: Contract,
  after: Contract,
  tables: { before?: TableContext; after?: TableContext } = {},
): ContractReport {
  const oldTable = rawTableSpec(before);
  const newTable = rawTableSpec(after);
  const tableChanges = diffTable(
    { ...oldTable, kmsKeyName: tables.before?.kmsKeyName },
    { ...newTable, kmsKeyName: tables.after?.kmsKeyName },
  );
  const migrated = after.tableVersion > before.tableVersion;
  const verdict: TableVerdict = migrated
    ? 'new-table'
    : tableChanges.some((c) => c.impact === 'replace')
      ? 'replace'
      : tableChanges.length > 0
        ? 'in-place'
        : 'unchanged';
  const topicChanges = diffTopic(before.fields, after.fields);
  const validatorChanges = diffValidator(before, after);
  const topicOk = topicChanges.every((c) => c.compatible);
  const validatorOk = validatorChanges.every((c) => c.compatible);

  const breaking: string[] = [];
  if (after.tableVersion < before.tableVersion)
    breaking.push(`tableVersion went back from ${before.tableVersion} to ${after.tableVersion}`);
  if (verdict === 'replace') {
    breaking.push(
      `table ${oldTable.tableId} would be replaced (its data dropped); declare a migration by raising tableVersion to ${before.tableVersion + 1}`,
    );
  }
  if (!topicOk) breaking.push('the new Pub/Sub schema revision rejects messages the old one accepted');
  if (!validatorOk) breaking.push('events valid under the old contract are rejected by the new one');
  const changed = JSON.stringify(before) !== JSON.stringify(after);
  if (changed && before.version === after.version)
    breaking.push(`the contract changed but its version is still ${after.version}`);
  return {
    name: after.name,
    status: changed ? 'changed' : 'unchanged',
    oldVersion: before.version,
    newVersion: after.version,
    table: { verdict, changes: tableChanges },
    topic: { compatible: topicOk, changes: topicChanges },
    validator: { compatible: validatorOk, changes: validatorChanges },
    breaking,
  };
}

export function checkCompatibility(
  before: readonly Contract[],
  after: readonly Contract[],
  tables: { before?: TableContext; after?: TableContext } = {},
): CompatReport {
  const oldByName = new Map(before.map((c) => [c.name, c]));
  const newByName = new Map(after.map((c) => [c.name, c]));
  const names = [...new Set([...oldByName.keys(), ...newByName.keys()])].sort();
  const contracts = names.map((name): ContractReport => {
    const o = oldByName.get(name);
    const n = newByName.get(name);
    const empty = { changes: [] as never[] };
    if (o && n) return compareContract(o, n, tables);
    if (n) {
      return {
        name,
        status: 'added',
        newVersion: n.version,
        table: { verdict: 'new-table', ...empty },
        topic: { compatible: true, ...empty },
        validator: { compatible: true, ...empty },
        breaking: [],
      };
    }
    return {
      name,
      status: 'removed',
      oldVersion: o?.version,
      table: { verdict: 'replace', ...empty },
      topic: { compatible: false, ...empty },
      validator: { compatible: false, ...empty },
      breaking: [`the contract was removed: its topic and raw table would be destroyed`],
    };
  });
  return { breaking: contracts.some((c) => c.breaking.length > 0), contracts };
}

export function renderCompatText(report: CompatReport): string {
  const lines: string[] = [];
  for (const c of report.contracts) {
    const versions =
      c.oldVersion && c.newVersion && c.oldVersion !== c.newVersion
        ? `${c.oldVersion} -> ${c.newVersion}`
        : (c.newVersion ?? c.oldVersion ?? '');
    lines.push(`${c.breaking.length > 0 ? 'BREAKING' : 'ok      '}  ${c.name} ${versions} (${c.status})`);
    if (c.status !== 'changed') continue;
    lines.push(`  table: ${c.table.verdict}`);
    for (const t of c.table.changes)
      lines.push(`    ${t.impact === 'replace' ? 'REPLACE ' : 'in-place'}  ${t.path}: ${t.change}`);
    lines.push(`  topic schema: ${c.topic.compatible ? 'compatible' : 'INCOMPATIBLE'}`);
    for (const w of c.topic.changes)
      lines.push(`    ${w.compatible ? 'ok      ' : 'BREAKS  '}  ${w.path}: ${w.change}`);
    lines.push(`  validator: ${c.validator.compatible ? 'old events stay valid' : 'OLD EVENTS REJECTED'}`);
    for (const w of c.validator.changes)
      lines.push(`    ${w.compatible ? 'ok      ' : 'BREAKS  '}  ${w.path}: ${w.change}`);
    for (const b of c.breaking) lines.push(`  breaking: ${b}`);
  }
  const count = report.contracts.filter((c) => c.breaking.length > 0).length;
  lines.push('', report.breaking ? `${count} breaking contract change(s).` : 'No breaking changes.');
  return `${lines.join('\n')}\n`;
}
