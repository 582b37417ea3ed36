/**
 * `npm run bench:ingest`: the built gateway (dist/runtime/ingest/server.js, publishing to the Pub/Sub stand-in in
 * its own process) under autocannon, with ~1 KB order events in batches of 1 and of 100, against a bare fastify
 * JSON echo (parses the body and sends it back) receiving the same bodies, all in this run. For each batch
 * size: events/s at full load for both and their ratio (target >= 0.5), then the gateway at half its full-load
 * rate, where p99 latency must be <= 25 ms.
 * Half load is an even schedule from paced-load.ts: autocannon's rate limit sends each second's quota in a burst.
 * Each row also shows the CPU the server (and the stand-in) used, read from /proc.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { buildRuntime } from '../../runtime/build';
import { parseCommandLine } from '../../scripts/cli';
import { validSamples } from '../contracts/fixtures';
import { freePort, MANIFEST, startBundle } from '../runtime/ingest/harness';
import { pacedLoad } from './paced-load';

// Takes no arguments (BENCH_ROUNDS sets the rounds where supported); anything else is a mistake.
parseCommandLine(process.argv.slice(2), {}, 'bench:ingest (takes no arguments)');

const DURATION_S = Number(process.env.BENCH_DURATION ?? 6);
const root = path.resolve(__dirname, '../..');

function start(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; line: Record<string, unknown> }> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const nl = buffered.indexOf('\n');
      if (nl >= 0) resolve({ child, line: JSON.parse(buffered.slice(0, nl)) });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

/** Order events of about 1 KB: a sample with enough line items. */
function events(count: number): unknown[] {
  const base = validSamples('order')[0] as Record<string, unknown>;
  return Array.from({ length: count }, (_, i) => ({
    ...base,
    order_id: `ord-bench-${i}`,
    line_items: Array.from({ length: 9 }, (_, n) => ({
      product_id: `sku-${n}`,
      quantity: 1 + (n % 3),
      unit_price: `1${n}.99`,
    })),
  }));
}

/** CPU time (user + system) a process has used so far, from /proc; undefined where /proc is not available. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them, in ticks.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

interface Run {
  readonly eventsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** Share of one core used by the server under load, and by the Pub/Sub stand-in. */
  readonly serverCores?: number;
  readonly standInCores?: number;
}

interface Target {
  readonly url: string;
  readonly pid?: number;
  readonly standInPid?: number;
}

/** Runs `measure` and adds the CPU share the server and the stand-in used meanwhile. */
async function withCpu(target: Target, measure: () => Promise<Omit<Run, 'serverCores' | 'standInCores'>>) {
  const before = [cpuMs(target.pid), cpuMs(target.standInPid)];
  const started = performance.now();
  const run = await measure();
  const elapsed = performance.now() - started;
  const share = (pid: number | undefined, was: number | undefined) => {
    const now = cpuMs(pid);
    return now === undefined || was === undefined ? undefined : (now - was) / elapsed;
  };
  return {
    ...run,
    serverCores: share(target.pid, before[0]),
    standInCores: share(target.standInPid, before[1]),
  };
}

const HEADERS = { 'content-type': 'application/json' };

/** Closed-loop load with autocannon: as fast as `connections` can go. */
function load(target: Target, body: string, batch: number, connections: number): Promise<Run> {
  return withCpu(target, async () => {
    const result = await autocannon({
      url: `${target.url}/v1/streams/order/events`,
      method: 'POST',
      headers: HEADERS,
      body,
      connections,
      duration: DURATION_S,
    });
    const ok = result['2xx'];
    return {
      requestsPerSecond: ok / DURATION_S,
      eventsPerSecond: (ok * batch) / DURATION_S,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx + result.timeouts,
    };
  });
}

/** Open-loop load at a fixed, evenly spread rate (see paced-load.ts for why not autocannon). */
function paced(target: Target, body: string, batch: number, rate: number): Promise<Run> {
  return withCpu(target, async () => {
    const r = await pacedLoad({
      url: `${target.url}/v1/streams/order/events`,
      body,
      headers: HEADERS,
      rate,
      durationS: DURATION_S,
    });
    return {
      requestsPerSecond: r.ok / DURATION_S,
      eventsPerSecond: (r.ok * batch) / DURATION_S,
      p50: Number(r.p50.toFixed(1)),
      p99: Number(r.p99.toFixed(1)),
      errors: r.errors,
    };
  });
}

