import { Construct } from 'constructs';
import { protoSchema } from '../../contracts/generators/proto';
import type { Contract } from '../../contracts/model';
import type { IAnalyticsDataset } from '../bigquery/analytics-dataset';
import { ContractTable, labelSafe } from '../bigquery/contract-table';
import type { IPrincipal } from '../iam/principal';
import type { EventSubscription } from '../pubsub/event-subscription';
import { EventTopic } from '../pubsub/event-topic';
import type { IDataBucket } from '../storage/data-bucket';

export type StreamDelivery = 'bigquery-subscription' | 'dataflow';

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
  /** @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** Identities allowed to publish events. @default - none */
  readonly publishers?: readonly IPrincipal[];
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

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
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
      encryptionKey: props.encryptionKey,
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
    this.archive = this.topic.addSubscription('Archive', {
      subscriptionName: `${base}-archive`,
      delivery: { kind: 'cloud-storage', bucket: props.archiveBucket, filenamePrefix: `${c.name}/` },
      labels,
    });
  }
}
