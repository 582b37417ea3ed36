import { ServiceIdentity } from '../../constructs/iam/service-identity';
import { CloudRunJob } from '../../constructs/run/cloud-run-job';
import { errorOf, only, synth, testStack } from '../helpers';

const IMAGE = 'europe-west1-docker.pkg.dev/trb-test-project/tributary/loader:0123456789abcdef';

describe('CloudRunJob', () => {
  test('runs one task as its own identity, with timeout, retries, resources and environment', () => {
    const stack = testStack();
    const identity = new ServiceIdentity(stack, 'Identity', { name: 'loader', prefix: 'trb-test' });
    const job = new CloudRunJob(stack, 'Job', {
      jobName: 'trb-test-loader',
      region: 'europe-west1',
      identity,
      image: IMAGE,
      env: { B: '2', A: '1' },
      memory: '1Gi',
      taskTimeoutSeconds: 600,
      maxRetries: 0,
      deletionProtection: true,
    });
    expect(job.jobPath).toBe('projects/trb-test-project/locations/europe-west1/jobs/trb-test-loader');
    job.grantRunWithOverrides(identity);
    const json = synth(stack);
    expect(stack.policy.errors).toEqual([]);
    expect(only(json, 'google_cloud_run_v2_job')).toMatchObject({
      name: 'trb-test-loader',
      deletion_protection: true,
      template: {
        task_count: 1,
        template: {
          max_retries: 0,
          timeout: '600s',
          containers: [
            {
              image: IMAGE,
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              resources: { limits: { cpu: '1', memory: '1Gi' } },
            },
          ],
        },
      },
    });
    expect(only(json, 'google_cloud_run_v2_job_iam_member')).toMatchObject({
      role: 'roles/run.jobsExecutorWithOverrides',
      location: 'europe-west1',
    });
  });

  test('fails a bad name, timeout, retries and reserved variables, listing every problem', () => {
    const stack = testStack();
    const identity = new ServiceIdentity(stack, 'Identity', { name: 'loader', prefix: 'trb-test' });
    const message = errorOf(
      () =>
        new CloudRunJob(stack, 'Job', {
          jobName: 'Loader_1',
          region: 'europe-west1',
          identity,
          image: IMAGE,
          env: { CLOUD_RUN_EXECUTION: 'x', '1X': 'y' },
          taskTimeoutSeconds: 0,
          maxRetries: 11,
          deletionProtection: false,
        }),
    ).message;
    for (const part of [
      'jobName = "Loader_1": must be 1-49 lowercase letters',
      'taskTimeoutSeconds = 0: must be a whole number of seconds from 1 to 86400',
      'maxRetries = 11: must be a whole number from 0 to 10',
      'env.CLOUD_RUN_EXECUTION = "CLOUD_RUN_EXECUTION": is reserved by Cloud Run',
      'env.1X = "1X": must be letters, digits and underscores',
    ])
      expect(message).toContain(part);
  });
});
