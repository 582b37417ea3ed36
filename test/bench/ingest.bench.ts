/**
 * `npm run bench:ingest`: the built gateway (dist/runtime/ingest/server.js) against the anchor a user would
 * otherwise write, a minimal fastify proxy that publishes the same messages and attributes with
 * `@google-cloud/pubsub` and answers after every ack (no validation, no per-event report), and against a bare
 * fastify JSON echo, all in this run, over interleaved rounds (BENCH_ROUNDS, default 8; the order rotates each
 * round so drift on a noisy machine hits every server alike). Both publishing servers send to the same Pub/Sub
 * stand-in process (counting only). ~1 KB order events, in requests of 1 and of 100 events.
 *
 * Per batch size and round: events/s at full load (autocannon), CPU per event of the server process and of the
 * stand-in (from /proc), then latency at half of the gateway's full-load rate for the gateway, the proxy and the
 * echo on the same even schedule (paced-load.ts). Medians over the rounds are checked against the targets:
 * gateway events/s >= 0.8 x the proxy's; gateway CPU per event <= 1.3 x the proxy's + 10 us; gateway p99 at half
 * load <= 25 ms and <= the proxy's p99 at the same rate + 10 ms.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { buildRuntime } from '../../runtime/build';
import { parseCommandLine } from '../../scripts/cli';
import { validSamples } from '../contracts/fixtures';
import { freePort, MANIFEST, startBundle, topicOf } from '../runtime/ingest/harness';
import { pacedLoad } from './paced-load';

// Takes no arguments (BENCH_ROUNDS sets the rounds where supported); anything else is a mistake.
parseCommandLine(process.argv.slice(2), {}, 'bench:ingest (takes no arguments)');

const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
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
  /** CPU microseconds per event of the server process, and of the Pub/Sub stand-in. */
  readonly serverUsPerEvent?: number;
  readonly standInUsPerEvent?: number;
}

interface Target {
  readonly url: string;
  readonly pid?: number;
  readonly standInPid?: number;
}

