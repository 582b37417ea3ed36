import {
  checkCompatibility,
  compareContract,
  renderCompatText,
  type TableVerdict,
} from '../../contracts/compat';
import { diffTable } from '../../contracts/compat/table';
import { type ContractDefinition, field, t } from '../../contracts/dsl';
import type { FieldSpec } from '../../contracts/model';
import { baseContract } from './fixtures';

const before = baseContract();
const KEY = 'projects/p/locations/europe/keyRings/r/cryptoKeys/k';

type Edit = (d: ContractDefinition) => ContractDefinition;
const bump: Edit = (d) => ({ ...d, version: '1.1.0' });
const fields =
  (edit: (fs: FieldSpec[]) => FieldSpec[]): Edit =>
  (d) =>
    bump({ ...d, fields: edit([...d.fields]) });
const replaceField = (name: string, next: FieldSpec): Edit =>
  fields((fs) => fs.map((f) => (f.name === name ? next : f)));
const itemsWith = (inner: FieldSpec[]): FieldSpec => field('items', 'Items.', t.repeated(t.record(inner)));
const sku = field('sku', 'SKU.', t.string());
const qty = field('qty', 'Quantity.', t.int64({ min: 1 }));

interface Case {
  readonly name: string;
  readonly edit: Edit;
  readonly table: TableVerdict;
  readonly topic: boolean;
  readonly validator: boolean;
  readonly breaking: boolean;
  readonly kms?: { before?: string; after?: string };
  readonly unknownFields?: 'drop';
}

