import { Principal } from '../../constructs/iam/principal';
import { PlatformFoundation } from '../../constructs/platform/foundation/foundation';
import { type DataflowDelivery, EventStreams } from '../../constructs/platform/streams/event-streams';
import { baseContract } from '../contracts/fixtures';
import { errorOf, resources, synth, testStack } from '../helpers';

const network = {
  network: 'projects/trb-test-project/global/networks/tributary',
  subnetwork: 'regions/europe-west1/subnetworks/dataflow',
};
const dataflow: DataflowDelivery = {
  kind: 'dataflow',
  machineType: 'n2-standard-2',
  maxWorkers: 2,
  deadLetterExpirationDays: 7,
};

function setup(withNetwork = true) {
  const stack = testStack();
  const deployer = Principal.serviceAccount('trb-tst-deployer@trb-test-project.iam.gserviceaccount.com');
  const foundation = new PlatformFoundation(stack, 'Platform', {
    project: 'trb-test-project',
    region: 'europe-west1',
    dataLocation: 'EU',
    namePrefix: 'trb-tst',
    production: false,
    deployer,
    ...(withNetwork ? { network } : {}),
  });
  return { stack, foundation, deployer };
}

describe('EventStreams', () => {
  test('with BigQuery-subscription delivery, each stream writes its raw table from Pub/Sub', () => {
    const { stack, foundation } = setup();
    const streams = new EventStreams(foundation, 'Streams', {
      foundation,
      delivery: { kind: 'bigquery-subscription' },
      contracts: [baseContract()],
    });
    const json = synth(stack);
    expect(Object.keys(streams.streams)).toEqual(['sale']);
    expect(resources(json, 'google_pubsub_subscription').map((s) => s.name)).toEqual(
      expect.arrayContaining(['trb-tst-sale-bq', 'trb-tst-sale-archive', 'trb-tst-sale-dlq-sub']),
    );
    expect(resources(json, 'google_dataflow_flex_template_job')).toEqual([]);
  });

  test('with Dataflow delivery, each job runs in the foundation VPC and launches after the deployer may act as its worker', () => {
    const { stack, foundation, deployer } = setup();
    const streams = new EventStreams(foundation, 'Streams', {
      foundation,
      delivery: dataflow,
      contracts: [baseContract()],
    });
    const job = streams.streams.sale?.pipeline?.job;
    if (!job) throw new Error('no Dataflow job for the sale stream');
    const json = synth(stack);
    const resource = resources(json, 'google_dataflow_flex_template_job')[0];
    expect(resource).toMatchObject({
      name: 'trb-tst-sale',
      max_workers: 2,
      machine_type: 'n2-standard-2',
      network: network.network,
      subnetwork: network.subnetwork,
    });
    const actAs = resources(json, 'google_service_account_iam_member').filter((m) =>
      String(m.service_account_id).includes(job.identity.resource.friendlyUniqueId),
    );
    expect(actAs).toEqual([
      expect.objectContaining({ role: 'roles/iam.serviceAccountUser', member: deployer.iamMember }),
    ]);
    expect(resource?.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^google_service_account_iam_member\..*WorkerIdentity_Grant-iamserviceAccountUser/,
        ),
      ]),
    );
    expect(streams.streams.sale?.deadLetterTable?.tableId).toBe('sale_v1_dead_letter');
  });

  test('fails Dataflow delivery when the foundation has no network, naming the field to set', () => {
    const { foundation } = setup(false);
    const error = errorOf(
      () =>
        new EventStreams(foundation, 'Streams', {
          foundation,
          delivery: dataflow,
          contracts: [baseContract()],
        }),
    );
    expect(error.message).toContain('test/Platform/Streams (EventStreams)');
    expect(error.message).toContain('foundation.network = (not set): is required with dataflow delivery');
  });

  test('fails every invalid setting at once', () => {
    const { foundation } = setup();
    const error = errorOf(
      () =>
        new EventStreams(foundation, 'Streams', {
          foundation,
          delivery: { ...dataflow, maxWorkers: 0, machineType: 'huge', templateVersion: 'newest' },
          maxDeliveryAttempts: 4,
          topicRetentionHours: 0,
          contracts: [baseContract()],
        }),
    );
    expect(error.message.split('\n').slice(1)).toEqual([
      '  - topicRetentionHours = 0: must be a whole number of hours from 1 to 744 (31 days)',
      '  - maxDeliveryAttempts = 4: must be a whole number from 5 to 100 (the Pub/Sub limits)',
      '  - delivery.machineType = "huge": must be a Compute Engine machine type such as n2-standard-4 or e2-custom-4-16384',
      '  - delivery.maxWorkers = 0: must be a whole number from 1 to 1000',
      '  - delivery.templateVersion = "newest": must be "latest" or a release folder such as 2025-01-14-00_RC00',
    ]);
  });

  test('fails an unknown delivery kind', () => {
    const { foundation } = setup();
    const error = errorOf(
      () =>
        new EventStreams(foundation, 'Streams', {
          foundation,
          delivery: { kind: 'kafka' } as never,
          contracts: [baseContract()],
        }),
    );
    expect(error.message).toContain('delivery.kind = "kafka": must be "bigquery-subscription" or "dataflow"');
  });
});
