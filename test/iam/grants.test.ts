import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { Construct } from 'constructs';
import { GrantLedger, grantOn, type IGrantTarget } from '../../constructs/iam/grants';
import { type IPrincipal, Principal } from '../../constructs/iam/principal';
import { ServiceIdentity } from '../../constructs/iam/service-identity';
import { ValidationError } from '../../core/validation';
import { errorOf, resources, synth, testApp, testStack } from '../helpers';

class FakeBucket extends Construct implements IGrantTarget {
  public readonly grantResourceType = 'google_storage_bucket';
  public readonly grantResourceLabel = 'fake-bucket';
  public grant(principal: IPrincipal, role: string) {
    return grantOn(
      this,
      principal,
      role,
      (id, member) => new StorageBucketIamMember(this, id, { bucket: 'fake-bucket', role, member }),
    );
  }
}

describe('grantOn', () => {
  test('creates one additive member resource under the target and records it', () => {
    const stack = testStack();
    const bucket = new FakeBucket(stack, 'Bucket');
    const grant = bucket.grant(Principal.group('analysts@example.com'), 'roles/storage.objectViewer');
    expect(grant.member.node.path).toBe('test/Bucket/Grant-storage.objectViewer-group:analysts@example.com');
    expect(resources(synth(stack), 'google_storage_bucket_iam_member')).toEqual([
      { bucket: 'fake-bucket', role: 'roles/storage.objectViewer', member: 'group:analysts@example.com' },
    ]);
    expect(GrantLedger.of(stack).records).toEqual([
      {
        principal: 'group:analysts@example.com',
        principalKind: 'group',
        resourceType: 'google_storage_bucket',
        resource: 'fake-bucket',
        role: 'roles/storage.objectViewer',
        scope: 'resource',
        path: 'test/Bucket/Grant-storage.objectViewer-group:analysts@example.com',
      },
    ]);
  });

  test('returns the existing grant when the same role is granted twice', () => {
    const stack = testStack();
    const bucket = new FakeBucket(stack, 'Bucket');
    const first = bucket.grant(Principal.group('a@example.com'), 'roles/storage.objectViewer');
    const second = bucket.grant(Principal.group('a@example.com'), 'roles/storage.objectViewer');
    expect(second).toBe(first);
    expect(resources(synth(stack), 'google_storage_bucket_iam_member')).toHaveLength(1);
    expect(GrantLedger.of(stack).records).toHaveLength(1);
  });

  test.each([
    ['a basic role', 'roles/editor', 'basic roles (owner, editor, viewer) are never granted'],
    ['a malformed role', 'storage.objectViewer', 'must be a role name: roles/<name>'],
  ])('fails for %s', (_case, role, message) => {
    const bucket = new FakeBucket(testStack(), 'Bucket');
    const error = errorOf(() => bucket.grant(Principal.group('a@example.com'), role));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('test/Bucket (FakeBucket)');
    expect(error.message).toContain(message);
  });

  test('fails for a public principal even when one is constructed by hand', () => {
    const bucket = new FakeBucket(testStack(), 'Bucket');
    const everyone: IPrincipal = {
      iamMember: 'allUsers',
      principalLabel: 'allUsers',
      principalKind: 'group',
    };
    expect(() => bucket.grant(everyone, 'roles/storage.objectViewer')).toThrow(
      'public principals (allUsers, allAuthenticatedUsers) are never granted',
    );
  });
});

describe('GrantLedger', () => {
  test('renders a sorted principal x resource x role matrix', () => {
    const stack = testStack();
    const bucket = new FakeBucket(stack, 'Bucket');
    const worker = new ServiceIdentity(stack, 'Worker', { name: 'worker', prefix: 'trb' });
    bucket.grant(worker, 'roles/storage.objectAdmin');
    bucket.grant(Principal.group('analysts@example.com'), 'roles/storage.objectViewer');
    const md = GrantLedger.of(stack).toMarkdown();
    expect(md).toContain('# IAM matrix: test');
    expect(md).toContain('2 grants to 2 principals');
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual([
      '| `group:analysts@example.com` | group | storage_bucket `fake-bucket` | `roles/storage.objectViewer` | resource |  |',
      '| `serviceAccount:trb-worker@trb-test-project.iam.gserviceaccount.com` | serviceAccount | storage_bucket `fake-bucket` | `roles/storage.objectAdmin` | resource |  |',
    ]);
  });

  test('writes iam-matrix.md and iam-matrix.json next to cdk.tf.json on synth', () => {
    const app = testApp();
    const stack = testStack({}, 'test', app);
    new FakeBucket(stack, 'Bucket').grant(Principal.group('a@example.com'), 'roles/storage.objectViewer');
    app.synth();
    const outdir = app.outdir;
    const dir = path.join(outdir, 'stacks', 'test');
    expect(fs.existsSync(path.join(dir, 'cdk.tf.json'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'iam-matrix.md'), 'utf8')).toContain('group:a@example.com');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'iam-matrix.json'), 'utf8'))).toHaveLength(1);
  });
});