const cases: Case[] = [
  {
    name: 'add a NULLABLE column',
    edit: fields((fs) => [...fs, field('channel', 'C.', t.string(), { optional: true })]),
    table: 'in-place',
    topic: true,
    validator: true,
    breaking: false,
  },
  {
    name: 'add a REQUIRED column',
    edit: fields((fs) => [...fs, field('channel', 'C.', t.string())]),
    table: 'replace',
    topic: true,
    validator: false,
    breaking: true,
  },
  {
    name: 'add an optional REPEATED column',
    edit: fields((fs) => [...fs, field('tags', 'T.', t.repeated(t.string()), { optional: true })]),
    table: 'in-place',
    topic: true,
    validator: true,
    breaking: false,
  },
  {
    name: 'add a required REPEATED column (old events lack the array)',
    edit: fields((fs) => [...fs, field('tags', 'T.', t.repeated(t.string()))]),
    table: 'in-place',
    topic: true,
    validator: false,
    breaking: true,
  },
  {
    name: 'rename a column (drop + add at top level)',
    edit: fields((fs) => fs.map((f) => (f.name === 'note' ? { ...f, name: 'comment' } : f))),
    table: 'replace',
    topic: false,
    validator: false,
    breaking: true,
  },
  {
    name: 'drop a top-level column alone',
    edit: fields((fs) => fs.filter((f) => f.name !== 'note')),
    table: 'in-place',
    topic: false,
    validator: false,
    breaking: true,
  },
  {
    name: 'drop a top-level column alone under the drop policy',
    edit: (d) => fields((fs) => fs.filter((f) => f.name !== 'note'))({ ...d, unknownFields: 'drop' }),
    table: 'in-place',
    topic: false,
    validator: true,
    breaking: true,
    unknownFields: 'drop',
  },
  {
    name: 'drop a nested column',
    edit: replaceField('items', itemsWith([sku])),
    table: 'replace',
    topic: false,
    validator: false,
    breaking: true,
  },
  {
    name: 'add a nested NULLABLE column',
    edit: replaceField('items', itemsWith([sku, qty, field('colour', 'C.', t.string(), { optional: true })])),
    table: 'in-place',
    topic: true,
    validator: true,
    breaking: false,
  },
  {
    name: 'change a type (STRING -> INTEGER)',
    edit: replaceField('note', field('note', 'Note.', t.int64(), { optional: true })),
    table: 'replace',
    topic: false,
    validator: false,
    breaking: true,
  },
  {
    name: 'widen int64 to float64 (INTEGER -> FLOAT)',
    edit: replaceField('items', itemsWith([sku, field('qty', 'Quantity.', t.float64({ min: 1 }))])),
    table: 'replace',
    topic: true,
    validator: true,
    breaking: true,
  },
  {
    name: 'relax REQUIRED -> NULLABLE',
    edit: replaceField(
      'amount',
      field('amount', 'Amount.', t.numeric({ precision: 10, scale: 2 }), { optional: true }),
    ),
    table: 'in-place',
    topic: true,
    validator: true,
    breaking: false,
  },
  {
    name: 'tighten NULLABLE -> REQUIRED',
    edit: replaceField('note', field('note', 'Note.', t.string())),
    table: 'replace',
    topic: true,
    validator: false,
    breaking: true,
  },
  {
    name: 'turn a scalar into a repeated field',
    edit: replaceField('note', field('note', 'Note.', t.repeated(t.string()))),
    table: 'replace',
    topic: false,
    validator: false,
    breaking: true,
  },
  {
    name: 'change a description',
    edit: replaceField('note', field('note', 'A free-text note.', t.string(), { optional: true })),
    table: 'in-place',
    topic: true,
    validator: true,
    breaking: false,
  },
  {
    name: 'change the partition granularity',
    edit: (d) => bump({ ...d, partitioning: { granularity: 'HOUR' } }),
    table: 'replace',
    topic: true,
    validator: true,
    breaking: true,
  },
  {
    name: 'change the partition field',
    edit: (d) =>
      bump({
        ...d,
        fields: [...d.fields, field('booked_at', 'B.', t.timestamp())],
        eventTime: 'booked_at',
        partitioning: {},
      }),
    table: 'replace',
    topic: true,
    validator: false,
    breaking: true,
  },
  {
    name: 'change the encryption key',
    edit: bump,
    kms: { after: KEY },
    table: 'replace',
    topic: true,
    validator: true,
    breaking: true,
  },
  {
    name: 'change clustering',
    edit: (d) => bump({ ...d, clustering: [] }),
    table: 'in-place',
    topic: true,
    validator: true,
    breaking: false,
  },
  {
    name: 'widen NUMERIC(10, 2) -> NUMERIC(12, 3)',
    edit: replaceField('amount', field('amount', 'Amount.', t.numeric({ precision: 12, scale: 3 }))),
    table: 'in-place',
    topic: true,
    validator: true,
    breaking: false,
  },
  {
    name: 'narrow NUMERIC(10, 2) -> NUMERIC(10, 1)',
    edit: replaceField('amount', field('amount', 'Amount.', t.numeric({ precision: 10, scale: 1 }))),
    table: 'replace',
    topic: true,
    validator: false,
    breaking: true,
  },
  {
    name: 'tighten a string length',
    edit: replaceField('sale_id', field('sale_id', 'Sale id.', t.string({ maxLength: 16 }))),
    table: 'unchanged',
    topic: true,
    validator: false,
    breaking: true,
  },
  {
    name: 'migrate a breaking change to a new table version',
    edit: (d) => ({
      ...fields((fs) => [...fs, field('channel', 'C.', t.string())])(d),
      version: '2.0.0',
      tableVersion: 2,
    }),
    table: 'new-table',
    topic: true,
    validator: false,
    breaking: true,
  },
  {
    name: 'migrate an in-place change to a new table version',
    edit: (d) => ({ ...d, version: '2.0.0', tableVersion: 2, clustering: [] }),
    table: 'new-table',
    topic: true,
    validator: true,
    breaking: false,
  },
];

function caseNamed(prefix: string): Edit {
  const found = cases.find((c) => c.name.startsWith(prefix));
  if (!found) throw new Error(`no case ${prefix}`);
  return found.edit;
}

