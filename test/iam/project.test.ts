import { Suppressions } from '../../constructs/core/suppressions';
import { GrantLedger } from '../../constructs/iam/grants';
import { Principal } from '../../constructs/iam/principal';
import { GcpProject } from '../../constructs/iam/project';
import { errorOf, resources, synth, testStack } from '../helpers';

const worker = Principal.serviceAccount('worker@trb-test-project.iam.gserviceaccount.com');

describe('GcpProject', () => {
  test('grants project-only roles at project level', () => {
    const stack = testStack();
    const project = new GcpProject(stack, 'Project');
    project.grant(worker, 'roles/dataflow.worker');
    project.grant(worker, 'roles/bigquery.jobUser');
    project.grant(worker, 'roles/logging.logWriter');
    const members = resources(synth(stack), 'google_project_iam_member');
    expect(members).toHaveLength(3);
    expect(members).toEqual(
      expect.arrayContaining([
        { project: 'trb-test-project', role: 'roles/dataflow.worker', member: worker.iamMember },
        { project: 'trb-test-project', role: 'roles/bigquery.jobUser', member: worker.iamMember },
        { project: 'trb-test-project', role: 'roles/logging.logWriter', member: worker.iamMember },
      ]),
    );
    expect(
      GrantLedger.of(stack).records.every((r) => r.scope === 'project' && r.resource === 'trb-test-project'),
    ).toBe(true);
  });

  test.each(['roles/storage.objectAdmin', 'roles/bigquery.dataEditor', 'roles/pubsub.publisher'])(
    'fails to grant the resource-scopable role %s at project level',
    (role) => {
      const project = new GcpProject(testStack(), 'Project');
      expect(() => project.grant(worker, role)).toThrow(
        `role = "${role}": is not a project-only role; bind it on the resource instead`,
      );
    },
  );

  test('grants a resource-scopable role project-wide only with a justification, recorded and suppressed', () => {
    const stack = testStack();
    const project = new GcpProject(stack, 'Project');
    const grant = project.grantProjectWide(
      worker,
      'roles/storage.admin',
      'Deployer creates the platform buckets',
    );
    expect(Suppressions.on(grant.member)).toEqual([
      { id: 'TRB-IAM-5', reason: 'Deployer creates the platform buckets', path: grant.member.node.path },
    ]);
    expect(GrantLedger.of(stack).records[0]).toMatchObject({
      role: 'roles/storage.admin',
      scope: 'project',
      justification: 'Deployer creates the platform buckets',
    });
    synth(stack);
    expect(stack.policy.errors).toEqual([]);
    expect(stack.policy.findings).toEqual([
      expect.objectContaining({
        ruleId: 'TRB-IAM-5',
        suppressedBy: expect.objectContaining({ reason: 'Deployer creates the platform buckets' }),
      }),
    ]);
  });

  test.each([
    [
      'a short justification',
      'roles/storage.admin',
      'because',
      'justification = "because": must explain the project-wide grant in at least 20 characters',
    ],
    ['a basic role', 'roles/owner', 'the deployer needs everything in here', 'basic roles are never granted'],
    [
      'serviceAccountUser',
      'roles/iam.serviceAccountUser',
      'the deployer deploys services that run as SAs',
      'impersonation roles are granted on one service account',
    ],
    [
      'serviceAccountTokenCreator',
      'roles/iam.serviceAccountTokenCreator',
      'the deployer mints tokens for workloads',
      'impersonation roles',
    ],
  ])('grantProjectWide fails for %s', (_case, role, justification, message) => {
    const project = new GcpProject(testStack(), 'Project');
    expect(() => project.grantProjectWide(worker, role, justification)).toThrow(message);
  });

  test('enables services once each, never disabling them on destroy', () => {
    const stack = testStack();
    const project = new GcpProject(stack, 'Project', { projectId: 'other-project-1' });
    project.enableServices(['pubsub.googleapis.com', 'bigquery.googleapis.com']);
    project.enableServices(['pubsub.googleapis.com']);
    const services = resources(synth(stack), 'google_project_service');
    expect(services).toHaveLength(2);
    expect(services).toEqual(
      expect.arrayContaining([
        {
          project: 'other-project-1',
          service: 'pubsub.googleapis.com',
          disable_on_destroy: false,
          disable_dependent_services: false,
        },
        {
          project: 'other-project-1',
          service: 'bigquery.googleapis.com',
          disable_on_destroy: false,
          disable_dependent_services: false,
        },
      ]),
    );
  });

  test('fails for an invalid project id', () => {
    const error = errorOf(() => new GcpProject(testStack(), 'Project', { projectId: 'Bad_Project' }));
    expect(error.message).toContain('test/Project (GcpProject): 1 problem');
    expect(error.message).toContain('projectId = "Bad_Project": must be 6-30 characters');
  });
});
