/**
 * `npm run bench:ingest`: the built gateway (dist/runtime/ingest/server.js, publishing to the Pub/Sub stand-in in
 * its own process) under autocannon, with ~1 KB order events in batches of 1 and of 100, against a bare fastify
 * JSON echo receiving the same bodies, all in this run. For each batch size: events/s at full load for both and
 * their ratio (target >= 0.5), then the gateway at half its full-load rate, where p99 latency must be <= 25 ms.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { serializeGatewayManifest } from '../../contracts/gateway';
import { buildRuntime } from '../../runtime/build';
import { validSamples } from '../contracts/fixtures';
import { MANIFEST } from '../runtime/ingest/harness';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 6);
const root = path.resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

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

async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not become healthy`);
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

interface Run {
  readonly eventsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

async function load(
  url: string,
  body: string,
  batch: number,
  connections: number,
  overallRate?: number,
): Promise<Run> {
  const result = await autocannon({
    url: `${url}/v1/streams/order/events`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: DURATION_S,
    ...(overallRate ? { overallRate } : {}),
  });
  const ok = result['2xx'];
  return {
    requestsPerSecond: ok / DURATION_S,
    eventsPerSecond: (ok * batch) / DURATION_S,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

async function main(): Promise<void> {
  const bundle = await buildRuntime('ingest');
  const standIn = await start(['--import', 'tsx', 'test/bench/ingest-children.ts', '--role', 'stand-in']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-ingest-'));
  // Unordered: the test manifest orders `order` by customer, and every bench event has the same customer, so
  // ordering would serialize all publishes behind one key (Pub/Sub allows one in-flight batch per key).
  const unordered = { ...MANIFEST, streams: MANIFEST.streams.map(({ orderingKey: _k, ...s }) => s) };
  fs.writeFileSync(path.join(dir, 'manifest.json'), serializeGatewayManifest(unordered));
  const gatewayPort = await freePort();
  const gateway = spawn(process.execPath, [bundle.file], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      GOOGLE_CLOUD_PROJECT: 'trb-test-project',
      TRIBUTARY_INGEST_MANIFEST: path.join(dir, 'manifest.json'),
      TRIBUTARY_METRICS_PORT: '0',
      PUBSUB_EMULATOR_HOST: `127.0.0.1:${standIn.line.port}`,
      METADATA_SERVER_DETECTION: 'none',
      LOG_LEVEL: 'warn',
      // Gateway tuning can be tried without editing this file, for example TRIBUTARY_PUBLISH_BATCH_MS=0.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TRIBUTARY_'))),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const echo = await start([
    '--import',
    'tsx',
    'test/bench/ingest-children.ts',
    '--role',
    'echo',
    '--port',
    String(await freePort()),
  ]);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const echoUrl = `http://127.0.0.1:${echo.line.port}`;
  await waitHealthy(gatewayUrl);

  let missed = false;
  const rows: string[][] = [['batch', 'server', 'load', 'events/s', 'req/s', 'p50 ms', 'p99 ms', 'errors']];
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
    ]);
  const checks: string[] = [];
  const batches = (process.env.BENCH_BATCHES ?? '1,100').split(',').map(Number);
  for (const batch of batches) {
    const payload = JSON.stringify(batch === 1 ? events(1)[0] : events(batch));
    // Enough connections that both servers run out of CPU, not of requests to serve.
    const connections = batch === 1 ? 100 : 10;
    // Warm both servers (JIT, connections, the client's channel to Pub/Sub).
    await load(gatewayUrl, payload, batch, connections).catch(() => undefined);
    const full = await load(gatewayUrl, payload, batch, connections);
    const base = await load(echoUrl, payload, batch, connections);
    const half = await load(
      gatewayUrl,
      payload,
      batch,
      connections,
      Math.max(1, Math.floor(full.requestsPerSecond / 2)),
    );
    row(batch, 'gateway', 'max', full);
    row(batch, 'echo', 'max', base);
    row(batch, 'gateway', 'half of max', half);
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
  console.log(`\nduration ${DURATION_S} s per run; ~1 KB events; Pub/Sub stand-in in its own process`);
  for (const c of checks) console.log(c);
  gateway.kill('SIGTERM');
  echo.child.kill();
  standIn.child.kill();
  if (missed) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
