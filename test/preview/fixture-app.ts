/**
 * Base/head fixture apps for the preview: one production stack and one dev stack of a small platform, with
 * switches for each kind of change a pull request makes. `synthFixture` synthesizes a variant into a temporary
 * directory and loads it as the preview reads any ref.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type Contract,
  DataBucket,
  DEFAULT_RULES,
  defineContract,
  EventStreams,
  EventTopic,
  field,
  PlatformFoundation,
  PlatformIngest,
  type PolicyRule,
  Principal,
  TributaryApp,
  TributaryStack,
  t,
} from '../../index';
import { type AppSnapshot, loadSnapshot } from '../../preview/snapshot';

const orderFields = [
  field('order_id', 'Order identifier.', t.string({ maxLength: 64 })),
  field('amount', 'Order total.', t.numeric({ precision: 18, scale: 2, min: '0' })),
  field('ordered_at', 'When the order was placed.', t.timestamp()),
];

export const order = defineContract({
  name: 'order',
  version: '1.0.0',
  tableVersion: 1,
  description: 'An order placed in the shop.',
  owner: 'shop@acme.example',
  fields: orderFields,
  key: ['order_id'],
  eventTime: 'ordered_at',
});

/** The same table version with `amount` turned into a string: the table's schema changes a column's type. */
export const orderAmountAsString = defineContract({
  name: 'order',
  version: '1.1.0',
  tableVersion: 1,
  description: 'An order placed in the shop.',
  owner: 'shop@acme.example',
  fields: [
    orderFields[0],
    field('amount', 'Order total, as text.', t.string({ maxLength: 40 })),
    orderFields[2],
  ].filter((f) => f !== undefined),
  key: ['order_id'],
  eventTime: 'ordered_at',
});

export const refund = defineContract({
  name: 'refund',
  version: '1.0.0',
  tableVersion: 1,
  description: 'A refund issued to a customer.',
  owner: 'payments@acme.example',
  fields: [
    field('refund_id', 'Refund identifier.', t.string({ maxLength: 64 })),
    field('refunded_at', 'When the refund was issued.', t.timestamp()),
  ],
  key: ['refund_id'],
  eventTime: 'refunded_at',
});

/** A team's own warning rule: every bucket says what class of data it holds. */
export const DATA_CLASS_RULE: PolicyRule = {
  id: 'ACME-GCS-1',
  level: 'warning',
  title: 'Buckets carry a data-class label',
  explanation: 'Retention and access reviews are driven by the data-class label.',
  references: ['none: a test rule'],
  check: (r) =>
    r.type !== 'google_storage_bucket'
      ? { status: 'not-applicable' }
      : (r.config.labels as Record<string, string> | undefined)?.['data-class']
        ? { status: 'compliant' }
        : { status: 'non-compliant', detail: 'no data-class label' },
};

export interface FixtureVariant {
  /** @default [order] */
  readonly contracts?: readonly Contract[];
  /** Construct id of the exports bucket (its name never changes). @default 'Exports' */
  readonly exportsId?: string;
  /** The reports bucket exists. @default true */
  readonly reports?: boolean;
  /** Where analysts read curated data. @default 'dataset' */
  readonly analysts?: 'dataset' | 'project';
  /** A scratch bucket exists (it has no data-class label). @default false */
  readonly scratch?: boolean;
  /** The audit topic's name. @default 'acme-audit' */
  readonly auditTopic?: string;
  /** The gateway image tag. @default '0123456789abcdef' */
  readonly imageTag?: string;
  /** The exports bucket has a moved block from this construct id. @default - none */
  readonly exportsMovedFrom?: string;
  /** The audit schema's one field. @default 'actor' */
  readonly auditSchemaField?: string;
  /** Dataflow delivery (a job and a UDF per stream) instead of BigQuery subscriptions. @default false */
  readonly dataflow?: boolean;
}

const ANALYSTS = Principal.fromMember('group:analysts@acme.example');

function environment(app: TributaryApp, name: 'dev' | 'prod', v: FixtureVariant): void {
  const project = `acme-shop-${name}`;
  const production = name === 'prod';
  const stack = new TributaryStack(app, name, {
    environment: name,
    production,
    project,
    region: 'europe-west1',
    labels: { environment: name, owner: 'shop', 'cost-center': 'shop', 'managed-by': 'tributary' },
    requiredLabels: ['environment', 'owner', 'cost-center', 'managed-by'],
    rules: [...DEFAULT_RULES, DATA_CLASS_RULE],
  });
  const foundation = new PlatformFoundation(stack, 'Platform', {
    project,
    region: 'europe-west1',
    dataLocation: 'EU',
    namePrefix: `shop-${name}`,
    production,
    deployer: Principal.serviceAccount(`shop-${name}-deployer@${project}.iam.gserviceaccount.com`),
    network: {
      network: `projects/${project}/global/networks/shop`,
      subnetwork: 'regions/europe-west1/subnetworks/shop-dataflow',
    },
  });
  const streams = new EventStreams(foundation, 'Streams', {
    foundation,
    delivery: v.dataflow
      ? { kind: 'dataflow', machineType: 'n2-standard-2', maxWorkers: 2, deadLetterExpirationDays: 30 }
      : { kind: 'bigquery-subscription' },
    contracts: v.contracts ?? [order],
  });
  new PlatformIngest(foundation, 'IngestGateway', {
    foundation,
    streams,
    image: `europe-west1-docker.pkg.dev/${project}/tributary/ingest:${v.imageTag ?? '0123456789abcdef'}`,
    maxInstances: 2,
  });
  const bucket = (id: string, suffix: string) =>
    new DataBucket(stack, id, {
      bucketName: `${project}-${suffix}`,
      location: 'EU',
      project,
      preventDestroy: production,
    });
  const exports = bucket(v.exportsId ?? 'Exports', 'exports');
  if (v.exportsMovedFrom) exports.resource.moveFromId(`google_storage_bucket.${v.exportsMovedFrom}_25637AFB`);
  if (v.reports ?? true) bucket('Reports', 'reports');
  if (v.scratch) bucket('Scratch', 'scratch');
  if ((v.analysts ?? 'dataset') === 'dataset') foundation.datasets.curated.grantDataViewer(ANALYSTS);
  else
    foundation.project.grantProjectWide(
      ANALYSTS,
      'roles/bigquery.dataViewer',
      'Analysts read every curated and staging table for the quarterly review',
    );
  new EventTopic(stack, 'Audit', {
    topicName: v.auditTopic ?? 'acme-audit',
    project,
    schema: {
      type: 'AVRO',
      definition: JSON.stringify({
        type: 'record',
        name: 'Audit',
        fields: [{ name: v.auditSchemaField ?? 'actor', type: 'string' }],
      }),
    },
  });
}

/** Synthesizes the variant (dev and prod) and loads it. */
export function synthFixture(variant: FixtureVariant = {}): AppSnapshot & { readonly outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-preview-fixture-'));
  const app = new TributaryApp({ outdir });
  environment(app, 'dev', variant);
  environment(app, 'prod', variant);
  app.synth();
  return { ...loadSnapshot(outdir), outdir };
}
