/**
 * The offline preview over base/head fixture apps: each kind of change a pull request makes shows up in the
 * Markdown and the JSON, and the exit code gates exactly the destroys and replacements of protected resources.
 */
import * as fs from 'node:fs';
import { checkCompatibility } from '../../contracts/compat/index';
import type { Contract } from '../../contracts/model';
import { COMMENT_MARKER, renderJson, renderMarkdown } from '../../preview/render';
import { buildPreview, PREVIEW_BLOCKED_EXIT_CODE, type PreviewReport } from '../../preview/report';
import { type FixtureVariant, order, orderAmountAsString, refund, synthFixture } from './fixture-app';

const synthesized = new Map<string, ReturnType<typeof synthFixture>>();
function fixture(variant: FixtureVariant = {}) {
  const key = JSON.stringify(variant, (_k, v) =>
    v && v.kind === 'tributary.event-contract' ? `${v.name}@${v.version}` : v,
  );
  let snapshot = synthesized.get(key);
  if (!snapshot) {
    snapshot = synthFixture(variant);
    synthesized.set(key, snapshot);
  }
  return snapshot;
}

afterAll(() => {
  for (const s of synthesized.values()) fs.rmSync(s.outdir, { recursive: true, force: true });
});

function preview(head: FixtureVariant, options: { acknowledged?: boolean; base?: FixtureVariant } = {}) {
  const contracts = (v: FixtureVariant): readonly Contract[] => v.contracts ?? [order];
  const report = buildPreview(fixture(options.base ?? {}), fixture(head), {
    base: 'main',
    head: 'feature',
    contracts: checkCompatibility(contracts(options.base ?? {}), contracts(head)),
    acknowledged: options.acknowledged ?? false,
  });
  const json = JSON.parse(renderJson(report)) as PreviewReport & { formatVersion: number };
  // The JSON is the whole report, versioned: whatever the Markdown shows, machines get too.
  expect(json).toEqual({ formatVersion: 1, ...JSON.parse(JSON.stringify(report)) });
  expect(json.exitCode).toBe(report.exitCode);
  return { report, markdown: renderMarkdown(report), json };
}

const stack = (r: PreviewReport, name: string) => {
  const s = r.stacks.find((x) => x.name === name);
  if (!s) throw new Error(`no stack ${name}`);
  return s;
};

