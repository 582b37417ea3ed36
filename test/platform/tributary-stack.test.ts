import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, App, TerraformStack } from 'cdktf';
import { TributaryApp, writeStackReports } from '../../constructs/platform/stack/tributary-stack';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { errorOf, synth, TEST_LABELS, testApp, testStack } from '../helpers';

describe('TributaryStack', () => {
  test('configures google and google-beta with project, region and the exact default labels', () => {
    const json = synth(testStack());
    for (const provider of ['google', 'google-beta']) {
      expect(json.provider?.[provider]).toEqual([
        { project: 'trb-test-project', region: 'europe-west1', default_labels: TEST_LABELS },
      ]);
    }
  });

  test('keeps hyphenated label keys that cdktf would otherwise snake-case', () => {
    const json = synth(testStack());
    const labels = json.provider?.google?.[0]?.default_labels as Record<string, string>;
    expect(Object.keys(labels)).toContain('cost-center');
    expect(Object.keys(labels)).not.toContain('cost_center');
  });

  test('attaches the policy pack and the grant ledger', () => {
    const stack = testStack({ environment: 'prod', production: true });
    expect(stack.policy.context).toMatchObject({ stack: 'test', environment: 'prod', production: true });
    expect(stack.grants.records).toEqual([]);
  });
});

describe('TributaryStack validation', () => {
  test('fails an invalid project, an unknown region and bad labels at once, naming the stack', () => {
    const error = errorOf(() =>
      testStack({ project: 'Acme_Payments!', region: 'europe-west99', labels: { Owner: 'x' } }),
    );
    expect(error.message).toContain('test (TributaryStack): 3 problems');
    expect(error.message).toContain('project = "Acme_Payments!": must be 6-30 characters');
    expect(error.message).toContain('region = "europe-west99": must be a known Google Cloud region');
    expect(error.message).toContain('labels.Owner = "x": label keys must be');
  });
});

describe('cross-stack references', () => {
  test('fail synth naming the referenced stack and element, since Tributary stacks deploy independently', () => {
    const app = testApp();
    const a = testStack({}, 'a', app);
    const b = testStack({}, 'b', app);
    const source = new DataBucket(a, 'Source', { bucketName: 'source-bucket', location: 'EU' });
    new DataBucket(b, 'Copy', { bucketName: `${source.resource.name}-copy`, location: 'EU' });
    const error = errorOf(() => app.synth());
    expect(error.message).toContain('[b] references elements of stack a (google_storage_bucket.Source_');
    expect(error.message).toContain('pass crossStackReferences: true');
  });

  test('work through remote state when a stack opts in', () => {
    const app = testApp();
    const a = testStack({ crossStackReferences: true }, 'a', app);
    const b = testStack({ crossStackReferences: true }, 'b', app);
    const source = new DataBucket(a, 'Source', { bucketName: 'source-bucket', location: 'EU' });
    new DataBucket(b, 'Copy', { bucketName: `${source.resource.name}-copy`, location: 'EU' });
    app.synth();
    const written = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', 'b', 'cdk.tf.json'), 'utf8'));
    const copy = Object.values(written.resource.google_storage_bucket as Record<string, { name: string }>)[0];
    expect(copy?.name).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-a\./);
  });
});

describe('reports', () => {
  test('writeStackReports writes every Tributary stack synthesized in a plain cdktf App, and nothing else', () => {
    const app = new App({ outdir: testApp().outdir, stackTraces: false });
    const stack = testStack({}, 'governed', app);
    new DataBucket(stack, 'Lake', { bucketName: 'trb-test-lake', location: 'EU' });
    new TerraformStack(app, 'plain');
    app.synth();
    const written = writeStackReports(app).map((f) => path.relative(app.outdir, f));
    expect(written.sort()).toEqual(
      ['architecture.md', 'iam-matrix.json', 'iam-matrix.md', 'policy-report.json', 'policy-report.md'].map(
        (f) => path.join('stacks', 'governed', f),
      ),
    );
    expect(fs.readFileSync(path.join(app.outdir, 'stacks', 'governed', 'iam-matrix.md'), 'utf8')).toContain(
      '# IAM matrix: governed',
    );
  });

  test('with skipValidation, the rules run when the reports are written', () => {
    const app = new TributaryApp({ outdir: testApp().outdir, skipValidation: true, stackTraces: false });
    testStack({}, 'unvalidated', app);
    app.synth();
    expect(fs.existsSync(path.join(app.outdir, 'stacks', 'unvalidated', 'policy-report.json'))).toBe(true);
  });

  test('a stack not synthesized (an earlier stack failed) gets no reports', () => {
    const app = testApp();
    const failing = testStack({}, 'a-failing', app);
    Annotations.of(failing).addError('broken on purpose');
    testStack({}, 'z-later', app);
    expect(() => app.synth()).toThrow('broken on purpose');
    expect(fs.existsSync(path.join(app.outdir, 'stacks', 'a-failing', 'policy-report.md'))).toBe(true);
    expect(fs.existsSync(path.join(app.outdir, 'stacks', 'z-later'))).toBe(false);
  });
});
