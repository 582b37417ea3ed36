import { GrantLedger } from '../../constructs/iam/grants';
import { PlatformFoundation } from '../../constructs/platform/foundation/foundation';
import { PlatformIngest, type PlatformIngestProps } from '../../constructs/platform/ingest/platform-ingest';
import { EventStreams } from '../../constructs/platform/streams/event-streams';
import { baseContract } from '../contracts/fixtures';
import { errorOf, resources, synth, testStack } from '../helpers';

const IMAGE = 'europe-west1-docker.pkg.dev/trb-test-project/tributary/ingest:0123456789abcdef';

function setup(settings: Partial<PlatformIngestProps> = {}) {
  const stack = testStack();
  const foundation = new PlatformFoundation(stack, 'Platform', {
    project: 'trb-test-project',
    region: 'europe-west1',
    dataLocation: 'EU',
    namePrefix: 'trb-tst',
    production: false,
  });
  const streams = new EventStreams(foundation, 'Streams', {
    foundation,
    delivery: { kind: 'bigquery-subscription' },
    contracts: [baseContract()],
  });
  const ingest = new PlatformIngest(foundation, 'IngestGateway', {
    foundation,
    streams,
    image: IMAGE,
    minInstances: 0,
    maxInstances: 2,
    ...settings,
  });
  return { stack, foundation, streams, ingest };
}

describe('PlatformIngest', () => {
  test('runs as its own workload identity: publish on each topic, its secrets and the artifacts bucket, and logs, metrics and traces project-wide', () => {
    const { stack, ingest } = setup();
    expect(ingest.node.path).toBe('test/Platform/IngestGateway');
    const rows = GrantLedger.of(stack)
      .records.filter((r) => r.principal.includes('trb-tst-ingest@'))
      .map((r) => `${r.scope} ${r.resource} ${r.role}`);
    expect(rows).toEqual([
      'project trb-test-project roles/cloudtrace.agent',
      'project trb-test-project roles/logging.logWriter',
      'project trb-test-project roles/monitoring.metricWriter',
      'resource trb-tst-sale roles/pubsub.publisher',
      'resource trb-test-project/trb-tst-ingest-api-keys roles/secretmanager.secretAccessor',
      'resource trb-test-project/trb-tst-ingest-metrics-config roles/secretmanager.secretAccessor',
      'resource trb-test-project-artifacts roles/storage.objectViewer',
    ]);
    const json = synth(stack);
    expect(resources(json, 'google_service_account').map((s) => s.account_id)).toEqual(['trb-tst-ingest']);
    const service = resources(json, 'google_cloud_run_v2_service')[0];
    expect(service?.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^google_pubsub_topic_iam_member\..*Grant-pubsubpublisher/),
      ]),
    );
  });

  test('invokers come from IAM member strings and are granted on the service only', () => {
    const { stack } = setup({ producers: ['serviceAccount:web@trb-web-1234.iam.gserviceaccount.com'] });
    const invokers = resources(synth(stack), 'google_cloud_run_v2_service_iam_member');
    expect(invokers).toEqual([
      expect.objectContaining({
        role: 'roles/run.invoker',
        member: 'serviceAccount:web@trb-web-1234.iam.gserviceaccount.com',
      }),
    ]);
  });

  test.each<[string, Partial<PlatformIngestProps>, string]>([
    [
      'an ordering key for a stream it does not have',
      { orderingKeys: { refund: 'id' } },
      'orderingKeys = ["refund"]: names streams this platform does not have',
    ],
    [
      'public access with a short reason',
      { access: { kind: 'public', reason: 'partners' } },
      'access.reason = "partners": must explain public access in at least 20 characters',
    ],
    [
      'a malformed producer',
      { producers: ['web@example.com'] },
      'producers[0] = "web@example.com": must be group:<email>',
    ],
    [
      'max below min instances',
      { minInstances: 3, maxInstances: 1 },
      'maxInstances = 1: must be a whole number from max(1, minInstances) to 1000',
    ],
    [
      'an unknown ingress',
      { ingress: 'everyone' as never },
      'ingress = "everyone": must be INGRESS_TRAFFIC_ALL',
    ],
  ])(
    'fails for %s, before creating anything, naming the construct it would be',
    (_case, settings, message) => {
      const error = errorOf(() => setup(settings));
      expect(error.message).toContain('test/Platform/IngestGateway (PlatformIngest)');
      expect(error.message).toContain(message);
    },
  );
});
