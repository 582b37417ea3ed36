/** The preview's parts over hand-written snapshots: pairing, cascades, IAM widening, policy and artifacts. */
import { CONTENT_SHA256_KEY, OBJECT_ROLE_KEY, UDF_OBJECT_ROLE } from '../../core/markers';
import { diffArtifacts } from '../../preview/artifacts';
import { diffGrants, roleBreadth } from '../../preview/iam';
import { diffPolicy } from '../../preview/policy';
import { changedPaths, diffResources } from '../../preview/resources';
import type { SnapshotFinding, SnapshotGrant, SnapshotResource, StackSnapshot } from '../../preview/snapshot';

function resource(address: string, path: string, config: Record<string, unknown>): SnapshotResource {
  const [type] = address.split('.') as [string];
  return { address, type, mode: 'managed', path, config };
}

function snapshot(parts: {
  resources?: SnapshotResource[];
  grants?: SnapshotGrant[];
  findings?: SnapshotFinding[];
  suppressions?: { id: string; path: string; reason: string }[];
  moves?: [string, string][];
}): StackSnapshot {
  return {
    name: 'prod',
    production: true,
    resources: new Map((parts.resources ?? []).map((r) => [r.address, r])),
    grants: parts.grants ?? [],
    findings: parts.findings ?? [],
    suppressions: parts.suppressions ?? [],
    moves: new Map(parts.moves ?? []),
  };
}

const topic = (address: string, path: string, name: string) =>
  resource(address, path, { name, project: 'p', labels: { a: '1' } });