/** Runs `measure` and adds the CPU the server and the stand-in used meanwhile, per event served. */
async function withCpu(
  target: Target,
  measure: () => Promise<Omit<Run, 'serverUsPerEvent' | 'standInUsPerEvent'>>,
): Promise<Run> {
  const before = [cpuMs(target.pid), cpuMs(target.standInPid)];
  const run = await measure();
  const events = run.eventsPerSecond * DURATION_S;
  const perEvent = (pid: number | undefined, was: number | undefined) => {
    const now = cpuMs(pid);
    return now === undefined || was === undefined || events === 0 ? undefined : ((now - was) * 1000) / events;
  };
  return {
    ...run,
    serverUsPerEvent: perEvent(target.pid, before[0]),
    standInUsPerEvent: perEvent(target.standInPid, before[1]),
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

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const range = (xs: readonly number[], digits = 0) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

type Server = 'gateway' | 'proxy' | 'echo';
const SERVERS: readonly Server[] = ['gateway', 'proxy', 'echo'];

interface Samples {
  readonly max: Record<Server, Run[]>;
  readonly half: Record<Server, Run[]>;
}

async function main(): Promise<void> {
  await buildRuntime('ingest');
  const standIn = await start(['--import', 'tsx', 'test/bench/ingest-children.ts', '--role', 'stand-in']);
  const emulator = `127.0.0.1:${standIn.line.port}`;
  // Unordered: large requests then take the direct publish path (ordered streams keep the batching client).
  const unordered = { ...MANIFEST, streams: MANIFEST.streams.map(({ orderingKey: _k, ...s }) => s) };
  const gateway = await startBundle(
    {
      PUBSUB_EMULATOR_HOST: emulator,
      LOG_LEVEL: 'warn',
      // Gateway tuning can be tried without editing this file, for example TRIBUTARY_PUBLISH_BATCH_MS=0.
      ...Object.fromEntries(
        Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('TRIBUTARY_')),
      ),
    },
    await freePort(),
    unordered,
  );
  const child = async (role: string, extra: string[] = []) => {
    const port = await freePort();
    const c = await start(
      ['--import', 'tsx', 'test/bench/ingest-children.ts', '--role', role, '--port', String(port), ...extra],
      { PUBSUB_EMULATOR_HOST: emulator, METADATA_SERVER_DETECTION: 'none' },
    );
    return { child: c.child, url: `http://127.0.0.1:${port}` };
  };
  const proxy = await child('proxy', ['--topic', topicOf('order')]);
  const echo = await child('echo');
  const targets: Record<Server, Target> = {
    gateway: { url: gateway.url, pid: gateway.child.pid, standInPid: standIn.child.pid },
    proxy: { url: proxy.url, pid: proxy.child.pid, standInPid: standIn.child.pid },
    echo: { url: echo.url, pid: echo.child.pid },
  };

  const batches = (process.env.BENCH_BATCHES ?? '1,100').split(',').map(Number);
  const payloads = new Map(batches.map((b) => [b, JSON.stringify(b === 1 ? events(1)[0] : events(b))]));
  // Enough connections that every server runs out of CPU, not of requests to serve.
  const connections = (batch: number) => (batch === 1 ? 100 : 10);
  const samples = new Map<number, Samples>(
    batches.map((b) => [
      b,
      {
        max: { gateway: [], proxy: [], echo: [] },
        half: { gateway: [], proxy: [], echo: [] },
      },
    ]),
  );
  // Warm every server (JIT, connections, the clients' channels to Pub/Sub).
  for (const batch of batches)
    for (const s of SERVERS)
      await load(targets[s], payloads.get(batch) as string, batch, connections(batch)).catch(() => undefined);
  for (let round = 0; round < ROUNDS; round++) {
    const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length] as Server);
    for (const batch of batches) {
      const payload = payloads.get(batch) as string;
      const s = samples.get(batch) as Samples;
      for (const server of order)
        s.max[server].push(await load(targets[server], payload, batch, connections(batch)));
      // Half of this round's gateway maximum, the same even schedule for all three.
      const rate = Math.max(1, (s.max.gateway.at(-1) as Run).requestsPerSecond / 2);
      for (const server of order) s.half[server].push(await paced(targets[server], payload, batch, rate));
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }

  const rows: string[][] = [
    [
      'batch',
      'server',
      'events/s at max',
      'CPU us/event server',
      'CPU us/event stand-in',
      'p99 ms at half',
      'errors',
    ],
  ];
  const checks: string[] = [];
  let missed = false;
  for (const batch of batches) {
    const s = samples.get(batch) as Samples;
    const med = (server: Server, f: (r: Run) => number | undefined, kind: 'max' | 'half' = 'max') =>
      s[kind][server].map(f).filter((v): v is number => v !== undefined);
    for (const server of SERVERS) {
      const errors = [...s.max[server], ...s.half[server]].reduce((n, r) => n + r.errors, 0);
      const standIn = med(server, (r) => r.standInUsPerEvent);
      rows.push([
        String(batch),
        server,
        range(med(server, (r) => r.eventsPerSecond)),
        range(
          med(server, (r) => r.serverUsPerEvent),
          1,
        ),
        standIn.length > 0 ? range(standIn, 1) : '-',
        range(
          med(server, (r) => r.p99, 'half'),
          1,
        ),
        String(errors),
      ]);
    }
    const eps = (server: Server) => median(med(server, (r) => r.eventsPerSecond));
    const cpu = (server: Server) => median(med(server, (r) => r.serverUsPerEvent));
    const p99 = (server: Server) => median(med(server, (r) => r.p99, 'half'));
    const ratio = eps('gateway') / eps('proxy');
    const cpuBound = 1.3 * cpu('proxy') + 10;
    const errors = ['gateway', 'proxy'].reduce(
      (n, server) =>
        n + [...s.max[server as Server], ...s.half[server as Server]].reduce((m, r) => m + r.errors, 0),
      0,
    );
    const ok = {
      ratio: ratio >= 0.8,
      cpu: cpu('gateway') <= cpuBound,
      p99: p99('gateway') <= 25,
      p99VsProxy: p99('gateway') <= p99('proxy') + 10,
      errors: errors === 0,
    };
    missed ||= Object.values(ok).some((v) => !v);
    const mark = (v: boolean) => (v ? 'OK' : 'MISSED');
    checks.push(
      `batch ${batch}: gateway / proxy events/s ${ratio.toFixed(2)} (target >= 0.8) ${mark(ok.ratio)}; ` +
        `gateway CPU ${cpu('gateway').toFixed(1)} us/event vs proxy ${cpu('proxy').toFixed(1)} (target <= ${cpuBound.toFixed(1)}) ${mark(ok.cpu)}; ` +
        `p99 at half load ${p99('gateway').toFixed(1)} ms (target <= 25) ${mark(ok.p99)}, proxy ${p99('proxy').toFixed(1)} ms (target gateway <= proxy + 10) ${mark(ok.p99VsProxy)}; ` +
        `non-2xx/errors ${errors} ${mark(ok.errors)}; gateway / echo events/s ${(eps('gateway') / eps('echo')).toFixed(2)}`,
    );
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
  console.log(
    `\nmedians (min-max) over ${ROUNDS} interleaved rounds; ${DURATION_S} s per run; ~1 KB events; ${os.cpus().length} cores ` +
      'shared by the load generator, the server and the Pub/Sub stand-in',
  );
  for (const c of checks) console.log(c);
  gateway.child.kill('SIGTERM');
  proxy.child.kill();
  echo.child.kill();
  standIn.child.kill();
  if (missed) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
