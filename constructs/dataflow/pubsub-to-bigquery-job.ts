import { Construct } from 'constructs';
import { TEMPLATE_VERSION } from '../../core/gcp';
import type { IWritableTable } from '../bigquery/table-grants';
import { describeNode } from '../core/architecture';
import { constructChecks } from '../core/validation';
import type { Grant } from '../iam/grants';
import type { IEventSubscription } from '../pubsub/event-subscription';
import type { IDataBucket } from '../storage/data-bucket';
import { type FlexJobPlacement, FlexTemplateJob } from './flex-template-job';
import { googleTemplatePath, PUBSUB_TO_BIGQUERY } from './templates';
import { DataflowUdf } from './udf';

/** How the job writes with the Storage Write API. */
export type StorageWriteMode =
  /** Cheaper and lower latency; a retry can duplicate a row, which the staging layer deduplicates by event_id. */
  | { readonly kind: 'at-least-once' }
  | {
      readonly kind: 'exactly-once';
      readonly streams: number;
      readonly triggeringFrequencySeconds: number;
    };

export interface PubSubToBigQueryJobProps extends FlexJobPlacement {
  readonly jobName: string;
  readonly subscription: IEventSubscription;
  /** The typed table rows land in. */
  readonly table: IWritableTable;
  /** Where messages go that the UDF throws on or BigQuery refuses. */
  readonly deadLetterTable: IWritableTable;
  /** The UDF run on every payload before the write. @default - no UDF: payloads must already be rows */
  readonly udf?: { readonly name: string; readonly script: string; readonly functionName: string };
  /** Holds the UDF file; the workers get read access. Required with `udf`. */
  readonly artifactsBucket?: IDataBucket;
  /** @default { kind: 'at-least-once' } */
  readonly storageWrite?: StorageWriteMode;
  /** Google's template release folder, for example `2025-01-14-00_RC00`. @default 'latest' */
  readonly templateVersion?: string;
}

/**
 * Google's `PubSub_to_BigQuery_Flex` reading one subscription, running the stream's UDF and writing the typed
 * table with the Storage Write API; failures land in the dead-letter table. The worker identity gets
 * subscriber and viewer on that subscription only, and data editor on those two tables only.
 */
export class PubSubToBigQueryJob extends Construct {
  public readonly job: FlexTemplateJob<typeof PUBSUB_TO_BIGQUERY.parameters>;
  public readonly udf?: DataflowUdf;
  /** Grants on the job's input and outputs. */
  public readonly dataGrants: readonly Grant[];

  constructor(scope: Construct, id: string, props: PubSubToBigQueryJobProps) {
    super(scope, id);
    describeNode(this, { shape: 'job', label: `Dataflow ${props.jobName} (UDF)` });
    const {
      jobName,
      subscription,
      table,
      deadLetterTable,
      udf,
      artifactsBucket,
      storageWrite,
      templateVersion,
      ...placement
    } = props;
    const c = constructChecks(this).check('templateVersion', templateVersion, TEMPLATE_VERSION);
    if (udf) c.require('artifactsBucket', artifactsBucket, 'is required with udf (it holds the UDF file)');
    c.throwIfAny();
    this.udf =
      udf && artifactsBucket ? new DataflowUdf(this, 'Udf', { bucket: artifactsBucket, ...udf }) : undefined;
    const write = storageWrite ?? { kind: 'at-least-once' };
    this.job = new FlexTemplateJob(this, 'Job', {
      ...placement,
      jobName,
      template: PUBSUB_TO_BIGQUERY,
      containerSpecGcsPath: googleTemplatePath(placement.region, PUBSUB_TO_BIGQUERY.name, templateVersion),
      parameters: {
        inputSubscription: subscription.subscriptionPath,
        outputTableSpec: table.tableSpec,
        outputDeadletterTable: deadLetterTable.tableSpec,
        useStorageWriteApi: true,
        useStorageWriteApiAtLeastOnce: write.kind === 'at-least-once',
        ...(write.kind === 'exactly-once'
          ? {
              numStorageWriteApiStreams: write.streams,
              storageWriteApiTriggeringFrequencySec: write.triggeringFrequencySeconds,
            }
          : {}),
        ...(this.udf
          ? {
              javascriptTextTransformGcsPath: this.udf.gcsPath,
              javascriptTextTransformFunctionName: this.udf.functionName,
            }
          : {}),
      },
      readBuckets: this.udf && artifactsBucket ? [artifactsBucket] : [],
    });
    const worker = this.job.identity;
    this.dataGrants = [
      subscription.grantSubscribe(worker),
      subscription.grantViewer(worker),
      table.grantDataEditor(worker),
      deadLetterTable.grantDataEditor(worker),
    ];
    this.job.launchAfter(...this.dataGrants, ...(this.udf ? [this.udf.object.resource] : []));
  }
}
