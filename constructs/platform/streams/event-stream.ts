import { Construct } from 'constructs';
import { protoSchema } from '../../../contracts/generators/proto';
import { UDF_FUNCTION_NAME, udfScript } from '../../../contracts/generators/udf';
import type { Contract } from '../../../contracts/model';
import type { IAnalyticsDataset } from '../../bigquery/analytics-dataset';
import { ContractTable, labelSafe } from '../../bigquery/contract-table';
import { DeadLetterTable } from '../../bigquery/dead-letter-table';
import { connect, describeGroup } from '../../core/architecture';
import { constructChecks } from '../../core/validation';
import { PubSubToBigQueryJob, type PubSubToBigQueryJobProps } from '../../dataflow/pubsub-to-bigquery-job';
import type { IPrincipal } from '../../iam/principal';
import type { EventSubscription } from '../../pubsub/event-subscription';
import { EventTopic } from '../../pubsub/event-topic';
import type { IDataBucket } from '../../storage/data-bucket';

export type StreamDelivery = 'bigquery-subscription' | 'dataflow';

/** What a stream's Dataflow job needs from the platform and the environment. */
export interface StreamDataflowOptions
  extends Pick<
    PubSubToBigQueryJobProps,
    | 'stagingBucket'
    | 'network'
    | 'subnetwork'
    | 'machineType'
    | 'maxWorkers'
    | 'templateVersion'
    | 'encryptionKey'
  > {
  /** Holds the stream's UDF file. */
  readonly artifactsBucket: IDataBucket;
  /** Days dead-letter rows are kept. */
  readonly deadLetterExpirationDays: number;
}

export interface EventStreamProps {
  readonly contract: Contract;
  /** Older table versions to keep provisioned (from the contract lock). @default - none */
  readonly retired?: readonly Contract[];
  /** Prefix of the topic and subscription names, for example `trb-dev`. */
  readonly namePrefix: string;
  readonly project: string;
  /** @default - looked up at plan time */
  readonly projectNumber?: string;
  /** Messages are stored only here. */
  readonly region: string;
  readonly rawDataset: IAnalyticsDataset;
  readonly archiveBucket: IDataBucket;
  /**
   * `bigquery-subscription`: Pub/Sub writes the raw table directly. `dataflow`: a pull subscription for the
   * stream's Dataflow job, which validates with the contract's UDF first.
   */
  readonly delivery: StreamDelivery;
  readonly deletionProtection: boolean;
  /** @default 24 */
  readonly topicRetentionHours?: number;
  /** @default 5 */
  readonly maxDeliveryAttempts?: number;
  /** CMEK key of the raw and dead-letter tables. @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** CMEK key of the topics. @default - encryptionKey */
  readonly topicEncryptionKey?: string;
  /** Identities allowed to publish events. @default - none */
  readonly publishers?: readonly IPrincipal[];
  /** Required with `dataflow` delivery. */
  readonly dataflow?: StreamDataflowOptions;
}

/** One stream, all generated from its contract: topic + schema, DLQ, raw table, delivery, and archive. */
export class EventStream extends Construct {
  public readonly contract: Contract;
  public readonly topic: EventTopic;
  public readonly table: ContractTable;
  public readonly retiredTables: readonly ContractTable[];
  /** The BigQuery subscription, or the pull subscription Dataflow reads. */
  public readonly delivery: EventSubscription;
  public readonly archive: EventSubscription;
  /** With `dataflow` delivery: the job that validates with the contract's UDF and writes the raw table. */
  public readonly pipeline?: PubSubToBigQueryJob;
  /** With `dataflow` delivery: where the job writes what it could not deliver, and why. */
  public readonly deadLetterTable?: DeadLetterTable;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    describeGroup(this, `stream ${props.contract.name}`);
    if (props.delivery === 'dataflow')
      constructChecks(this)
        .require('dataflow', props.dataflow, 'is required with dataflow delivery')
        .throwIfAny();
    const c = props.contract;
    const base = `${props.namePrefix}-${c.name.replace(/_/g, '-')}`;
    const labels = { stream: labelSafe(c.name) };
    this.contract = c;

    this.topic = new EventTopic(this, 'Topic', {
      topicName: base,
      project: props.project,
      projectNumber: props.projectNumber,
      schema: { type: 'PROTOCOL_BUFFER', definition: protoSchema(c) },
      messageRetentionHours: props.topicRetentionHours,
      maxDeliveryAttempts: props.maxDeliveryAttempts,
      allowedPersistenceRegions: [props.region],
      encryptionKey: props.topicEncryptionKey ?? props.encryptionKey,
      labels,
    });
    for (const p of props.publishers ?? []) this.topic.grantPublish(p);

    const table = (tid: string, contract: Contract, retired: boolean) =>
      new ContractTable(this, tid, {
        dataset: props.rawDataset,
        contract,
        deletionProtection: props.deletionProtection,
        encryptionKey: props.encryptionKey,
        retired,
      });
    this.table = table('Table', c, false);
    this.retiredTables = (props.retired ?? []).map((r) => table(`Table-v${r.tableVersion}`, r, true));

    this.delivery =
      props.delivery === 'bigquery-subscription'
        ? this.topic.addSubscription('BigQueryDelivery', {
            subscriptionName: `${base}-bq`,
            delivery: { kind: 'bigquery', table: this.table },
            labels,
          })
        : this.topic.addSubscription('DataflowSubscription', {
            subscriptionName: `${base}-dataflow`,
            labels,
          });
    if (props.delivery === 'dataflow' && props.dataflow) {
      const { deadLetterExpirationDays, ...job } = props.dataflow;
      this.deadLetterTable = new DeadLetterTable(this, 'DeadLetterTable', {
        dataset: props.rawDataset,
        tableId: `${this.table.tableId}_dead_letter`,
        expirationDays: deadLetterExpirationDays,
        deletionProtection: props.deletionProtection,
        encryptionKey: props.encryptionKey,
        labels,
      });
      this.pipeline = new PubSubToBigQueryJob(this, 'Pipeline', {
        ...job,
        jobName: base,
        subscription: this.delivery,
        table: this.table,
        deadLetterTable: this.deadLetterTable,
        udf: { name: c.name, script: udfScript(c), functionName: UDF_FUNCTION_NAME },
        region: props.region,
        project: props.project,
        projectNumber: props.projectNumber,
        workerIdentity: { prefix: props.namePrefix, name: `df-${c.name.replace(/_/g, '-')}` },
        labels,
      });
    }
    this.archive = this.topic.addSubscription('Archive', {
      subscriptionName: `${base}-archive`,
      delivery: { kind: 'cloud-storage', bucket: props.archiveBucket, filenamePrefix: `${c.name}/` },
      labels,
    });
    connect(this.archive, props.archiveBucket, 'Avro archive');
    if (this.pipeline) {
      connect(this.delivery, this.pipeline);
      connect(this.pipeline, this.table);
      connect(this.pipeline, this.deadLetterTable, 'rejected rows');
    } else connect(this.delivery, this.table);
    connect(props.rawDataset, this.table, undefined, 'reference');
  }
}
