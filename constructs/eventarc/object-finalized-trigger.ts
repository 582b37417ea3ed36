import { EventarcTrigger } from '@cdktf/provider-google/lib/eventarc-trigger';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { checkLabels } from '../../core/gcp';
import { addDependencies } from '../core/dependencies';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import type { IServiceIdentity } from '../iam/service-identity';
import type { IDataBucket } from '../storage/data-bucket';
import type { IWorkflow } from '../workflows/workflow';

export interface ObjectFinalizedTriggerProps {
  readonly triggerName: string;
  /** The bucket's location, lowercase (`eu`, `europe-west1`): Eventarc requires it for Cloud Storage events. */
  readonly location: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  readonly bucket: IDataBucket;
  /** Where each event goes: the workflow is started with the CloudEvent as its argument. */
  readonly workflow: IWorkflow;
  /** The identity Eventarc starts the workflow as (needs `eventarc.eventReceiver` and `workflows.invoker`). */
  readonly identity: IServiceIdentity;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
}

const TRIGGER_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LOCATION = /^[a-z]+(-[a-z]+\d+)?(-[a-z0-9]+)*$/;

/**
 * An Eventarc trigger on `google.cloud.storage.object.v1.finalized` in one bucket, starting a workflow as a
 * scoped identity. Delivery is at least once: the workflow and what it starts must be idempotent.
 */
export class ObjectFinalizedTrigger extends Construct {
  public static readonly EVENT_TYPE = 'google.cloud.storage.object.v1.finalized';
  public readonly resource: EventarcTrigger;

  constructor(scope: Construct, id: string, props: ObjectFinalizedTriggerProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.rule(
      'triggerName',
      props.triggerName,
      'must be 1-63 lowercase letters, digits and hyphens, starting with a letter',
      (n) => TRIGGER_NAME.test(n),
    );
    c.rule(
      'location',
      props.location,
      "must be the bucket's location in lowercase, such as eu or europe-west1",
      (l) => LOCATION.test(l),
    );
    checkProject(c, project);
    checkLabels(c, props.labels);
    c.throwIfAny();
    this.resource = new EventarcTrigger(this, 'Resource', {
      name: props.triggerName,
      location: props.location,
      project,
      matchingCriteria: [
        { attribute: 'type', value: ObjectFinalizedTrigger.EVENT_TYPE },
        { attribute: 'bucket', value: props.bucket.bucketRef },
      ],
      destination: { workflow: props.workflow.workflowPath },
      serviceAccount: props.identity.email,
      labels: props.labels ? { ...props.labels } : undefined,
    });
  }

  /** The trigger is created only after these exist (the grants delivery needs). */
  public deployAfter(...dependencies: ITerraformDependable[]): void {
    addDependencies(this.resource, ...dependencies);
  }
}
