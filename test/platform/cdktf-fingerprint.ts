/**
 * Child process of public-api.test.ts, run with plain node (tsx) so the module cache is node's own: synthesizes
 * a plain cdktf app, fingerprints every loaded cdktf and constructs module (each export and, for classes, each
 * prototype and static member, by identity), then imports every module given on the command line and does
 * both again. Prints what changed as JSON.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { App, Fn, TerraformOutput, TerraformStack } from 'cdktf';

type Fingerprint = Map<string, unknown>;

function fingerprint(): Fingerprint {
  const out: Fingerprint = new Map();
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!mod || !/[\\/]node_modules[\\/](cdktf|constructs)[\\/]/.test(file)) continue;
    const exports = mod.exports as Record<string, unknown> | null;
    if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) continue;
    for (const key of Object.getOwnPropertyNames(exports)) {
      const value = Object.getOwnPropertyDescriptor(exports, key)?.value;
      out.set(`${file}#${key}`, value);
      if (typeof value !== 'function') continue;
      for (const [owner, target] of [
        ['static', value],
        ['prototype', (value as { prototype?: object }).prototype],
      ] as const) {
        if (!target) continue;
        for (const member of Object.getOwnPropertyNames(target)) {
          const d = Object.getOwnPropertyDescriptor(target, member);
          out.set(`${file}#${key}.${owner}.${member}`, d?.value ?? d?.get ?? d?.set);
        }
      }
    }
  }
  return out;
}

function plainApp(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plain-cdktf-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'plain');
  new GoogleProvider(stack, 'google', { project: 'plain-project' });
  const bucket = new StorageBucket(stack, 'Bucket', { name: 'plain-bucket', location: 'EU' });
  new StorageBucket(stack, 'Copy', {
    name: Fn.join('-', [bucket.name, 'copy']),
    location: 'EU',
    dependsOn: [bucket],
  });
  new TerraformOutput(stack, 'Url', { value: bucket.url });
  app.synth();
  const text = fs.readFileSync(path.join(outdir, 'stacks', 'plain', 'cdk.tf.json'), 'utf8');
  fs.rmSync(outdir, { recursive: true, force: true });
  return text;
}

const env = { ...process.env };
const before = fingerprint();
const outputBefore = plainApp();
const modules = process.argv.slice(2);
for (const m of modules) require(path.resolve(m));
const after = fingerprint();
const changed = [...before.keys()].filter((k) => !Object.is(after.get(k), before.get(k)));
const envChanged = [...new Set([...Object.keys(env), ...Object.keys(process.env)])].filter(
  (k) => env[k] !== process.env[k],
);
process.stdout.write(
  JSON.stringify({
    imported: modules.length,
    fingerprinted: before.size,
    changed,
    envChanged,
    sameOutput: plainApp() === outputBefore,
  }),
);
