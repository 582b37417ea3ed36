import { ObjectFinalizedTrigger } from '../../constructs/eventarc/object-finalized-trigger';
import { ServiceIdentity } from '../../constructs/iam/service-identity';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { errorOf, only, synth, testStack } from '../helpers';

const workflow = {
  workflowName: 'wf',
  region: 'europe-west1',
  workflowPath: 'projects/trb-test-project/locations/europe-west1/workflows/wf',
};

describe('ObjectFinalizedTrigger', () => {
  test('sends finalize events of one bucket to the workflow, as its identity', () => {
    const stack = testStack();
    const identity = new ServiceIdentity(stack, 'Identity', { name: 'trigger', prefix: 'trb-test' });
    const bucket = DataBucket.fromBucketName(stack, 'Landing', 'trb-test-landing');
    new ObjectFinalizedTrigger(stack, 'Trigger', {
      triggerName: 'uploads',
      location: 'eu',
      bucket,
      workflow,
      identity,
    });
    const json = synth(stack);
    expect(stack.policy.errors).toEqual([]);
    expect(only(json, 'google_eventarc_trigger')).toMatchObject({
      location: 'eu',
      matching_criteria: [
        { attribute: 'type', value: 'google.cloud.storage.object.v1.finalized' },
        { attribute: 'bucket', value: 'trb-test-landing' },
      ],
      destination: { workflow: workflow.workflowPath },
    });
  });

  test('fails a bad name and a location that is not a lowercase bucket location', () => {
    const stack = testStack();
    const identity = new ServiceIdentity(stack, 'Identity', { name: 'trigger', prefix: 'trb-test' });
    const bucket = DataBucket.fromBucketName(stack, 'Landing', 'trb-test-landing');
    const message = errorOf(
      () =>
        new ObjectFinalizedTrigger(stack, 'Trigger', {
          triggerName: 'Uploads!',
          location: 'EU',
          bucket,
          workflow,
          identity,
        }),
    ).message;
    expect(message).toContain('triggerName = "Uploads!": must be 1-63 lowercase letters');
    expect(message).toContain('location = "EU": must be the bucket\'s location in lowercase');
  });
});