describe('diffResources', () => {
  test('pairs by construct path first: an unchanged resource is not listed, a changed one is updated', () => {
    const base = snapshot({ resources: [topic('google_pubsub_topic.T_1', 's/T/Resource', 'orders')] });
    expect(diffResources(base, base)).toEqual([]);
    const head = snapshot({
      resources: [
        resource('google_pubsub_topic.T_1', 's/T/Resource', {
          name: 'orders',
          project: 'p',
          labels: { a: '2' },
        }),
      ],
    });
    expect(diffResources(base, head)).toEqual([
      expect.objectContaining({
        action: 'update',
        changed: ['labels.a'],
        reasons: [],
        protected: false,
        stateful: true,
      }),
    ]);
  });

  test('pairs what only one side has by GCP identity: a new construct path for the same topic is a replacement', () => {
    const base = snapshot({ resources: [topic('google_pubsub_topic.Old_1', 's/Old/Resource', 'orders')] });
    const head = snapshot({ resources: [topic('google_pubsub_topic.New_2', 's/New/Resource', 'orders')] });
    expect(diffResources(base, head)).toEqual([
      expect.objectContaining({
        action: 'replace',
        address: 'google_pubsub_topic.New_2',
        previousAddress: 'google_pubsub_topic.Old_1',
        changed: [],
      }),
    ]);
  });

  test('different identities are a destroy and a create, destroys listed first', () => {
    const base = snapshot({ resources: [topic('google_pubsub_topic.A_1', 's/A/Resource', 'a')] });
    const head = snapshot({ resources: [topic('google_pubsub_topic.B_2', 's/B/Resource', 'b')] });
    expect(diffResources(base, head).map((c) => `${c.action} ${c.address}`)).toEqual([
      'delete google_pubsub_topic.A_1',
      'create google_pubsub_topic.B_2',
    ]);
  });

  test('references to a renamed resource are compared at its new address', () => {
    const sub = (t: string) =>
      resource('google_pubsub_subscription.S_1', 's/S/Resource', {
        name: 'sub',
        project: 'p',
        topic: `\${google_pubsub_topic.${t}.id}`,
      });
    const base = snapshot({
      resources: [topic('google_pubsub_topic.Old_1', 's/Old/Resource', 'orders'), sub('Old_1')],
    });
    const head = snapshot({
      resources: [topic('google_pubsub_topic.New_2', 's/New/Resource', 'orders'), sub('New_2')],
    });
    const changes = diffResources(base, head);
    // The topic is replaced, so its id is new: the subscription's topic (ForceNew) replaces it too.
    expect(changes.map((c) => `${c.action} ${c.address} ${c.reasons.join('; ')}`)).toEqual([
      'replace google_pubsub_subscription.S_1 topic takes a new value from google_pubsub_topic.New_2, which is replaced, and forces replacement',
      expect.stringMatching(
        /^replace google_pubsub_topic\.New_2 address changed from google_pubsub_topic\.Old_1/,
      ),
    ]);
  });

  test('a reference to a configured, unchanged attribute of a replaced resource keeps its value', () => {
    const grant = resource('google_pubsub_topic_iam_member.G_1', 's/T/G', {
      project: '${google_pubsub_topic.T_1.project}',
      topic: 'fixed',
      role: 'roles/pubsub.publisher',
      member: 'user:a@x.example',
    });
    const base = snapshot({ resources: [topic('google_pubsub_topic.T_1', 's/T/Resource', 'a'), grant] });
    const head = snapshot({ resources: [topic('google_pubsub_topic.T_1', 's/T/Resource', 'b'), grant] });
    expect(diffResources(base, head).map((c) => `${c.action} ${c.address}`)).toEqual([
      'replace google_pubsub_topic.T_1',
    ]);
  });

  test('a reference to a computed attribute of a replaced resource updates a non-forcing argument', () => {
    const service = (image: string) =>
      resource('google_cloud_run_v2_service.Run_1', 's/Run/Resource', {
        name: 'svc',
        location: 'europe-west1',
        template: { service_account: '${google_service_account.Sa_1.email}', containers: [{ image }] },
      });
    const sa = (id: string) =>
      resource('google_service_account.Sa_1', 's/Sa/Resource', { account_id: id, project: 'p' });
    const changes = diffResources(
      snapshot({ resources: [sa('a'), service('i')] }),
      snapshot({ resources: [sa('b'), service('i')] }),
    );
    expect(changes.find((c) => c.type === 'google_cloud_run_v2_service')).toMatchObject({
      action: 'update',
      changed: ['template'],
      notes: ['template takes a new value from google_service_account.Sa_1, known after apply'],
    });
  });

  test('a moved block keeps the resource', () => {
    const base = snapshot({ resources: [topic('google_pubsub_topic.Old_1', 's/Old/Resource', 'orders')] });
    const head = snapshot({
      resources: [topic('google_pubsub_topic.New_2', 's/New/Resource', 'orders')],
      moves: [['google_pubsub_topic.Old_1', 'google_pubsub_topic.New_2']],
    });
    expect(diffResources(base, head)).toEqual([
      expect.objectContaining({
        action: 'update',
        notes: ['moved from google_pubsub_topic.Old_1 by a moved block'],
      }),
    ]);
  });

  test('protection is read from the resource before the change: deletion_protection or prevent_destroy', () => {
    const table = (dp: boolean) =>
      resource('google_bigquery_table.T_1', 's/T/Resource', {
        table_id: 't',
        dataset_id: 'd',
        deletion_protection: dp,
      });
    const bucket = resource('google_storage_bucket.B_1', 's/B/Resource', {
      name: 'b',
      lifecycle: { prevent_destroy: true },
    });
    const changes = diffResources(snapshot({ resources: [table(true), bucket] }), snapshot({}));
    expect(changes.map((c) => [c.action, c.type, c.protected])).toEqual([
      ['delete', 'google_bigquery_table', true],
      ['delete', 'google_storage_bucket', true],
    ]);
    expect(diffResources(snapshot({ resources: [table(false)] }), snapshot({}))[0]?.protected).toBe(false);
  });

  test('a type without a replacement rule says so on update', () => {
    const vm = (m: string) =>
      resource('google_compute_instance.V_1', 's/V/Resource', { name: 'v', machine_type: m });
    expect(
      diffResources(snapshot({ resources: [vm('a')] }), snapshot({ resources: [vm('b')] }))[0]?.notes,
    ).toEqual([
      'google_compute_instance has no replacement rule in preview/force-new.ts: an update may still be a replacement',
    ]);
  });

  test('changedPaths walks objects, compares lists whole, and ignores Terraform meta-arguments', () => {
    expect(
      changedPaths(
        { a: { b: 1, c: [1] }, depends_on: ['x'], lifecycle: {} },
        { a: { b: 2, c: [1, 2] }, depends_on: ['y'], lifecycle: { prevent_destroy: true } },
      ),
    ).toEqual(['a.b', 'a.c']);
  });
});

