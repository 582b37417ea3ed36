import { StreamingPlatform } from '../../constructs/platform/streaming-platform';
import { planContracts } from '../../constructs/platform/streams/contract-guard';
import { field, t } from '../../contracts/dsl';
import { releaseLock } from '../../contracts/lock';
import { ValidationError } from '../../core/validation';
import { baseContract } from '../contracts/fixtures';
import { errorOf, resources, synth, testStack } from '../helpers';

const released = baseContract();
const lock = releaseLock([released]);
const protectedEnv = { subject: 'prod/Platform', deletionProtection: true };
const addRequired = baseContract((d) => ({
  ...d,
  version: '1.1.0',
  fields: [...d.fields, field('channel', 'C.', t.string())],
}));
const addOptional = baseContract((d) => ({
  ...d,
  version: '1.1.0',
  fields: [...d.fields, field('channel', 'C.', t.string(), { optional: true })],
}));
const migrated = baseContract((d) => ({
  ...d,
  version: '2.0.0',
  tableVersion: 2,
  fields: [...d.fields, field('channel', 'C.', t.string())],
}));

describe('planContracts (synth guard)', () => {
  test('without a lock every contract is new and gets one table', () => {
    expect(planContracts([released], undefined, protectedEnv)).toEqual([{ contract: released, retired: [] }]);
  });

  test('allows an in-place change to a protected table', () => {
    const [plan] = planContracts([addOptional], lock, protectedEnv);
    expect(plan?.report?.table.verdict).toBe('in-place');
  });

  test('fails for a change that would replace a protected table, naming the table, the change and the way out', () => {
    const error = errorOf(() => planContracts([addRequired], lock, protectedEnv)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('prod/Platform: contract changes against the released lock: 1 problem');
    expect(error.message).toContain(
      'contracts.sale = "1.1.0": would replace the protected table sale_v1 (channel: new REQUIRED column STRING); declare a migration by raising tableVersion to 2, which creates sale_v2 and keeps sale_v1',
    );
  });

  test('allows the same change where tables are not protected (dev)', () => {
    const [plan] = planContracts([addRequired], lock, { subject: 'dev/Platform', deletionProtection: false });
    expect(plan?.report?.table.verdict).toBe('replace');
  });

  test('a versioned migration creates the new table and keeps the released one', () => {
    const [plan] = planContracts([migrated], lock, protectedEnv);
    expect(plan?.report?.table.verdict).toBe('new-table');
    expect(plan?.retired.map((c) => c.tableVersion)).toEqual([1]);
  });

  test('after the lock records the migration, the retired table stays provisioned', () => {
    const after = releaseLock([migrated], lock);
    expect(after.retired.map((c) => `${c.name}_v${c.tableVersion}`)).toEqual(['sale_v1']);
    const [plan] = planContracts([migrated], after, protectedEnv);
    expect(plan?.retired.map((c) => c.tableVersion)).toEqual([1]);
  });

  test.each([
    [
      'a table version going back',
      [baseContract((d) => ({ ...d, tableVersion: 1 }))],
      releaseLock([baseContract((d) => ({ ...d, tableVersion: 2 }))]),
      'contracts.sale.tableVersion = 1: must not go below the released table version 2',
    ],
    [
      'a released contract removed',
      [],
      lock,
      'contracts.sale = "(removed)": is released but missing: its protected table sale_v1 would be destroyed',
    ],
    [
      'a contract listed twice',
      [released, released],
      undefined,
      'contracts.sale = "sale": each contract name may appear once',
    ],
  ])('fails for %s', (_case, contracts, theLock, message) => {
    expect(() => planContracts(contracts, theLock, protectedEnv)).toThrow(message);
  });

  test('StreamingPlatform provisions the retired table next to the new one', () => {
    const stack = testStack({ production: true });
    new StreamingPlatform(stack, 'Platform', {
      project: 'trb-test-project',
      region: 'europe-west1',
      dataLocation: 'EU',
      namePrefix: 'trb-tst',
      production: true,
      streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [migrated], contractLock: lock },
    });
    const tables = resources(synth(stack), 'google_bigquery_table');
    expect(
      tables
        .map((tb) => [
          tb.table_id,
          (tb.labels as Record<string, string>)['table-state'],
          tb.deletion_protection,
        ])
        .sort(),
    ).toEqual([
      ['sale_v1', 'retired', true],
      ['sale_v2', 'active', true],
    ]);
  });
});
