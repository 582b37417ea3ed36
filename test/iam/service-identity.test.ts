import { TerraformStack, Testing } from 'cdktf';
import { Principal } from '../../constructs/iam/principal';
import { ServiceIdentity } from '../../constructs/iam/service-identity';
import { stableHash } from '../../core/names';
import { ValidationError } from '../../core/validation';
import { errorOf, only, resources, synth, testStack } from '../helpers';

describe('ServiceIdentity', () => {
  test('creates a service account named prefix-name in the provider project', () => {
    const stack = testStack();
    const id = new ServiceIdentity(stack, 'Ingest', {
      name: 'ingest',
      prefix: 'trb-dev',
      description: 'gateway',
    });
    const sa = only(synth(stack), 'google_service_account');
    expect(sa).toMatchObject({
      account_id: 'trb-dev-ingest',
      project: 'trb-test-project',
      display_name: 'Tributary ingest',
      description: 'gateway',
    });
    expect(id.accountId).toBe('trb-dev-ingest');
    expect(id.principalLabel).toBe('serviceAccount:trb-dev-ingest@trb-test-project.iam.gserviceaccount.com');
    expect(id.iamMember).toMatch(/^serviceAccount:\$\{TfToken/);
  });

  test('shortens long derived ids deterministically to 30 characters', () => {
    const stack = testStack();
    const a = new ServiceIdentity(stack, 'A', { name: 'dataflow-worker-user-activity', prefix: 'trb-prod' });
    const b = new ServiceIdentity(testStack(), 'A', {
      name: 'dataflow-worker-user-activity',
      prefix: 'trb-prod',
    });
    expect(a.accountId).toBe(
      `trb-prod-dataflow-worke-${stableHash('trb-prod-dataflow-worker-user-activity')}`,
    );
    expect(a.accountId).toHaveLength(30);
    expect(b.accountId).toBe(a.accountId);
  });

  test('uses an explicit account id as given', () => {
    const stack = testStack();
    new ServiceIdentity(stack, 'X', { name: 'x', accountId: 'custom-account-1' });
    expect(only(synth(stack), 'google_service_account').account_id).toBe('custom-account-1');
  });

  test.each([
    ['too short', 'abc12'],
    ['too long', 'a'.repeat(31)],
    ['uppercase', 'Ingest-gateway'],
    ['leading digit', '1ngest-gateway'],
    ['trailing hyphen', 'ingest-gateway-'],
    ['underscore', 'ingest_gateway'],
  ])('fails for an explicit account id that is %s', (_case, accountId) => {
    const error = errorOf(() => new ServiceIdentity(testStack(), 'Bad', { name: 'x', accountId }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('test/Bad (ServiceIdentity)');
    expect(error.message).toContain(`accountId = "${accountId}": must be 6-30 characters of [-a-z0-9]`);
  });

  test('fails with every problem at once: bad name, bad prefix, long display name', () => {
    const error = errorOf(
      () =>
        new ServiceIdentity(testStack(), 'Bad', {
          name: 'Ingest_GW',
          prefix: '9x',
          displayName: 'd'.repeat(101),
        }),
    ) as ValidationError;
    expect(error.violations.map((v) => v.field)).toEqual([
      'name',
      'prefix',
      'accountId (derived)',
      'displayName',
    ]);
  });

  test('fails for a description over 256 characters', () => {
    expect(
      () =>
        new ServiceIdentity(testStack(), 'Bad', {
          name: 'worker',
          prefix: 'trb',
          description: 'd'.repeat(257),
        }),
    ).toThrow('description = "dddd');
  });

  test('fails without a project when no default provider is configured', () => {
    const bare = new TerraformStack(Testing.app(), 'bare');
    expect(() => new ServiceIdentity(bare, 'X', { name: 'worker', prefix: 'trb' })).toThrow(
      /project = \(not set\): is required: pass props.project/,
    );
  });

  test('grants act-as, token creator and workload identity user on the account only', () => {
    const stack = testStack();
    const sa = new ServiceIdentity(stack, 'Worker', { name: 'worker', prefix: 'trb' });
    const deployer = Principal.serviceAccount('deployer@trb-test-project.iam.gserviceaccount.com');
    const actAs = sa.grantActAs(deployer);
    sa.grantTokenCreator(Principal.group('sre@example.com'));
    sa.grantWorkloadIdentityUser(
      Principal.principalSet(
        'projects/1/locations/global/workloadIdentityPools/ci',
        'environment',
        'dev',
        'ci',
      ),
    );
    const members = resources(synth(stack), 'google_service_account_iam_member');
    expect(members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          role: 'roles/iam.serviceAccountUser',
          member: `serviceAccount:deployer@trb-test-project.iam.gserviceaccount.com`,
        }),
        expect.objectContaining({
          role: 'roles/iam.serviceAccountTokenCreator',
          member: 'group:sre@example.com',
        }),
        expect.objectContaining({
          role: 'roles/iam.workloadIdentityUser',
          member:
            'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/attribute.environment/dev',
        }),
      ]),
    );
    for (const m of members)
      expect(m.service_account_id).toBe(`\${google_service_account.${sa.resource.friendlyUniqueId}.name}`);
    expect(actAs.role).toBe('roles/iam.serviceAccountUser');
    expect(resources(synth(stack), 'google_project_iam_member')).toHaveLength(0);
  });
});