const grant = (
  principal: string,
  role: string,
  scope: 'resource' | 'project' = 'resource',
  resource = 'b',
): SnapshotGrant => ({
  principal,
  principalKind: principal.split(':')[0] ?? '',
  resourceType: scope === 'project' ? 'google_project' : 'google_storage_bucket',
  resource,
  role,
  scope,
  path: `s/${resource}/${role}`,
});

describe('diffGrants', () => {
  test('calls out a new principal, a broader role on the same resource, and project scope', () => {
    const base = snapshot({ grants: [grant('user:a@x.example', 'roles/storage.objectViewer')] });
    const head = snapshot({
      grants: [
        grant('user:a@x.example', 'roles/storage.objectViewer'),
        grant('user:a@x.example', 'roles/storage.objectAdmin'),
        grant('user:b@x.example', 'roles/storage.objectViewer'),
        grant('user:a@x.example', 'roles/bigquery.dataViewer', 'project', 'p'),
      ],
    });
    expect(diffGrants(base, head).map((g) => [g.principal, g.role, g.widening])).toEqual([
      ['user:a@x.example', 'roles/bigquery.dataViewer', ['project scope']],
      ['user:a@x.example', 'roles/storage.objectAdmin', ['broader role']],
      ['user:b@x.example', 'roles/storage.objectViewer', ['new principal']],
    ]);
  });

  test('a narrower role is added without widening; removals are listed last', () => {
    const base = snapshot({ grants: [grant('user:a@x.example', 'roles/storage.objectAdmin')] });
    const head = snapshot({ grants: [grant('user:a@x.example', 'roles/storage.objectViewer')] });
    expect(diffGrants(base, head).map((g) => [g.change, g.role, g.widening])).toEqual([
      ['added', 'roles/storage.objectViewer', []],
      ['removed', 'roles/storage.objectAdmin', []],
    ]);
  });

  test('roleBreadth ranks predefined roles by their last word', () => {
    expect(
      [
        'roles/bigquery.dataViewer',
        'roles/pubsub.publisher',
        'roles/bigquery.dataEditor',
        'roles/storage.admin',
      ].map(roleBreadth),
    ).toEqual([1, 2, 3, 4]);
  });
});

describe('diffPolicy and diffArtifacts', () => {
  const finding = (ruleId: string, path: string): SnapshotFinding => ({
    ruleId,
    level: 'warning',
    title: 't',
    path,
    detail: 'd',
  });

  test('new and resolved findings by rule and path; suppressions added', () => {
    const base = snapshot({ findings: [finding('R-1', 'a'), finding('R-2', 'b')] });
    const head = snapshot({
      findings: [finding('R-2', 'b'), finding('R-3', 'c')],
      suppressions: [{ id: 'R-3', path: 'c', reason: 'accepted for a reason long enough' }],
    });
    const changes = diffPolicy(base, head);
    expect(changes.added.map((f) => f.ruleId)).toEqual(['R-3']);
    expect(changes.resolved.map((f) => f.ruleId)).toEqual(['R-1']);
    expect(changes.suppressionsAdded.map((s) => s.id)).toEqual(['R-3']);
  });

  test('content-addressed objects are versioned by their hash; a team adds its own kind', () => {
    const udf = (hash: string) =>
      resource('google_storage_bucket_object.U_1', 's/U', {
        name: `udf/order/${hash}.js`,
        metadata: { [OBJECT_ROLE_KEY]: UDF_OBJECT_ROLE, [CONTENT_SHA256_KEY]: hash.repeat(4) },
      });
    expect(
      diffArtifacts(snapshot({ resources: [udf('aaaa')] }), snapshot({ resources: [udf('bbbb')] })),
    ).toEqual([
      {
        kind: 'Dataflow UDF',
        name: 'udf/order/',
        change: 'changed',
        before: 'aaaaaaaaaaaaaaaa',
        after: 'bbbbbbbbbbbbbbbb',
      },
    ]);
    const dags = {
      kind: 'Airflow DAG',
      extract: (rs: readonly SnapshotResource[]) =>
        new Map(
          rs
            .filter((r) => String(r.config.name).startsWith('dags/'))
            .map((r) => [String(r.config.name), String(r.config.md5hash)]),
        ),
    };
    const dag = (md5: string) =>
      resource('google_storage_bucket_object.D_1', 's/D', { name: 'dags/daily.py', md5hash: md5 });
    expect(
      diffArtifacts(snapshot({ resources: [dag('1')] }), snapshot({ resources: [dag('2')] }), [dags]),
    ).toEqual([{ kind: 'Airflow DAG', name: 'dags/daily.py', change: 'changed', before: '1', after: '2' }]);
    expect(diffArtifacts(snapshot({}), snapshot({ resources: [dag('2')] }), [dags])[0]?.change).toBe('added');
    expect(diffArtifacts(snapshot({ resources: [dag('2')] }), snapshot({}), [dags])[0]?.change).toBe(
      'removed',
    );
  });
});

