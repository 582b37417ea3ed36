/**
 * `npm run bench:udf`: throughput of a generated Dataflow UDF on ~1 KB events, against `JSON.parse` +
 * `JSON.stringify` of the same events, both measured in this run inside the same fresh `node:vm` context (the
 * way the tests run the bundles). The UDF does everything the baseline does plus full validation, timestamp
 * normalization and metadata stamping. Target: UDF / baseline >= 0.3.
 */

import * as vm from 'node:vm';
import { UDF_FUNCTION_NAME, udfScript } from '../../contracts/generators/udf';
import { parseCommandLine } from '../../scripts/cli';
import { CONTRACTS } from '../../stacks/contracts/index';
import { validSamples } from '../contracts/fixtures';

// Takes no arguments (BENCH_ROUNDS sets the rounds where supported); anything else is a mistake.
parseCommandLine(process.argv.slice(2), {}, 'bench:udf (takes no arguments)');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const TARGET = 0.3;
const contract = CONTRACTS.find((c) => c.name === 'order');
if (!contract) throw new Error('bench:udf needs the order contract');

/** Order events of about 1 KB: a sample with enough line items, a unique id and a shifted timestamp. */
function events(): string[] {
  const base = validSamples('order')[0] as Record<string, unknown> & { line_items: unknown[] };
  const out: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const items = [];
    for (let n = 0; n < 12; n++)
      items.push({
        product_id: `sku-${(i * 7 + n) % 997}`,
        quantity: 1 + (n % 4),
        unit_price: `${10 + n}.${n % 10}9`,
      });
    const event = {
      ...base,
      order_id: `ord-${100_000 + i}`,
      line_items: items,
      order_time: `2026-03-01T${String(i % 24).padStart(2, '0')}:15:30.${String(i % 1000).padStart(3, '0')}+01:00`,
    };
    out.push(JSON.stringify(event));
  }
  return out;
}

const payloads = events();
const avgBytes = payloads.reduce((n, p) => n + Buffer.byteLength(p), 0) / payloads.length;
const context = vm.createContext(Object.create(null));
vm.runInContext(udfScript(contract), context);
vm.runInContext('function __baseline(s) { return JSON.stringify(JSON.parse(s)); }', context);
const udf = context[UDF_FUNCTION_NAME] as (s: string) => string;
const baseline = context.__baseline as (s: string) => string;

function eventsPerSecond(fn: (s: string) => string): number {
  let bytes = 0;
  const start = performance.now();
  for (const p of payloads) bytes += fn(p).length;
  const ms = performance.now() - start;
  if (bytes < payloads.length * 2) throw new Error('a transform returned an empty result');
  return payloads.length / (ms / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

// Warm both paths up so the JIT has compiled them before anything is timed.
eventsPerSecond(udf);
eventsPerSecond(baseline);
const udfRates: number[] = [];
const baseRates: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which runs first, so drift on a noisy machine hits both alike.
  if (round % 2 === 0) {
    udfRates.push(eventsPerSecond(udf));
    baseRates.push(eventsPerSecond(baseline));
  } else {
    baseRates.push(eventsPerSecond(baseline));
    udfRates.push(eventsPerSecond(udf));
  }
}

const u = median(udfRates);
const b = median(baseRates);
const ratio = u / b;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
process.stdout.write(
  [
    `bench:udf: ${payloads.length} order events of ${Math.round(avgBytes)} bytes on average, ${ROUNDS} rounds, medians`,
    `  UDF (${contract.name} v${contract.version}): ${fmt(u)} events/s`,
    `  JSON.parse + JSON.stringify baseline: ${fmt(b)} events/s`,
    `  ratio UDF / baseline: ${ratio.toFixed(2)} (target >= ${TARGET}) ${ratio >= TARGET ? 'OK' : 'MISSED'}`,
    '',
  ].join('\n'),
);
if (ratio < TARGET) process.exitCode = 1;
