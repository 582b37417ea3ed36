import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  bigQuerySchemaReplacements,
  FORCE_NEW,
  FORCE_NEW_PROVIDER,
  forceNewChanges,
  hasForceNewRule,
} from '../../preview/force-new';
import { loadSnapshot } from '../../preview/snapshot';
import { ENVIRONMENTS } from '../../stacks/environments/index';
import { buildApp } from '../../stacks/main';
import { CONSUMERS_ENV } from '../stacks/consumers-env';

const schema = (fields: object[]) => JSON.stringify(fields);
const col = (name: string, type: string, mode = 'NULLABLE', fields?: object[]) => ({
  name,
  type,
  mode,
  ...(fields ? { fields } : {}),
});

describe('the BigQuery schema rule (the provider’s CustomizeDiff)', () => {
  const base = [
    col('id', 'STRING', 'REQUIRED'),
    col('amount', 'NUMERIC'),
    col('meta', 'RECORD', 'NULLABLE', [col('a', 'STRING')]),
  ];

  test.each([
    ['adding a NULLABLE column', [...base, col('extra', 'STRING')]],
    ['adding a REPEATED column', [...base, col('tags', 'STRING', 'REPEATED')]],
    ['relaxing REQUIRED to NULLABLE', [col('id', 'STRING'), base[1], base[2]]],
    ['dropping a top-level column alone', [base[0], base[2]]],
    [
      'changing only a description',
      [{ ...col('id', 'STRING', 'REQUIRED'), description: 'new' }, base[1], base[2]],
    ],
    [
      'adding a nested NULLABLE column',
      [base[0], base[1], col('meta', 'RECORD', 'NULLABLE', [col('a', 'STRING'), col('b', 'INT64')])],
    ],
    [
      'spelling a type with its legacy name',
      [base[0], base[1], col('meta', 'STRUCT', 'NULLABLE', [col('a', 'STRING')])],
    ],
  ])('updates in place on %s', (_name, after) => {
    expect(bigQuerySchemaReplacements(schema(base), schema(after as object[]))).toEqual([]);
  });

  test.each([
    [
      'a type change',
      [base[0], col('amount', 'STRING'), base[2]],
      'schema: column amount changes type NUMERIC → STRING',
    ],
    [
      'tightening NULLABLE to REQUIRED',
      [base[0], col('amount', 'NUMERIC', 'REQUIRED'), base[2]],
      'schema: column amount changes mode NULLABLE → REQUIRED',
    ],
    [
      'a new REQUIRED column',
      [...base, col('must', 'STRING', 'REQUIRED')],
      'schema: new REQUIRED column must',
    ],
    [
      'a nested column dropped',
      [base[0], base[1], col('meta', 'RECORD', 'NULLABLE', [])],
      'schema: nested column meta.a dropped',
    ],
    [
      'a nested type change',
      [base[0], base[1], col('meta', 'RECORD', 'NULLABLE', [col('a', 'INT64')])],
      'schema: column meta.a changes type STRING → INTEGER',
    ],
    [
      'a rename (a drop and an add together)',
      [base[0], col('total', 'NUMERIC'), base[2]],
      'schema: top-level columns dropped and added in one change (a rename replaces the table)',
    ],
  ])('fails (replaces) on %s', (_name, after, reason) => {
    expect(bigQuerySchemaReplacements(schema(base), schema(after as object[]))).toContain(reason);
  });

  test('unparseable or unresolved schemas are not guessed at', () => {
    expect(bigQuerySchemaReplacements('${google_x.y.schema}', schema(base))).toEqual([]);
    expect(bigQuerySchemaReplacements(undefined, schema(base))).toEqual([]);
  });
});