async function main(): Promise<void> {
  await buildRuntime('ingest');
  const standIn = await start(['--import', 'tsx', 'test/bench/ingest-children.ts', '--role', 'stand-in']);
  // Unordered: the test manifest orders `order` by customer, and every bench event has the same customer, so
  // ordering would serialize all publishes behind one key (Pub/Sub allows one in-flight batch per key).
  const unordered = { ...MANIFEST, streams: MANIFEST.streams.map(({ orderingKey: _k, ...s }) => s) };
  const gateway = await startBundle(
    {
      PUBSUB_EMULATOR_HOST: `127.0.0.1:${standIn.line.port}`,
      LOG_LEVEL: 'warn',
      // Gateway tuning can be tried without editing this file, for example TRIBUTARY_PUBLISH_BATCH_MS=0.
      ...Object.fromEntries(
        Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('TRIBUTARY_')),
      ),
    },
    await freePort(),
    unordered,
  );
  const echo = await start([
    '--import',
    'tsx',
    'test/bench/ingest-children.ts',
    '--role',
    'echo',
    '--port',
    String(await freePort()),
  ]);
  const gatewayUrl = gateway.url;
  const gatewayTarget = { url: gatewayUrl, pid: gateway.child.pid, standInPid: standIn.child.pid };
  const echoTarget = { url: `http://127.0.0.1:${echo.line.port}`, pid: echo.child.pid };

  let missed = false;
  const rows: string[][] = [
    [
      'batch',
      'server',
      'load',
      'events/s',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'server CPU',
      'stand-in CPU',
    ],
  ];
  const cores = (c: number | undefined) => (c === undefined ? '-' : `${c.toFixed(2)} cores`);
  const row = (batch: number, server: string, kind: string, r: Run) =>
    rows.push([
      String(batch),
      server,
      kind,
      r.eventsPerSecond.toFixed(0),
      r.requestsPerSecond.toFixed(0),
      String(r.p50),
      String(r.p99),
      String(r.errors),
      cores(r.serverCores),
      cores(r.standInCores),
    ]);
  const checks: string[] = [];
  const batches = (process.env.BENCH_BATCHES ?? '1,100').split(',').map(Number);
  for (const batch of batches) {
    const payload = JSON.stringify(batch === 1 ? events(1)[0] : events(batch));
    // Enough connections that both servers run out of CPU, not of requests to serve.
    const connections = batch === 1 ? 100 : 10;
    // Warm both servers (JIT, connections, the client's channel to Pub/Sub).
    await load(gatewayTarget, payload, batch, connections).catch(() => undefined);
    const full = await load(gatewayTarget, payload, batch, connections);
    const base = await load(echoTarget, payload, batch, connections);
    const halfRate = Math.max(1, full.requestsPerSecond / 2);
    const half = await paced(gatewayTarget, payload, batch, halfRate);
    // The same schedule against the echo: the latency floor of this machine and of the load generator.
    const floor = await paced(echoTarget, payload, batch, halfRate);
    row(batch, 'gateway', 'max', full);
    row(batch, 'echo', 'max', base);
    row(batch, 'gateway', 'half of max, paced', half);
    row(batch, 'echo', 'same rate, paced', floor);
    const ratio = full.eventsPerSecond / base.eventsPerSecond;
    const okRatio = ratio >= 0.5;
    const okP99 = half.p99 <= 25;
    const okErrors = full.errors + half.errors === 0;
    missed ||= !okRatio || !okP99 || !okErrors;
    checks.push(
      `batch ${batch}: gateway / echo events/s ${ratio.toFixed(2)} (target >= 0.5) ${okRatio ? 'OK' : 'MISSED'}; ` +
        `p99 at half of max ${half.p99} ms (target <= 25) ${okP99 ? 'OK' : 'MISSED'}; ` +
        `non-2xx/errors ${full.errors + half.errors} ${okErrors ? 'OK' : 'MISSED'}`,
    );
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
  console.log(
    `\nduration ${DURATION_S} s per run; ~1 KB events; ${os.cpus().length} cores shared by autocannon, the server ` +
      'and (for the gateway) the Pub/Sub stand-in in its own process',
  );
  for (const c of checks) console.log(c);
  gateway.child.kill('SIGTERM');
  echo.child.kill();
  standIn.child.kill();
  if (missed) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
