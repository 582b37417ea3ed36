import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import {
  Annotations,
  Fn,
  Lazy,
  TerraformIterator,
  TerraformOutput,
  TerraformStack,
  Testing,
  Token,
} from 'cdktf';
import { resolve } from 'cdktf/lib/_tokens';
import { StackSynthesizer } from 'cdktf/lib/synthesize/synthesizer';
import { Construct } from 'constructs';
import fc from 'fast-check';
import {
  mayHoldNumberToken,
  NUMBER_TOKEN,
  resolveSelectively,
} from '../../constructs/core/selective-resolve';

import tokenMap = require('cdktf/lib/tokens/private/token-map');

import {
  originalRegisterStringKey,
  setTokenTraces,
  tokenTracesEnabled,
} from '../../constructs/core/cdktf-tokens';
import { TributaryStackSynthesizer } from '../../constructs/platform/stack-synthesizer';
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

  test("string token keys are cdktf's own: same text, same counter, same lookup", () => {
    type Keys = {
      registerStringKey(token: unknown, hint?: string): string;
      lookupToken(key: string): unknown;
    };
    const ours = new tokenMap.TokenMap() as unknown as Keys;
    const theirs = new tokenMap.TokenMap() as unknown as Keys;
    expect(ours.registerStringKey).not.toBe(originalRegisterStringKey);
    for (const hint of [undefined, '', 'bucket.name', 'a b/c$d', 'Ünïcode', 'x'.repeat(200), 'TOKEN']) {
      const token = { hint };
      const key = ours.registerStringKey(token, hint);
      expect(key).toBe(originalRegisterStringKey.call(theirs, token, hint));
      expect(ours.lookupToken(key)).toBe(token);
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
      // Literal text and references only: resolved without cdktf's per-string contexts.
      twoRefs: `${bucket.name}/${bucket.id}`,
      numberishAroundRef: `1.5e-5-${bucket.name}`,
      // Left to cdktf: escapes, braces in the literal text, a reference next to another token kind.
      escaped: `$${bucket.name}`,
      braces: `{"bucket":"${bucket.name}"}`,
      mixed: `${bucket.name}-${Lazy.stringValue({ produce: () => 'late' })}`,
    };
    expect(resolveSelectively(stack, value)).toEqual(resolve(stack, value));
  });

  test("mayHoldNumberToken agrees with cdktf's number-token pattern on any string", () => {
    const near = fc.constantFrom(...'-|.+eE0123456789abcxyz _/{}$'.split(''));
    const dense = fc.array(near, { maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.oneof(dense, fc.string(), fc.string({ unit: 'grapheme' })), (s) => {
        expect(mayHoldNumberToken(s)).toBe(NUMBER_TOKEN.test(s));
      }),
      { numRuns: 5000 },
    );
    for (const s of [
      String(Token.asNumber(Lazy.numberValue({ produce: () => 1 }))),
      'v1.2e3',
      'e-e',
      '-e',
      'e1',
    ])
      expect(mayHoldNumberToken(s)).toBe(NUMBER_TOKEN.test(s));
  });

  test('a reference cdktf prepared for another stack resolves to its cross-stack identifier, as in cdktf', () => {
    const app = Testing.app();
    const a = testStack({ crossStackReferences: true }, 'a', app);
    const b = testStack({ crossStackReferences: true }, 'b', app);
    const source = new StorageBucket(a, 'Source', { name: 'source-bucket', location: 'EU' });
    const value = { name: `${source.name}-copy`, plain: source.name };
    resolve(b, value, true);
    const resolved = resolveSelectively(b, value) as { name: string };
    expect(resolved).toEqual(resolve(b, value));
    expect(resolved.name).toMatch(/^\$\{data\.terraform_remote_state\./);
  });

  test("resources with meta-arguments, overrides, imports and moves render as cdktf's", () => {
    const app = Testing.app();
    const stack = testStack({}, 'meta', app);
    const plain = new StorageBucket(stack, 'Plain', { name: 'plain', location: 'EU' });
    new StorageBucket(stack, 'DependsOn', { name: 'd', location: 'EU', dependsOn: [plain] });
    new StorageBucket(stack, 'Lifecycle', {
      name: 'l',
      location: 'EU',
      lifecycle: { preventDestroy: true, ignoreChanges: ['labels'] },
    });
    new StorageBucket(stack, 'Count', { name: 'c', location: 'EU', count: 2 });
    new StorageBucket(stack, 'ForEach', {
      name: 'f',
      location: 'EU',
      forEach: TerraformIterator.fromList(['x', 'y']),
    });
    const overridden = new StorageBucket(stack, 'Overridden', { name: 'o', location: 'EU' });
    overridden.addOverride('labels.team', 'data');
    overridden.addOverride('//.note', 'kept');
    overridden.addOverride('location', undefined);
    new StorageBucket(stack, 'Imported', { name: 'i', location: 'EU' }).importFrom('i');
    new StorageBucket(stack, 'Moved', { name: 'm', location: 'EU' }).moveFromId('google_storage_bucket.old');
    new TerraformOutput(new Construct(stack, 'Nested'), 'BucketUrl', { value: plain.url });
    expect(TributaryStack.prototype.toTerraform.call(stack)).toEqual(
      TerraformStack.prototype.toTerraform.call(stack),
    );
  });

  test("TributaryStackSynthesizer writes the same cdk.tf.json bytes as cdktf's StackSynthesizer", () => {
    const defaults = defaultStreams();
    const streams = { ...defaults, contracts: [...defaults.contracts, ...syntheticContracts(3)] };
    const ours = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-ours-'));
    const theirs = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cdktf-'));
    buildApp({ outdir: ours, streams }).synth();
    const reference = buildApp({ outdir: theirs, streams });
    for (const stack of reference.node.children.filter(TerraformStack.isStack)) {
      expect(stack.synthesizer).toBeInstanceOf(TributaryStackSynthesizer);
      stack.synthesizer = new StackSynthesizer(stack);
    }
    reference.synth();
    for (const name of ['bootstrap', 'dev', 'staging', 'prod']) {
      const file = path.join('stacks', name, 'cdk.tf.json');
      expect(fs.readFileSync(path.join(ours, file), 'utf8')).toBe(
        fs.readFileSync(path.join(theirs, file), 'utf8'),
      );
    }
    expect(fs.readFileSync(path.join(ours, 'manifest.json'), 'utf8')).toBe(
      fs.readFileSync(path.join(theirs, 'manifest.json'), 'utf8'),
    );
  });

  test("the synthesizer stops on error annotations with cdktf's message, unless told to continue", () => {
    const stack = testStack();
    new DataBucket(stack, 'B', { bucketName: 'trb-test-b', location: 'EU' });
    Annotations.of(stack).addError('something is wrong');
    const error = errorOf(() => Testing.fullSynth(stack));
    expect(error.message).toContain('Encountered Annotations with level "ERROR":\n[test] something is wrong');
    const lenient = testStack({}, 'lenient');
    (lenient as unknown as { synthesizer: TributaryStackSynthesizer }).synthesizer =
      new TributaryStackSynthesizer(lenient, true, false);
    Annotations.of(lenient).addError('reported, not fatal');
    const outdir = Testing.fullSynth(lenient);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.stacks.lenient.annotations).toEqual([
      expect.objectContaining({
        constructPath: 'lenient',
        level: '@cdktf/error',
        message: 'reported, not fatal',
      }),
    ]);
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
