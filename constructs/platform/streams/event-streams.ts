import { Construct } from 'constructs';
import type { ContractLock } from '../../../contracts/lock';
import type { Contract } from '../../../contracts/model';
import {
  checkRegionalKey,
  DELIVERY_ATTEMPTS,
  MACHINE_TYPE,
  MAX_WORKERS,
  RETENTION_DAYS,
  TEMPLATE_VERSION,
  TOPIC_RETENTION_HOURS,
} from '../../../core/gcp';
import type { Checks } from '../../../core/validation';
import type { IWritableTable } from '../../bigquery/table-grants';
import { describeGroup } from '../../core/architecture';
import { constructChecks } from '../../core/validation';
import type { IEventTopic } from '../../pubsub/event-topic';
import type { DeployerRole, IPlatformFoundation, NetworkSettings } from '../foundation/foundation';
import { planContracts } from './contract-guard';
import { EventStream } from './event-stream';

/** Dataflow delivery: a Pub/Sub-to-BigQuery Flex Template job per stream, validating with the contract's UDF. */
export interface DataflowDelivery {
  readonly kind: 'dataflow';
  /** Worker machine type. Changing it updates running jobs in place. */
  readonly machineType: string;
  /** Autoscaling ceiling per job. Changing it replaces (drains and relaunches) every job. */
  readonly maxWorkers: number;
  /** Days rows stay in the dead-letter tables. */
  readonly deadLetterExpirationDays: number;
  /** Release folder of Google's templates, for example `2025-01-14-00_RC00`. @default 'latest' */
  readonly templateVersion?: string;
  /** Regional Cloud KMS key (in the platform's region) for job state. @default - Google-managed encryption */
  readonly encryptionKey?: string;
}

/** How events reach their raw tables. */
export type StreamsDelivery =
  /** Pub/Sub writes each raw table directly with the topic schema (no UDF validation beyond the schema). */
  { readonly kind: 'bigquery-subscription' } | DataflowDelivery;

/** The `streams` section of an environment file. */
export interface StreamsSettings {
  readonly delivery: StreamsDelivery;
  /** Hours each topic keeps messages for replay. @default 24 */
  readonly topicRetentionHours?: number;
  /** Delivery attempts before a message is dead-lettered. @default 5 */
  readonly maxDeliveryAttempts?: number;
}

export interface EventStreamsProps extends StreamsSettings {
  readonly foundation: IPlatformFoundation;
  /** Event contracts; each becomes a stream. */
  readonly contracts: readonly Contract[];
  /**
   * The released contracts. Synth refuses a change that would replace a protected raw table, and keeps the
   * tables of retired table versions. @default - no lock: every contract is treated as new
   */
  readonly contractLock?: ContractLock;
}

/** The streams as other capabilities use them: each stream's contract and topic, by contract name. */
export interface IEventStreams {
  /** By contract name; `table` is the raw table (of the current table version), when the streams created it. */
  readonly streams: Readonly<
    Record<string, { readonly contract: Contract; readonly topic: IEventTopic; readonly table?: IRawTable }>
  >;
}

/** A stream's raw table as other capabilities use it: its id (in the foundation's raw dataset) and grants. */
export interface IRawTable extends IWritableTable {
  readonly tableId: string;
}

/** Where the checks find the foundation values the streams depend on. */
export interface StreamsContext {
  readonly region: string;
  readonly network?: NetworkSettings;
  /** The field that names the network in the error (`network` on the construct, `foundation.network` in a file). */
  readonly networkField: string;
}

/** The streams' rules, for the construct and for the `streams` section of an environment file. */
export function checkStreamsSettings(
  c: Checks,
  s: StreamsSettings,
  prefix: string,
  context: StreamsContext,
): void {
  const kind = (s.delivery as { kind?: unknown } | undefined)?.kind;
  c.rule(`${prefix}delivery.kind`, kind, 'must be "bigquery-subscription" or "dataflow"', (k) =>
    ['bigquery-subscription', 'dataflow'].includes(k as string),
  );
  c.require(`${prefix}delivery`, s.delivery);
  c.check(`${prefix}topicRetentionHours`, s.topicRetentionHours, TOPIC_RETENTION_HOURS);
  c.check(`${prefix}maxDeliveryAttempts`, s.maxDeliveryAttempts, DELIVERY_ATTEMPTS);
  if (s.delivery?.kind !== 'dataflow') return;
  const d = s.delivery;
  const at = `${prefix}delivery`;
  c.require(`${at}.machineType`, d.machineType).check(`${at}.machineType`, d.machineType, MACHINE_TYPE);
  c.require(`${at}.maxWorkers`, d.maxWorkers).check(`${at}.maxWorkers`, d.maxWorkers, MAX_WORKERS);
  c.require(`${at}.deadLetterExpirationDays`, d.deadLetterExpirationDays);
  c.check(`${at}.deadLetterExpirationDays`, d.deadLetterExpirationDays, RETENTION_DAYS);
  c.check(`${at}.templateVersion`, d.templateVersion, TEMPLATE_VERSION);
  checkRegionalKey(
    c,
    `${at}.encryptionKey`,
    d.encryptionKey,
    context.region,
    `key location must be the region ${context.region}: Dataflow needs a regional key where its jobs run`,
  );
  c.require(
    context.networkField,
    context.network,
    'is required with dataflow delivery: Dataflow workers run with private IPs in this VPC',
  );
}

