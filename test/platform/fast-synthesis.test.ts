import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { Fn, Lazy, TerraformStack, Testing, Token } from 'cdktf';
import { resolve } from 'cdktf/lib/_tokens';
import { resolveSelectively } from '../../constructs/core/selective-resolve';
import { setTokenTraces, tokenTracesEnabled } from '../../constructs/core/token-traces';
import { danglingReferences, TributaryStack } from '../../constructs/platform/tributary-stack';
import { DataBucket } from '../../constructs/storage/data-bucket';
import { defaultStreams } from '../../stacks/environment-stack';
import { buildApp } from '../../stacks/main';
import { syntheticContracts } from '../bench/synthetic-contracts';
import { errorOf, testStack } from '../helpers';

describe('faster synthesis keeps the output identical', () => {
  test("TributaryStack.toTerraform equals cdktf's TerraformStack.toTerraform for every stack", () => {
    const defaults = defaultStreams();
    const app = buildApp({
      outdir: Testing.app().outdir,
      streams: { ...defaults, contracts: [...defaults.contracts, ...syntheticContracts(6)] },
    });
    for (const stack of app.node.children.filter(TerraformStack.isStack)) {
      const ours = TributaryStack.prototype.toTerraform.call(stack);
      const cdktf = TerraformStack.prototype.toTerraform.call(stack);
      expect(ours).toEqual(cdktf);
    }
  });

  test('resolveSelectively matches cdktf resolve on tokens of every kind', () => {
    const stack = testStack();
    const bucket = new StorageBucket(stack, 'B', { name: 'b', location: 'EU' });
    const value = {
      plain: { a: 'x', n: 1, t: true, u: undefined, arr: ['p', undefined, 2] },
      ref: bucket.name,
      interpolated: `gs://${bucket.name}/path`,
      list: bucket.lifecycleRule.toString() ? [bucket.url, 'lit'] : [],
      listToken: Token.asList(bucket.name),
      number: Token.asNumber(bucket.name),
      lazy: Lazy.stringValue({ produce: () => 'late' }),
      fn: Fn.join(',', ['a', bucket.name]),
      [`key-${bucket.name}`]: 'token key',
      numberish: 'release-1e-5',
      mapish: { nested: [{ deep: bucket.selfLink }] },
    };
    expect(resolveSelectively(stack, value)).toEqual(resolve(stack, value));
  });

  test('token traces are off by default in the app and can be turned back on', () => {
    buildApp({ outdir: Testing.app().outdir });
    expect(tokenTracesEnabled()).toBe(false);
    setTokenTraces(true);
    expect(tokenTracesEnabled()).toBe(true);
    setTokenTraces(false);
  });
});

describe('cross-stack references', () => {
  test('fail synth loudly, naming the reference, since the stacks skip cdktf cross-stack preparation', () => {
    const app = Testing.app();
    const a = testStack({}, 'a', app);
    const b = testStack({}, 'b', app);
    const source = new DataBucket(a, 'Source', { bucketName: 'source-bucket', location: 'EU' });
    new DataBucket(b, 'Copy', { bucketName: `${source.resource.name}-copy`, location: 'EU' });
    const error = errorOf(() => app.synth());
    expect(error.message).toContain('references to elements outside stack b: google_storage_bucket.Source');
    expect(error.message).toContain('pass crossStackReferences: true');
  });

  test('work through remote state when a stack opts in', () => {
    const app = Testing.app();
    const a = testStack({ crossStackReferences: true }, 'a', app);
    const b = testStack({ crossStackReferences: true }, 'b', app);
    const source = new DataBucket(a, 'Source', { bucketName: 'source-bucket', location: 'EU' });
    new DataBucket(b, 'Copy', { bucketName: `${source.resource.name}-copy`, location: 'EU' });
    expect(() => app.synth()).not.toThrow();
    const copy = JSON.parse(Testing.synth(b)).resource.google_storage_bucket;
    expect(String(Object.values(copy as Record<string, { name: string }>)[0]?.name)).toMatch(
      /^\$\{data\.terraform_remote_state\./,
    );
  });

  test('danglingReferences lists interpolations whose target is not in the document', () => {
    const json = {
      resource: {
        google_storage_bucket: {
          A: { name: 'x' },
          B: { name: '${google_storage_bucket.A.name}-b', other: '${google_pubsub_topic.Gone.id}' },
        },
      },
      data: { google_project: { P: { project_id: 'p' } } },
    };
    expect(danglingReferences(json)).toEqual(['google_pubsub_topic.Gone']);
    expect(
      danglingReferences({
        resource: { x_y: { Z: { v: '${data.google_project.P.number} ${data.google_project.Q.number}' } } },
        data: json.data,
      }),
    ).toEqual(['data.google_project.Q']);
  });
});