describe('fixture pairs', () => {
  test('a no-op: every stack on one line, a passing verdict, exit 0', () => {
    const { report, markdown, json } = preview({});
    expect(report.verdict).toBe('no changes in 2 stacks');
    expect(report.exitCode).toBe(0);
    expect(report.stacks.map((s) => s.status)).toEqual(['unchanged', 'unchanged']);
    expect(markdown).toBe(
      `${COMMENT_MARKER}\n\n### Tributary preview: \`main\` → \`feature\`\n\n✅ **no changes in 2 stacks**\n\nNo changes: dev, prod.\n`,
    );
    expect(json).toMatchObject({
      formatVersion: 1,
      exitCode: 0,
      destructive: [],
      blocking: [],
      contracts: [],
    });
  });

  test('a new stream: its topic, schema, subscriptions, table and grants are created, nothing destroyed', () => {
    const { report, markdown, json } = preview({ contracts: [order, refund] });
    const prod = stack(report, 'prod');
    // The gateway's manifest is content-addressed: a new object replaces the old one (name forces it).
    expect(prod.resources.filter((r) => r.action !== 'create')).toEqual([
      expect.objectContaining({
        action: 'replace',
        type: 'google_storage_bucket_object',
        path: 'prod/Platform/IngestGateway/Manifest/Resource',
        reasons: ['name forces replacement', 'metadata forces replacement'],
      }),
      expect.objectContaining({ action: 'update', type: 'google_cloud_run_v2_service' }),
    ]);
    const created = prod.resources.filter((r) => r.action === 'create').map((r) => r.type);
    for (const type of [
      'google_pubsub_topic',
      'google_pubsub_schema',
      'google_pubsub_subscription',
      'google_bigquery_table',
    ])
      expect(created).toContain(type);
    expect(
      prod.resources.find((r) => r.action === 'create' && r.type === 'google_bigquery_table')?.path,
    ).toBe('prod/Platform/Streams/refund/Table/Resource');
    // The gateway's manifest (content-addressed) is a new object, and the service picks it up in place.
    expect(prod.artifacts).toEqual([
      expect.objectContaining({ kind: 'Gateway manifest', change: 'changed' }),
    ]);
    expect(report.destructive.filter((d) => d.type !== 'google_storage_bucket_object')).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.contracts).toEqual([
      expect.objectContaining({ name: 'refund', status: 'added', breaking: [] }),
    ]);
    expect(markdown).toContain('| `refund` | added 1.0.0 | new-table | compatible | valid |  |');
    expect(markdown).toContain('stream refund');
    expect(json.stacks.find((s) => s.name === 'prod')?.counts.create).toBe(prod.counts.create);
  });

  test('a renamed construct: a replacement of the resource at its new address, blocked when protected', () => {
    const { report, markdown } = preview({ exportsId: 'ExportFiles' });
    const prod = stack(report, 'prod');
    const bucket = prod.resources.find((r) => r.type === 'google_storage_bucket');
    expect(bucket).toMatchObject({
      action: 'replace',
      address: expect.stringMatching(/^google_storage_bucket\.ExportFiles_/),
      previousAddress: expect.stringMatching(/^google_storage_bucket\.Exports_/),
      protected: true,
      stateful: true,
    });
    expect(prod.resources.filter((r) => r.action === 'delete' || r.action === 'create')).toEqual([]);
    expect(report.blocking.map((b) => `${b.stack} ${b.address}`)).toEqual([`prod ${bucket?.address}`]);
    expect(report.exitCode).toBe(PREVIEW_BLOCKED_EXIT_CODE);
    expect(report.verdict).toMatch(/^BLOCKED: 1 protected resource destroyed or replaced \(prod\)/);
    expect(markdown).toContain('⛔ **BLOCKED');
    expect(markdown).toMatch(
      /\| prod \| replace \(\*\*protected\*\*, stateful\) \| `google_storage_bucket\.ExportFiles_\w+` \| address changed from google_storage_bucket\.Exports_/,
    );
    // dev's bucket is not protected: a replacement, listed, not blocking.
    expect(stack(report, 'dev').resources[0]).toMatchObject({ action: 'replace', protected: false });
  });

  test('a renamed construct with a moved block is moved, not replaced', () => {
    const { report } = preview({ exportsId: 'ExportFiles', exportsMovedFrom: 'Exports' });
    const bucket = stack(report, 'prod').resources.find((r) => r.type === 'google_storage_bucket');
    expect(bucket).toMatchObject({
      action: 'update',
      notes: [expect.stringMatching(/^moved from google_storage_bucket\.Exports_/)],
    });
    expect(report.exitCode).toBe(0);
  });

  test('a ForceNew change on a table: a column type change replaces the protected raw table', () => {
    const { report, markdown } = preview({ contracts: [orderAmountAsString] });
    const table = stack(report, 'prod').resources.find(
      (r) => r.path === 'prod/Platform/Streams/order/Table/Resource',
    );
    expect(table).toMatchObject({ action: 'replace', protected: true, stateful: true });
    expect(table?.reasons).toContain(
      'schema: column amount changes type NUMERIC → STRING, which forces replacement',
    );
    expect(report.exitCode).toBe(PREVIEW_BLOCKED_EXIT_CODE);
    expect(markdown).toContain(
      'schema: column amount changes type NUMERIC → STRING, which forces replacement',
    );
    // dev tables have no deletion protection: replaced, not blocking.
    expect(stack(report, 'dev').resources.find((r) => r.type === 'google_bigquery_table')).toMatchObject({
      action: 'replace',
      protected: false,
    });
  });

  test('a ForceNew change on a topic schema: renaming the topic replaces the schema, the topic, its DLQ and the grants on them', () => {
    const { report } = preview({ auditTopic: 'acme-audit-v2' });
    const prod = stack(report, 'prod');
    const schema = prod.resources.find((r) => r.type === 'google_pubsub_schema');
    expect(schema).toMatchObject({ action: 'replace', reasons: ['name forces replacement'], stateful: true });
    const replaced = prod.resources
      .filter((r) => r.action === 'replace')
      .map((r) => r.type)
      .sort();
    expect(replaced).toEqual([
      'google_pubsub_schema',
      'google_pubsub_subscription',
      'google_pubsub_topic',
      'google_pubsub_topic',
      'google_pubsub_topic_iam_member',
    ]);
    const grant = prod.resources.find((r) => r.type === 'google_pubsub_topic_iam_member');
    expect(grant?.reasons[0]).toMatch(
      /^topic takes a new value from google_pubsub_topic\.Audit_DeadLetterTopic_\w+, which is replaced, and forces replacement$/,
    );
    // Not protected (topics carry no deletion protection): listed, exit 0.
    expect(report.exitCode).toBe(0);
    expect(report.verdict).toBe('10 other destroys or replacements; 2 of 2 stacks changed');
  });

  test('a topic schema definition change is a new revision in place, not a replacement', () => {
    const { report } = preview({ auditSchemaField: 'subject' });
    const schema = stack(report, 'prod').resources.find((r) => r.type === 'google_pubsub_schema');
    expect(schema).toMatchObject({
      action: 'update',
      changed: ['definition'],
      notes: ['a new definition commits a new schema revision in place (at most 20 revisions)'],
    });
    expect(report.destructive).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  test('a destroyed bucket: blocked without acknowledgement, passing with it, warnings kept either way', () => {
    const blocked = preview({ reports: false });
    expect(blocked.report.blocking).toEqual([
      expect.objectContaining({
        stack: 'prod',
        action: 'delete',
        type: 'google_storage_bucket',
        protected: true,
      }),
    ]);
    expect(blocked.report.exitCode).toBe(PREVIEW_BLOCKED_EXIT_CODE);
    expect(blocked.markdown).toContain('> [!CAUTION]');
    expect(blocked.markdown).toMatch(
      /\| prod \| destroy \(\*\*protected\*\*, stateful\) \| `google_storage_bucket\.Reports_\w+` \| removed from the configuration \|/,
    );
    const acknowledged = preview({ reports: false }, { acknowledged: true });
    expect(acknowledged.report.exitCode).toBe(0);
    expect(acknowledged.report.verdict).toMatch(
      /^acknowledged: 1 protected resource destroyed or replaced \(prod\)/,
    );
    expect(acknowledged.markdown).not.toContain('[!CAUTION]');
    expect(acknowledged.markdown).toContain('#### Destroys and replacements');
    expect(acknowledged.json.acknowledged).toBe(true);
  });

  test('an IAM grant widened to project scope: called out, with the suppression that allowed it', () => {
    const { report, markdown } = preview({ analysts: 'project' });
    const prod = stack(report, 'prod');
    expect(prod.grants).toEqual([
      expect.objectContaining({
        change: 'added',
        principal: 'group:analysts@acme.example',
        role: 'roles/bigquery.dataViewer',
        scope: 'project',
        widening: ['project scope'],
        justification: 'Analysts read every curated and staging table for the quarterly review',
      }),
      expect.objectContaining({
        change: 'removed',
        principal: 'group:analysts@acme.example',
        scope: 'resource',
      }),
    ]);
    expect(prod.policy.suppressionsAdded).toEqual([
      expect.objectContaining({
        id: 'TRB-IAM-5',
        reason: 'Analysts read every curated and staging table for the quarterly review',
      }),
    ]);
    expect(markdown).toContain('#### IAM widened');
    expect(markdown).toContain(
      '| prod | `group:analysts@acme.example` | `roles/bigquery.dataViewer` on project acme-shop-prod | **project scope** |',
    );
    expect(markdown).toContain('suppression added: `TRB-IAM-5`');
    // The dataset grant it replaces is destroyed, which is not protected: listed, exit 0.
    expect(report.exitCode).toBe(0);
  });

  test('a breaking contract change: the verdicts per contract, flagged in the verdict line', () => {
    const { report, markdown, json } = preview({ contracts: [orderAmountAsString] });
    expect(report.contractsBreaking).toBe(true);
    expect(report.contracts).toEqual([
      expect.objectContaining({
        name: 'order',
        status: 'changed',
        table: expect.objectContaining({ verdict: 'replace' }),
      }),
    ]);
    expect(report.verdict).toContain('a breaking contract change');
    // The topic schema stays compatible (numeric travels as a string on the wire); the table and old events do not.
    expect(markdown).toContain(
      '| `order` | changed 1.0.0 → 1.1.0 | replace | compatible | **rejected** | table order_v1 would be replaced (its data dropped); declare a migration by raising tableVersion to 2;',
    );
    expect(json.contractsBreaking).toBe(true);
    // The replaced raw table is protected in prod.
    expect(report.exitCode).toBe(PREVIEW_BLOCKED_EXIT_CODE);
  });

  test('a new policy finding: listed at the top, counted per environment', () => {
    const { report, markdown } = preview({ scratch: true });
    expect(stack(report, 'prod').policy.added).toEqual([
      expect.objectContaining({ ruleId: 'ACME-GCS-1', level: 'warning', path: 'prod/Scratch/Resource' }),
    ]);
    expect(stack(report, 'prod').policy.resolved).toEqual([]);
    expect(markdown).toContain(
      '#### New policy findings\n\n- dev: warning `ACME-GCS-1` Buckets carry a data-class label at `dev/Scratch/Resource`',
    );
    expect(markdown).toContain('| prod (production) | changed | 1 / 0 / 0 / 0 | 0 | 1 / 0 / 0 | 0 |');
    expect(report.exitCode).toBe(0);
  });

  test('a changed runtime image: the code change, and the service updated in place', () => {
    const { report, markdown } = preview({ imageTag: 'fedcba9876543210' });
    const prod = stack(report, 'prod');
    expect(prod.artifacts).toEqual([
      {
        kind: 'Runtime image',
        name: 'shop-prod-ingest/app',
        change: 'changed',
        before: 'europe-west1-docker.pkg.dev/acme-shop-prod/tributary/ingest:0123456789abcdef',
        after: 'europe-west1-docker.pkg.dev/acme-shop-prod/tributary/ingest:fedcba9876543210',
      },
    ]);
    expect(prod.resources).toEqual([
      expect.objectContaining({
        action: 'update',
        type: 'google_cloud_run_v2_service',
        changed: ['template.containers'],
      }),
    ]);
    expect(markdown).toContain('- Runtime image `shop-prod-ingest/app`: changed');
    expect(report.destructive).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  test('a changed UDF: the contract change ships new UDF code under a new content hash', () => {
    const { report } = preview(
      { contracts: [order], dataflow: true },
      { base: { dataflow: true, contracts: [order] } },
    );
    expect(report.stacks.every((s) => s.status === 'unchanged')).toBe(true);
    const changed = preview(
      { contracts: [orderAmountAsString], dataflow: true },
      { base: { dataflow: true } },
    );
    const udf = stack(changed.report, 'prod').artifacts.filter((a) => a.kind === 'Dataflow UDF');
    expect(udf).toEqual([
      expect.objectContaining({ name: expect.stringContaining('order'), change: 'changed' }),
    ]);
    expect(udf[0]?.before).not.toBe(udf[0]?.after);
    expect(changed.markdown).toMatch(
      /- Dataflow UDF `[^`]*order[^`]*`: changed `[0-9a-f]{16}` → `[0-9a-f]{16}`/,
    );
  });
});