/**
 * One stream per event contract, each generated from its contract: topic and schema, dead-letter topic, raw
 * table (and the tables of retired versions), delivery (a BigQuery subscription or a Dataflow job with the
 * contract's UDF), and the archive. Changes that would replace a protected raw table are refused at synth.
 */
export class EventStreams extends Construct implements IEventStreams {
  /** APIs the streams use. */
  public static readonly REQUIRED_SERVICES: readonly string[] = [
    'bigquerystorage.googleapis.com',
    'compute.googleapis.com',
    'dataflow.googleapis.com',
    'pubsub.googleapis.com',
  ];

  /** What the read-only planner needs project-wide to refresh the streams: configuration, never messages. */
  public static readonly PLANNER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/pubsub.viewer', why: 'reads topics, schemas and subscriptions, not messages' },
    { role: 'roles/dataflow.viewer', why: 'reads the Dataflow jobs' },
  ];

  /** What the deployer needs project-wide to create the streams (tables are covered by the foundation's role). */
  public static readonly DEPLOYER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/pubsub.admin', why: 'creates topics, schemas and subscriptions and sets their IAM' },
    { role: 'roles/dataflow.admin', why: 'launches and updates Dataflow jobs' },
  ];

  /** One stream per contract, by contract name. */
  public readonly streams: Readonly<Record<string, EventStream>>;

  constructor(scope: Construct, id: string, props: EventStreamsProps) {
    super(scope, id);
    describeGroup(this, 'Streams');
    const f = props.foundation;
    const c = constructChecks(this);
    checkStreamsSettings(c, props, '', {
      region: f.region,
      network: f.network,
      networkField: 'foundation.network',
    });
    c.throwIfAny();
    const plans = planContracts(props.contracts, props.contractLock, {
      subject: this.node.path,
      deletionProtection: f.deletionProtection,
      kmsKeyName: f.keyFor('bigquery', f.dataLocation),
    });
    const delivery = props.delivery;
    const dataflow =
      delivery.kind === 'dataflow' && f.network
        ? {
            network: f.network.network,
            subnetwork: f.network.subnetwork,
            machineType: delivery.machineType,
            maxWorkers: delivery.maxWorkers,
            deadLetterExpirationDays: delivery.deadLetterExpirationDays,
            templateVersion: delivery.templateVersion,
            encryptionKey: delivery.encryptionKey ?? f.keyFor('dataflow', f.region),
            stagingBucket: f.buckets.dataflowStaging,
            artifactsBucket: f.buckets.artifacts,
          }
        : undefined;
    const streams: Record<string, EventStream> = {};
    for (const plan of plans) {
      const stream = new EventStream(this, plan.contract.name, {
        contract: plan.contract,
        retired: plan.retired,
        namePrefix: f.namePrefix,
        project: f.projectId,
        projectNumber: f.projectNumber,
        region: f.region,
        rawDataset: f.datasets.raw,
        archiveBucket: f.buckets.archive,
        delivery: delivery.kind,
        dataflow,
        deletionProtection: f.deletionProtection,
        topicRetentionHours: props.topicRetentionHours,
        maxDeliveryAttempts: props.maxDeliveryAttempts,
        encryptionKey: f.keyFor('bigquery', f.dataLocation),
        topicEncryptionKey: f.keyFor('pubsub', f.region),
      });
      // Launching a job as its worker identity needs actAs on it; the job waits for that grant.
      const job = stream.pipeline?.job;
      if (job && f.deployer) job.launchAfter(job.identity.grantActAs(f.deployer));
      streams[plan.contract.name] = stream;
    }
    this.streams = streams;
  }
}
