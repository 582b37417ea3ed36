import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServiceAccountKey } from '@cdktf/provider-google/lib/service-account-key';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { Suppressions } from '../../constructs/core/suppressions';
import type { PolicyReport } from '../../constructs/policy/types';
import { NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../../constructs/policy/types';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { errorOf, synth, testApp, testStack } from '../helpers';

function openBucket(scope: Construct, id = 'Open') {
  return new StorageBucket(scope, id, {
    name: 'open-bucket',
    location: 'EU',
    uniformBucketLevelAccess: false,
  });
}

function readReport(outdir: string, stack: string): PolicyReport {
  return JSON.parse(
    fs.readFileSync(path.join(outdir, 'stacks', stack, 'policy-report.json'), 'utf8'),
  ) as PolicyReport;
}

describe('PolicyPack', () => {
  test('passes a stack built from secure constructs', () => {
    const stack = testStack({ production: true });
    new DataBucket(stack, 'Lake', { bucketName: 'trb-test-lake', location: 'EU' });
    synth(stack);
    expect(stack.policy.findings).toEqual([]);
    expect(stack.policy.report().summary).toEqual({ errors: 0, warnings: 0, suppressed: 0 });
  });

  test('fails synth with every unsuppressed error, naming rule, construct and detail', () => {
    const stack = testStack({ production: true });
    openBucket(stack);
    new ServiceAccountKey(stack, 'Key', { serviceAccountId: 'sa' });
    const error = errorOf(() => Testing.fullSynth(stack));
    expect(error.message).toContain(
      '[test/Open] [TRB-GCS-1] Buckets use uniform bucket-level access: uniform_bucket_level_access is false',
    );
    expect(error.message).toContain(
      '[test/Open] [TRB-GCS-2] Buckets enforce public access prevention: public_access_prevention is null',
    );
    expect(error.message).toContain('[test/Key] [TRB-IAM-3] No service account keys');
  });

  test('writes the report even when synth fails, and no cdk.tf.json', () => {
    const app = testApp();
    const outdir = app.outdir;
    openBucket(testStack({}, 'test', app));
    const manifestOut = path.join(outdir, 'stacks', 'test');
    expect(() => app.synth()).toThrow(/TRB-GCS-1/);
    expect(fs.existsSync(path.join(manifestOut, 'cdk.tf.json'))).toBe(false);
    const report = readReport(outdir, 'test');
    expect(report.summary.errors).toBe(2);
    expect(fs.readFileSync(path.join(manifestOut, 'policy-report.md'), 'utf8')).toContain(
      '**FAILED**: 2 errors',
    );
  });

  test('a suppression with a reason accepts the finding and is listed in the report', () => {
    const app = testApp();
    const stack = testStack({}, 'test', app);
    const bucket = openBucket(stack);
    Suppressions.add(bucket, { id: 'TRB-GCS-1', reason: 'Legacy bucket shared with a partner using ACLs' });
    Suppressions.add(bucket, { id: 'TRB-GCS-2', reason: 'Legacy bucket shared with a partner using ACLs' });
    Suppressions.add(stack, { id: 'TRB-ZZZ-9', reason: 'Suppression for a rule this pack does not have' });
    app.synth();
    const outdir = app.outdir;
    const report = readReport(outdir, 'test');
    expect(report.summary).toEqual({ errors: 0, warnings: 0, suppressed: 2 });
    expect(report.suppressions).toEqual([
      {
        id: 'TRB-ZZZ-9',
        reason: 'Suppression for a rule this pack does not have',
        path: 'test',
        matched: 0,
        knownRule: false,
      },
      {
        id: 'TRB-GCS-1',
        reason: 'Legacy bucket shared with a partner using ACLs',
        path: 'test/Open',
        matched: 1,
        knownRule: true,
      },
      {
        id: 'TRB-GCS-2',
        reason: 'Legacy bucket shared with a partner using ACLs',
        path: 'test/Open',
        matched: 1,
        knownRule: true,
      },
    ]);
    const md = fs.readFileSync(path.join(outdir, 'stacks', 'test', 'policy-report.md'), 'utf8');
    expect(md).toContain('**PASSED**: 0 errors, 0 warnings, 2 suppressed');
    expect(md).toContain('| TRB-GCS-1 | `test/Open` | Legacy bucket shared with a partner using ACLs | 1 |');
    expect(md).toContain('0 (no rule TRB-ZZZ-9 in this pack)');
  });

  test('a suppression on a parent covers its children', () => {
    const stack = testStack();
    const group = new Construct(stack, 'Legacy');
    openBucket(group);
    Suppressions.add(group, { id: 'TRB-GCS-1', reason: 'Whole legacy group migrates next quarter' });
    synth(stack);
    expect(stack.policy.findings.find((f) => f.ruleId === 'TRB-GCS-1')?.suppressedBy?.path).toBe(
      'test/Legacy',
    );
    expect(stack.policy.errors.map((f) => f.ruleId)).toEqual(['TRB-GCS-2']);
  });

  test.each([
    [
      { id: 'TRB-GCS-1', reason: 'because' },
      'suppressions[0].reason = "because": must explain the exception in at least 20 characters',
    ],
    [
      { id: 'gcs1', reason: 'a long enough reason' },
      'suppressions[0].id = "gcs1": must be a rule id such as TRB-GCS-1',
    ],
  ])('fails for an invalid suppression %j', (suppression, message) => {
    const stack = testStack();
    expect(() => Suppressions.add(stack, suppression)).toThrow(message);
  });

  test('warnings are reported without failing synth', () => {
    const warnOnTopics: PolicyRule = {
      id: 'TRB-TST-1',
      level: 'warning',
      title: 'Buckets are named with a team prefix',
      explanation: 'Test rule that warns on every bucket so the warning path is exercised.',
      references: ['none: a test rule'],
      check: (r) =>
        r.type === 'google_storage_bucket' ? nonCompliant(`bucket ${String(r.config.name)}`) : NOT_APPLICABLE,
    };
    const app = testApp();
    const stack = testStack({ rules: [warnOnTopics] }, 'test', app);
    new DataBucket(stack, 'Lake', { bucketName: 'trb-test-lake', location: 'EU' });
    app.synth();
    const outdir = app.outdir;
    expect(readReport(outdir, 'test').summary).toEqual({ errors: 0, warnings: 1, suppressed: 0 });
    expect(fs.existsSync(path.join(outdir, 'stacks', 'test', 'cdk.tf.json'))).toBe(true);
  });

  test('a rule that throws counts as a violation', () => {
    const broken: PolicyRule = {
      id: 'TRB-TST-2',
      level: 'error',
      title: 'Broken rule',
      explanation: 'A rule with a bug must fail the resource rather than pass it silently.',
      references: ['none: a test rule'],
      check: () => {
        throw new Error('cannot read property of undefined');
      },
    };
    const stack = testStack({ rules: [broken] });
    new DataBucket(stack, 'Lake', { bucketName: 'trb-test-lake', location: 'EU' });
    synth(stack);
    expect(stack.policy.errors).toEqual([
      expect.objectContaining({
        ruleId: 'TRB-TST-2',
        path: 'test/Lake/Resource',
        detail: 'rule threw while checking google_storage_bucket: cannot read property of undefined',
      }),
    ]);
  });

  test('records each finding once when aspects run more than once', () => {
    const stack = testStack();
    openBucket(stack);
    synth(stack);
    synth(stack);
    expect(stack.policy.findings).toHaveLength(2);
  });

  test('fails for duplicate rule ids', () => {
    const rule: PolicyRule = {
      id: 'TRB-TST-3',
      level: 'error',
      title: 't',
      explanation: 'e',
      references: ['none: a test rule'],
      check: () => NOT_APPLICABLE,
    };
    expect(() => testStack({ rules: [rule, rule] })).toThrow('rule id TRB-TST-3 appears twice');
  });

  test('reads default labels from the synthesized providers, as Terraform will send them', () => {
    const stack = testStack();
    synth(stack);
    expect(stack.policy.context.defaultLabels).toEqual({
      environment: 'test',
      owner: 'data-platform',
      'cost-center': 'analytics',
      'managed-by': 'tributary',
    });
  });

  test('flags resources when the providers lack a required label', () => {
    const stack = testStack({
      labels: { environment: 'test', owner: 'x' },
      requiredLabels: ['environment', 'owner', 'cost-center'],
    });
    new DataBucket(stack, 'Lake', { bucketName: 'trb-test-lake', location: 'EU' });
    synth(stack);
    expect(stack.policy.errors).toEqual([
      expect.objectContaining({ ruleId: 'TRB-LBL-1', detail: 'missing labels: cost-center' }),
    ]);
  });
});