describe('forceNewChanges', () => {
  test('a leaf that forces replacement, named in the reason', () => {
    expect(
      forceNewChanges('google_pubsub_subscription', { name: 'a', filter: 'x' }, { name: 'a', filter: 'y' }),
    ).toEqual(['filter forces replacement']);
    expect(
      forceNewChanges(
        'google_pubsub_subscription',
        { ack_deadline_seconds: 10 },
        { ack_deadline_seconds: 60 },
      ),
    ).toEqual([]);
  });

  test('a block replaces only when it appears, disappears or changes its number of items', () => {
    const table = { table_id: 't' };
    const key = (k: string) => ({ ...table, encryption_configuration: { kms_key_name: k } });
    expect(forceNewChanges('google_bigquery_table', table, key('k1'))).toEqual([
      'encryption_configuration added, which forces replacement',
    ]);
    expect(forceNewChanges('google_bigquery_table', key('k1'), table)).toEqual([
      'encryption_configuration removed, which forces replacement',
    ]);
    // Changing the key inside the block is an in-place update.
    expect(forceNewChanges('google_bigquery_table', key('k1'), key('k2'))).toEqual([]);
    const replicas = (n: number) => ({
      replication: {
        user_managed: { replicas: Array.from({ length: n }, (_, i) => ({ location: `l${i}` })) },
      },
    });
    expect(forceNewChanges('google_secret_manager_secret', replicas(1), replicas(2))).toContain(
      'replication.user_managed.replicas changes its items, which forces replacement',
    );
  });

  test('a forcing field inside a list block is compared item by item', () => {
    const secret = (location: string) => ({ replication: { user_managed: { replicas: [{ location }] } } });
    expect(forceNewChanges('google_secret_manager_secret', secret('a'), secret('b'))).toEqual([
      'replication.user_managed.replicas.location forces replacement',
    ]);
  });

  test('every argument of an IAM member forces replacement (the resource has no update)', () => {
    const m = { bucket: 'b', role: 'roles/storage.objectViewer', member: 'user:a@x.example' };
    expect(
      forceNewChanges('google_storage_bucket_iam_member', m, { ...m, role: 'roles/storage.objectAdmin' }),
    ).toEqual(['role forces replacement']);
    expect(
      forceNewChanges('google_storage_bucket_iam_member', m, {
        ...m,
        condition: { title: 't', expression: 'e' },
      }),
    ).toContain('condition added, which forces replacement');
  });

  test('a table’s schema rule and its leaves combine', () => {
    const before = {
      table_id: 't',
      time_partitioning: { field: 'a' },
      schema: schema([col('a', 'TIMESTAMP')]),
    };
    const after = { table_id: 't', time_partitioning: { field: 'b' }, schema: schema([col('a', 'DATE')]) };
    expect(forceNewChanges('google_bigquery_table', before, after)).toEqual([
      'time_partitioning.field forces replacement',
      'schema: column a changes type TIMESTAMP → DATE, which forces replacement',
    ]);
  });

  test('types without a rule report nothing (the preview notes that instead)', () => {
    expect(hasForceNewRule('google_compute_instance')).toBe(false);
    expect(forceNewChanges('google_compute_instance', { name: 'a' }, { name: 'b' })).toEqual([]);
  });
});

describe('the table', () => {
  test('names its provider release, and every rule its magic-modules source', () => {
    expect(FORCE_NEW_PROVIDER).toContain('6.50.0');
    for (const [type, rule] of Object.entries(FORCE_NEW)) {
      expect([type, rule.source]).toEqual([type, expect.stringMatching(/^mmv1\//)]);
      expect(rule.replaceOn.length).toBeGreaterThan(0);
    }
  });

  test('matches the provider version the stacks require, and covers every resource type the shipped app synthesizes, options on', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-force-new-'));
    try {
      buildApp({ outdir, environments: [...ENVIRONMENTS, CONSUMERS_ENV] }).synth();
      const dev = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks/dev/cdk.tf.json'), 'utf8'));
      expect(dev.terraform.required_providers.google.version).toBe('6.50.0');
      expect(dev.terraform.required_providers['google-beta'].version).toBe('6.50.0');
      const types = new Set(
        [...loadSnapshot(outdir).stacks.values()].flatMap((s) =>
          [...s.resources.values()].filter((r) => r.mode === 'managed').map((r) => r.type),
        ),
      );
      expect([...types].filter((t) => !hasForceNewRule(t))).toEqual([]);
      expect(types.size).toBeGreaterThan(15);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