describe('compatibility checker', () => {
  test('covers at least 15 schema-change cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  test.each(cases.map((c) => [c.name, c]))('%s', (_name, c) => {
    const start = c.unknownFields ? baseContract((d) => ({ ...d, unknownFields: c.unknownFields })) : before;
    const after = baseContract(c.edit);
    const report = compareContract(start, after, {
      before: { kmsKeyName: c.kms?.before },
      after: { kmsKeyName: c.kms?.after },
    });
    expect({
      table: report.table.verdict,
      topic: report.topic.compatible,
      validator: report.validator.compatible,
      breaking: report.breaking.length > 0,
    }).toEqual({
      table: c.table,
      topic: c.topic,
      validator: c.validator,
      breaking: c.breaking,
    });
  });

  test('explains a rename as a replacement, with each change located', () => {
    const report = compareContract(before, baseContract(caseNamed('rename a column')));
    expect(report.table.changes).toEqual(
      expect.arrayContaining([
        {
          path: 'comment',
          change: 'new NULLABLE column STRING alongside dropped columns (a rename?)',
          impact: 'replace',
        },
        { path: 'note', change: 'dropped column alongside new columns (a rename?)', impact: 'replace' },
      ]),
    );
    expect(report.breaking).toContain(
      'table sale_v1 would be replaced (its data dropped); declare a migration by raising tableVersion to 2',
    );
  });

  test('treats INTEGER/INT64, FLOAT/FLOAT64 and BOOLEAN/BOOL as the same type', () => {
    const shape = (types: string[]) => ({
      schema: types.map((type, i) => ({ name: `c${i}`, type, mode: 'NULLABLE' as const })),
      partitioning: { type: 'DAY', field: 'c0' },
      clustering: [],
    });
    expect(diffTable(shape(['INTEGER', 'FLOAT', 'BOOLEAN']), shape(['INT64', 'FLOAT64', 'BOOL']))).toEqual(
      [],
    );
    expect(diffTable(shape(['INTEGER']), shape(['STRING']))).toEqual([
      { path: 'c0', change: 'type INTEGER -> STRING', impact: 'replace' },
    ]);
  });

  test('enum values: added is compatible, removed breaks old events', () => {
    const withEnum = (values: string[]) =>
      baseContract((d) => ({ ...d, fields: [...d.fields, field('kind', 'K.', t.enum(values))] }));
    const [a, b, c] = [withEnum(['X', 'Y']), withEnum(['X', 'Y', 'Z']), withEnum(['X'])];
    const added = compareContract(a, { ...b, version: '1.1.0' });
    expect([added.table.verdict, added.validator.compatible, added.breaking]).toEqual([
      'unchanged',
      true,
      [],
    ]);
    const removed = compareContract(a, { ...c, version: '1.1.0' });
    expect(removed.validator.changes).toEqual([
      { path: 'kind', change: 'enum values removed: Y', compatible: false },
    ]);
  });

  test('flags a change without a version bump, a table version going back, and the unknown-field policy', () => {
    const same = compareContract(
      before,
      baseContract(fields((fs) => [...fs, field('x', 'X.', t.string(), { optional: true })])),
    );
    expect(same.breaking).toEqual([]);
    const noBump = compareContract(
      before,
      baseContract((d) => ({ ...d, clustering: [] })),
    );
    expect(noBump.breaking).toEqual(['the contract changed but its version is still 1.0.0']);
    const back = compareContract(
      baseContract((d) => ({ ...d, tableVersion: 2 })),
      baseContract((d) => ({ ...d, tableVersion: 1, version: '1.1.0' })),
    );
    expect(back.breaking[0]).toBe('tableVersion went back from 2 to 1');
    const strict = compareContract(
      baseContract((d) => ({ ...d, unknownFields: 'drop' })),
      baseContract((d) => bump({ ...d, unknownFields: 'reject' })),
    );
    expect(strict.validator.changes).toEqual([
      {
        path: '(contract)',
        change: 'unknown fields drop -> reject: events with undeclared properties are now rejected',
        compatible: false,
      },
    ]);
  });

  test('a whole set: added, removed and unchanged contracts', () => {
    const other = baseContract((d) => ({ ...d, name: 'refund' }));
    const third = baseContract((d) => ({ ...d, name: 'visit' }));
    const report = checkCompatibility([before, other], [before, third]);
    expect(report.contracts.map((c) => [c.name, c.status, c.breaking.length > 0])).toEqual([
      ['refund', 'removed', true],
      ['sale', 'unchanged', false],
      ['visit', 'added', false],
    ]);
    expect(report.breaking).toBe(true);
    const text = renderCompatText(report);
    expect(text).toContain('BREAKING  refund 1.0.0 (removed)');
    expect(text).toContain('ok        visit 1.0.0 (added)');
    expect(text).toContain('1 breaking contract change(s).');
  });

  test('renders each change with its impact', () => {
    const text = renderCompatText(
      checkCompatibility([before], [baseContract(caseNamed('add a REQUIRED column'))]),
    );
    expect(text).toContain('BREAKING  sale 1.0.0 -> 1.1.0 (changed)');
    expect(text).toContain('REPLACE   channel: new REQUIRED column STRING');
    expect(text).toContain('validator: OLD EVENTS REJECTED');
    expect(text).toContain('BREAKS    channel: required field added: old events lack it');
  });
});
