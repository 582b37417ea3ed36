import { GrantLedger } from '../../constructs/iam/grants';
import { StreamingPlatform } from '../../constructs/platform/streaming-platform';
import { dagSource } from '../../orchestration/airflow';
import { order } from '../../stacks/contracts/order';
import { errorOf, only, resources, synth, testStack } from '../helpers';

const PLACEMENT = {
  project: 'trb-test-project',
  projectNumber: '123456789012',
  region: 'europe-west1',
  dataLocation: 'EU',
  namePrefix: 'trb-tst',
  production: false,
} as const;

function platform(orchestration: Record<string, unknown>, withModels = true) {
  const stack = testStack();
  const p = new StreamingPlatform(stack, 'Platform', {
    ...PLACEMENT,
    streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [order] },
    ...(withModels
      ? { models: { git: { url: 'https://example.com/models.git', branch: 'dataform/test' } } }
      : {}),
    loader: { image: 'europe-west1-docker.pkg.dev/trb-test-project/tributary/loader:0123456789abcdef' },
    orchestration,
  });
  return { stack, p, json: synth(stack) };
}

describe('PlatformOrchestration', () => {
  test('with Composer: the environment, one content-hashed DAG object per DAG, and exactly the DAGs’ grants', () => {
    const { stack, p, json } = platform({ composer: { webServerAllowedRanges: ['10.0.0.0/8'] } });
    expect(stack.policy.errors).toEqual([]);
    const env = only(json, 'google_composer_environment') as {
      config: { software_config: { env_variables: Record<string, string> } };
    };
    expect(env.config.software_config.env_variables.TRIBUTARY_RELEASE_VARS).toContain('jsonencode');
    const objects = resources(json, 'google_storage_bucket_object').filter((o) =>
      String(o.name).startsWith('dags/'),
    );
    const graph = p.orchestration?.graph ?? [];
    expect(objects).toHaveLength(graph.length);
    for (const dag of graph) {
      const object = objects.find((o) => String(o.name).startsWith(`dags/${dag.dagId}-`));
      expect(object?.name).toMatch(new RegExp(`^dags/${dag.dagId}-[0-9a-f]{16}\\.py$`));
      expect(object?.content).toBe(dagSource(dag, p.orchestration?.targets ?? ({} as never)));
    }
    const grants = GrantLedger.of(stack)
      .records.filter(
        (r) => r.principal === 'serviceAccount:trb-tst-orchestrator@trb-test-project.iam.gserviceaccount.com',
      )
      .map((r) => `${r.resourceType} ${r.resource} ${r.role}`)
      .sort();
    expect(grants).toEqual([
      'google_cloud_run_v2_job europe-west1/trb-tst-loader roles/run.jobsExecutorWithOverrides',
      'google_dataform_repository trb-tst-models roles/dataform.editor',
      'google_project trb-test-project roles/composer.worker',
      'google_service_account trb-tst-dataform@trb-test-project.iam.gserviceaccount.com roles/iam.serviceAccountUser',
      'google_storage_bucket trb-test-project-composer roles/storage.objectAdmin',
      'google_storage_bucket trb-test-project-landing roles/storage.objectViewer',
    ]);
  });

  test('without Composer: the graph’s scheduled model runs become Dataform workflow configs', () => {
    const { json } = platform({});
    expect(resources(json, 'google_composer_environment')).toEqual([]);
    expect(
      resources(json, 'google_dataform_repository_workflow_config').map((w) => [w.name, w.cron_schedule]),
    ).toEqual([
      ['dag-trb-tst-data-quality', '30 2 * * *'],
      ['dag-trb-tst-incremental', '5 * * * *'],
    ]);
  });

  test('fails without models, which it runs', () => {
    expect(errorOf(() => platform({}, false)).message).toContain(
      'orchestration runs the warehouse models; set models too',
    );
  });
});
