import { TerraformStack, Testing } from 'cdktf';
import { Principal, ServiceAgent } from '../../constructs/iam/principal';
import { GcpProject } from '../../constructs/iam/project';
import { ValidationError } from '../../core/validation';
import { dataSources, errorOf, resources, synth, testStack } from '../helpers';

describe('Principal', () => {
  test('builds typed members for groups, users, domains and external service accounts', () => {
    expect(Principal.group('data-eng@example.com')).toMatchObject({
      iamMember: 'group:data-eng@example.com',
      principalKind: 'group',
    });
    expect(Principal.user('ana@example.com')).toMatchObject({
      iamMember: 'user:ana@example.com',
      principalKind: 'user',
    });
    expect(Principal.domain('example.com')).toMatchObject({
      iamMember: 'domain:example.com',
      principalKind: 'domain',
    });
    expect(Principal.serviceAccount('x@p.iam.gserviceaccount.com')).toMatchObject({
      iamMember: 'serviceAccount:x@p.iam.gserviceaccount.com',
      principalKind: 'serviceAccount',
      principalLabel: 'serviceAccount:x@p.iam.gserviceaccount.com',
    });
  });

  test('labels a principal set without the pool token', () => {
    const p = Principal.principalSet('${TfToken[1]}', 'repository', 'org/repo', 'tributary-ci');
    expect(p.iamMember).toBe('principalSet://iam.googleapis.com/${TfToken[1]}/attribute.repository/org/repo');
    expect(p.principalLabel).toBe('principalSet:tributary-ci/attribute.repository/org/repo');
  });

  test.each([
    ['group', () => Principal.group('not-an-email'), 'email = "not-an-email": must be a group email address'],
    ['user', () => Principal.user('a@b'), 'email = "a@b": must be a user email address'],
    ['domain', () => Principal.domain('Example'), 'domain = "Example": must be a DNS domain'],
    [
      'service account',
      () => Principal.serviceAccount('x@example.com'),
      'must be a service account email ending in .gserviceaccount.com',
    ],
    ['public member', () => Principal.group('allUsers'), 'email = "allUsers"'],
  ])('fails for an invalid %s', (_kind, make, message) => {
    const error = errorOf(make);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain(message);
  });
});

describe('ServiceAgent', () => {
  test('uses the project number when given', () => {
    const agent = ServiceAgent.of(testStack(), 'pubsub', { projectNumber: '123456789012' });
    expect(agent.iamMember).toBe('serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com');
    expect(agent.principalLabel).toBe('serviceAgent:pubsub@trb-test-project');
    expect(agent.principalKind).toBe('serviceAgent');
  });

  test('looks the number up once per project when not given', () => {
    const stack = testStack();
    const pubsub = ServiceAgent.of(stack, 'pubsub');
    const storage = ServiceAgent.of(stack, 'storage');
    ServiceAgent.of(stack, 'pubsub', { project: 'other-project-1' });
    const project = new GcpProject(stack, 'Project');
    project.grant(pubsub, 'roles/logging.logWriter');
    project.grant(storage, 'roles/logging.logWriter');
    const json = synth(stack);
    const lookups = dataSources(json, 'google_project');
    expect(lookups.map((l) => l.project_id).sort()).toEqual(['other-project-1', 'trb-test-project']);
    const lookup = Object.keys(json.data?.google_project ?? {}).find((k) => k.includes('trb-test-project'));
    expect(
      resources(json, 'google_project_iam_member')
        .map((m) => m.member)
        .sort(),
    ).toEqual([
      `serviceAccount:service-\${data.google_project.${lookup}.number}@gcp-sa-pubsub.iam.gserviceaccount.com`,
      `serviceAccount:service-\${data.google_project.${lookup}.number}@gs-project-accounts.iam.gserviceaccount.com`,
    ]);
  });

  test('knows the documented agent email of each service', () => {
    const stack = testStack();
    const email = (s: Parameters<typeof ServiceAgent.of>[1]) =>
      ServiceAgent.of(stack, s, { projectNumber: '111111' }).iamMember.replace('serviceAccount:', '');
    expect(email('bigquery')).toBe('bq-111111@bigquery-encryption.iam.gserviceaccount.com');
    expect(email('dataflow')).toBe('service-111111@dataflow-service-producer-prod.iam.gserviceaccount.com');
    expect(email('composer')).toBe('service-111111@cloudcomposer-accounts.iam.gserviceaccount.com');
    expect(email('run')).toBe('service-111111@serverless-robot-prod.iam.gserviceaccount.com');
    expect(email('artifactregistry')).toBe('service-111111@gcp-sa-artifactregistry.iam.gserviceaccount.com');
  });

  test('fails without a project when none is given and no default provider exists', () => {
    const bare = new TerraformStack(Testing.app(), 'bare');
    expect(() => ServiceAgent.of(bare, 'pubsub')).toThrow(
      'ServiceAgent.of(pubsub): 1 problem\n  - project = (not set): is required',
    );
  });

  test('fails for a non-numeric project number', () => {
    expect(() => ServiceAgent.of(testStack(), 'pubsub', { projectNumber: 'my-project' })).toThrow(
      'projectNumber = "my-project": must be the numeric project number',
    );
  });
});
