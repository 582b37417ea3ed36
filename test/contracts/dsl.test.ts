import { type ContractDefinition, defineContract, field, t } from '../../contracts/dsl';
import { ValidationError } from '../../core/validation';
import { errorOf } from '../helpers';
import { baseContract, baseDefinition } from './fixtures';

function failing(change: (d: ContractDefinition) => ContractDefinition): ValidationError {
  return errorOf(() => defineContract(change(baseDefinition()))) as ValidationError;
}

const withField =
  (...extra: ReturnType<typeof field>[]) =>
  (d: ContractDefinition): ContractDefinition => ({ ...d, fields: [...d.fields, ...extra] });

describe('defineContract', () => {
  test('builds a frozen contract with defaults', () => {
    const c = baseContract();
    expect(c).toMatchObject({
      kind: 'tributary.event-contract',
      name: 'sale',
      tableVersion: 1,
      key: ['sale_id'],
      partitioning: { field: 'sold_at', granularity: 'DAY' },
      unknownFields: 'reject',
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.fields[0])).toBe(true);
    expect(c.fields.map((f) => [f.name, f.optional, f.pii])).toEqual([
      ['sale_id', false, false],
      ['amount', false, false],
      ['note', true, false],
      ['items', false, false],
      ['sold_at', false, false],
    ]);
  });

  test('accepts every field type, nesting and repeated scalars and records', () => {
    const c = baseContract(
      withField(
        field('f_float', 'F.', t.float64({ min: 0 })),
        field('f_bool', 'B.', t.bool(), { optional: true }),
        field('f_date', 'D.', t.date()),
        field('f_json', 'J.', t.json(), { pii: true }),
        field('f_bytes', 'Y.', t.bytes({ maxBytes: 16 })),
        field('f_enum', 'E.', t.enum(['a', 'B_2'])),
        field('f_tags', 'T.', t.repeated(t.string(), { maxItems: 3 })),
        field('f_nested', 'N.', t.record([field('inner', 'I.', t.record([field('leaf', 'L.', t.int64())]))])),
      ),
    );
    expect(c.fields).toHaveLength(13);
  });

  test.each<[string, (d: ContractDefinition) => ContractDefinition, string, unknown]>([
    [
      'a duplicate field name',
      withField(field('amount', 'Again.', t.string())),
      'fields.amount',
      'is declared twice',
    ],
    [
      'a duplicate nested field name',
      withField(field('r', 'R.', t.record([field('a', 'A.', t.string()), field('a', 'A.', t.bool())]))),
      'fields.r.fields.a',
      'is declared twice',
    ],
    [
      'an upper-case field name',
      withField(field('userId', 'U.', t.string())),
      'fields.userId',
      'must be 1-128 characters of lowercase letters',
    ],
    [
      'a field name starting with a digit (protobuf rejects it)',
      withField(field('1st', 'F.', t.string())),
      'fields.1st',
      'start with a letter',
    ],
    [
      'a field name with a hyphen (BigQuery rejects it)',
      withField(field('user-id', 'U.', t.string())),
      'fields.user-id',
      'must be 1-128 characters',
    ],
    ['a double underscore', withField(field('a__b', 'A.', t.string())), 'fields.a__b', 'single underscores'],
    [
      'a protobuf keyword',
      withField(field('message', 'M.', t.string())),
      'fields.message',
      'is a reserved word in protobuf or JavaScript',
    ],
    [
      'a JavaScript prototype name',
      withField(field('constructor', 'C.', t.string())),
      'fields.constructor',
      'is a reserved word',
    ],
    [
      'a platform metadata column',
      withField(field('publish_time', 'P.', t.timestamp())),
      'fields.publish_time',
      'is reserved for platform metadata',
    ],
    ['a missing description', withField(field('x', '', t.string())), 'fields.x.description', 'is required'],
    [
      'a key that is not a field',
      (d) => ({ ...d, key: ['nope'] }),
      'key',
      'must name a top-level field of the contract',
    ],
    [
      'a float key',
      (d) => ({ ...withField(field('score', 'S.', t.float64()))(d), key: ['score'] }),
      'key.score',
      'key fields must be one of',
    ],
    ['an optional key', (d) => ({ ...d, key: ['note'] }), 'key.note', 'key fields must be required'],
    ['a nested key', (d) => ({ ...d, key: ['items.sku'] }), 'key', 'must name a top-level field'],
    [
      'an event time that is not a field',
      (d) => ({ ...d, eventTime: 'when' }),
      'eventTime',
      'must name a top-level field',
    ],
    [
      'an event time of the wrong type',
      (d) => ({ ...d, eventTime: 'sale_id', partitioning: { field: 'sold_at' } }),
      'eventTime',
      'must be a timestamp field (it is string)',
    ],
    [
      'an optional event time',
      (d) => ({
        ...withField(field('seen_at', 'S.', t.timestamp(), { optional: true }))(d),
        eventTime: 'seen_at',
        partitioning: { field: 'seen_at' },
      }),
      'eventTime',
      'the event-time field must be required',
    ],
    [
      'partitioning on a non-timestamp field',
      (d) => ({ ...d, partitioning: { field: 'amount' } }),
      'partitioning.field',
      'must be a timestamp field (it is numeric)',
    ],
    [
      'partitioning on a timestamp that is not the event time',
      (d) => ({
        ...withField(field('other_at', 'O.', t.timestamp()))(d),
        partitioning: { field: 'other_at' },
      }),
      'partitioning.field',
      'must be the event-time field "sold_at"',
    ],
    [
      'an unknown granularity',
      (d) => ({ ...d, partitioning: { granularity: 'MONTH' as 'DAY' } }),
      'partitioning.granularity',
      'must be DAY or HOUR',
    ],
    [
      'more than 4 cluster fields',
      (d) => ({
        ...withField(
          field('c1', 'C.', t.string()),
          field('c2', 'C.', t.string()),
          field('c3', 'C.', t.string()),
          field('c4', 'C.', t.string()),
        )(d),
        clustering: ['sale_id', 'c1', 'c2', 'c3', 'c4'],
      }),
      'clustering',
      'BigQuery clusters on at most 4 fields',
    ],
    [
      'clustering on a repeated field',
      (d) => ({ ...d, clustering: ['items'] }),
      'clustering.items',
      'cluster fields must be top-level scalars',
    ],
    [
      'clustering on a nested field',
      (d) => ({ ...d, clustering: ['items.sku'] }),
      'clustering',
      'must name a top-level field',
    ],
    ['a bad contract name', (d) => ({ ...d, name: 'Sales-Events' }), 'name', 'must be 2-63 characters'],
    ['a bad version', (d) => ({ ...d, version: 'v1' }), 'version', 'must be a semantic version'],
    [
      'a zero table version',
      (d) => ({ ...d, tableVersion: 0 }),
      'tableVersion',
      'must be a whole number from 1 to 999',
    ],
    ['no owner', (d) => ({ ...d, owner: ' ' }), 'owner', 'is required'],
    [
      'an unknown-field policy typo',
      (d) => ({ ...d, unknownFields: 'ignore' as 'drop' }),
      'unknownFields',
      'must be "reject" or "drop"',
    ],
    [
      'an empty enum',
      withField(field('e', 'E.', t.enum([]))),
      'fields.e.values',
      'must list at least one value',
    ],
    [
      'an enum value with a space',
      withField(field('e', 'E.', t.enum(['A B']))),
      'fields.e.values',
      'enum values must be identifiers',
    ],
    [
      'a NUMERIC scale over 9',
      withField(field('n', 'N.', t.numeric({ precision: 20, scale: 10 }))),
      'fields.n.precision',
      'BigQuery NUMERIC needs 0 <= scale <= 9',
    ],
    [
      'a NUMERIC bound that does not fit',
      withField(field('n', 'N.', t.numeric({ precision: 4, scale: 2, max: '100.00' }))),
      'fields.n.max',
      'must fit NUMERIC(4, 2)',
    ],
    [
      'an int64 bound beyond 2^53',
      withField(field('i', 'I.', t.int64({ max: 2 ** 60 }))),
      'fields.i.max',
      'must be an integer within ±(2^53 - 1)',
    ],
    [
      'min above max',
      withField(field('i', 'I.', t.int64({ min: 5, max: 1 }))),
      'fields.i.max',
      'must not be below min',
    ],
    [
      'an invalid pattern',
      withField(field('s', 'S.', t.string({ pattern: '[a-' }))),
      'fields.s.pattern',
      'must be a valid regular expression',
    ],
    [
      'an empty record',
      withField(field('r', 'R.', t.record([]))),
      'fields.r.fields',
      'a record must declare at least one field',
    ],
    [
      'an array of arrays',
      withField(field('m', 'M.', t.repeated(t.repeated(t.int64())))),
      'fields.m.items',
      'repeated fields cannot hold repeated items',
    ],
  ])('fails for %s, naming the contract, the field and the rule', (_case, change, field, rule) => {
    const error = failing(change);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/^Contract "[^"]*" v[^:]*: \d+ problems?/);
    expect(error.violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field, rule: expect.stringContaining(rule as string) }),
      ]),
    );
  });

  test('fails for records nested deeper than BigQuery allows', () => {
    let type = t.record([field('leaf', 'L.', t.string())]);
    for (let i = 0; i < 15; i++) type = t.record([field(`level_${i}`, 'L.', type)]);
    const error = failing(withField(field('deep', 'D.', type)));
    expect(error.message).toContain('records nest at most 15 levels deep');
  });

  test('lists every problem at once', () => {
    const error = failing((d) => ({
      ...d,
      name: 'X',
      version: '1',
      key: ['nope'],
      clustering: ['a', 'b', 'c', 'd', 'e'],
    }));
    expect(error.violations.map((v) => v.field)).toEqual(
      expect.arrayContaining(['name', 'version', 'key', 'clustering']),
    );
    expect(error.message.split('\n').length).toBeGreaterThan(5);
  });
});