describe('warehouse models in the preview', () => {
  const report = (shas: Record<string, string>) =>
    new Map([
      [
        'models.json',
        JSON.stringify({
          models: [
            {
              name: 'stg_order',
              kind: 'staging',
              target: 'staging.stg_order',
              dependsOn: ['order_v1'],
              sha256: shas.stg ?? 'a'.repeat(64),
            },
            {
              name: 'fact_daily_orders',
              kind: 'curated',
              target: 'curated.fact_daily_orders',
              dependsOn: ['stg_order'],
              sha256: shas.fact ?? 'b'.repeat(64),
            },
            {
              name: 'rpt',
              kind: 'custom',
              target: '(defined in definitions/custom/rpt.sqlx)',
              dependsOn: ['fact_daily_orders'],
              sha256: 'c'.repeat(64),
            },
            {
              name: 'stg_order__unique_key',
              kind: 'assertion',
              target: 'assertions.stg_order__unique_key',
              dependsOn: ['stg_order'],
              sha256: 'd'.repeat(64),
            },
          ],
        }),
      ],
    ]);
  const withReports = (reports: Map<string, string>) => ({ ...snapshot({}), reports });

  test('a changed model, with the tables it and its dependents rebuild; assertions are not tables', () => {
    const changes = diffArtifacts(withReports(report({})), withReports(report({ stg: 'e'.repeat(64) })));
    expect(changes).toEqual([
      {
        kind: 'Warehouse model',
        name: 'stg_order',
        change: 'changed',
        before: 'aaaaaaaaaaaaaaaa',
        after: 'eeeeeeeeeeeeeeee',
        consequence:
          'rebuilds (a full refresh applies the new definition to past data) staging.stg_order (staging), curated.fact_daily_orders (curated), (defined in definitions/custom/rpt.sqlx) (custom)',
      },
    ]);
  });

  test('a stack without models.json has no model changes', () => {
    expect(diffArtifacts(snapshot({}), snapshot({}))).toEqual([]);
    expect(diffArtifacts(snapshot({}), withReports(report({}))).map((c) => `${c.change} ${c.name}`)).toEqual([
      'added stg_order',
      'added fact_daily_orders',
      'added rpt',
      'added stg_order__unique_key',
    ]);
  });
});

describe('orchestration DAGs in the preview', () => {
  const report = (schedule: string | null, sha: string, runner = 'composer') =>
    new Map([
      [
        'dags.json',
        JSON.stringify({
          runner,
          dags: [{ dagId: 'trb_prod_incremental', schedule, description: 'Hourly models.', sha256: sha }],
        }),
      ],
    ]);
  const withReports = (reports: Map<string, string>) => ({ ...snapshot({}), reports });

  test('a changed schedule or source is a changed DAG, saying where and when it runs', () => {
    const changes = diffArtifacts(
      withReports(report('5 * * * *', 'a'.repeat(64))),
      withReports(report('15 * * * *', 'a'.repeat(64))),
    );
    expect(changes).toEqual([
      {
        kind: 'Orchestration DAG',
        name: 'trb_prod_incremental',
        change: 'changed',
        before: 'aaaaaaaaaaaaaaaa @ 5 * * * *',
        after: 'aaaaaaaaaaaaaaaa @ 15 * * * *',
        consequence: 'runs on Composer, on schedule 15 * * * *: Hourly models.',
      },
    ]);
    const source = diffArtifacts(
      withReports(report(null, 'a'.repeat(64), 'dataform-workflow-configs')),
      withReports(report(null, 'b'.repeat(64), 'dataform-workflow-configs')),
    );
    expect(source[0]).toMatchObject({
      after: 'bbbbbbbbbbbbbbbb @ on demand',
      consequence: 'runs as a Dataform workflow config, on demand: Hourly models.',
    });
  });
});
