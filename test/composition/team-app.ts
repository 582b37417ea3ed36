/**
 * A composing team's platform, written only against Tributary's entry point: its own contract, its own app and
 * stack, the foundation with the landing bucket and raw dataset the team already has, the streams, the gateway,
 * and an existing partner topic the gateway identity may also publish to. Run as a program:
 * `tsx test/composition/team-app.ts <outdir>`.
 */
import {
  AnalyticsDataset,
  DataBucket,
  defineContract,
  EventStreams,
  EventTopic,
  field,
  PlatformFoundation,
  PlatformIngest,
  Principal,
  TributaryApp,
  TributaryStack,
  t,
} from 'tributary';

export const refund = defineContract({
  name: 'refund',
  version: '1.0.0',
  tableVersion: 1,
  description: 'A refund issued to a customer.',
  owner: 'payments-team@acme.example',
  fields: [
    field('refund_id', 'Refund identifier.', t.string({ maxLength: 64 })),
    field('amount', 'Refunded amount.', t.numeric({ precision: 18, scale: 2, min: '0' })),
    field('refunded_at', 'When the refund was issued.', t.timestamp()),
  ],
  key: ['refund_id'],
  eventTime: 'refunded_at',
});

export function buildTeamApp(outdir: string): TributaryApp {
  const app = new TributaryApp({ outdir });
  const stack = new TributaryStack(app, 'payments-dev', {
    environment: 'dev',
    production: false,
    project: 'acme-payments-dev',
    region: 'europe-west1',
    labels: { environment: 'dev', owner: 'payments', 'cost-center': 'payments', 'managed-by': 'tributary' },
    requiredLabels: ['environment', 'owner', 'cost-center', 'managed-by'],
  });
  const foundation = new PlatformFoundation(stack, 'Platform', {
    project: 'acme-payments-dev',
    region: 'europe-west1',
    dataLocation: 'EU',
    namePrefix: 'pay-dev',
    production: false,
    deployer: Principal.serviceAccount('pay-dev-deployer@acme-payments-dev.iam.gserviceaccount.com'),
    buckets: { landing: DataBucket.fromBucketName(stack, 'Landing', 'acme-payments-dev-uploads') },
    datasets: {
      raw: AnalyticsDataset.fromDatasetId(stack, 'Raw', {
        datasetId: 'payments_raw',
        project: 'acme-payments-dev',
        layer: 'raw',
        location: 'EU',
      }),
    },
  });
  const streams = new EventStreams(foundation, 'Streams', {
    foundation,
    delivery: { kind: 'bigquery-subscription' },
    contracts: [refund],
  });
  const ingest = new PlatformIngest(foundation, 'IngestGateway', {
    foundation,
    streams,
    image: 'europe-west1-docker.pkg.dev/acme-payments-dev/tributary/ingest:0123456789abcdef',
    maxInstances: 2,
    producers: ['serviceAccount:checkout@acme-web-prod.iam.gserviceaccount.com'],
  });
  const partners = EventTopic.fromTopicName(stack, 'PartnerRefunds', 'partner-refunds', 'acme-partners-prod');
  partners.grantPublish(ingest.identity);
  return app;
}

if (require.main === module) buildTeamApp(process.argv[2] ?? 'cdktf.out').synth();
