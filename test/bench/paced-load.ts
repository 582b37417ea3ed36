/**
 * An open-loop load generator for latency at a fixed rate, because autocannon cannot pace: with
 * `overallRate` each connection sends its whole per-second quota back to back at the start of every second and
 * then waits (lib/httpClient.js), so "half of max" is full load for half of each second; and its
 * coordinated-omission correction uses an expected interval of ceil(1 / per-connection rate) = 1 ms, so one
 * 30 ms response is recorded as 30 samples (lib/run.js). Here requests are sent on an even schedule and each
 * latency is measured from the time the request was due, not from when it was sent, so a stalled server is
 * charged for the requests it delayed (the correction autocannon intends, wrk2-style). The schedule starts with
 * a warm-up that is not recorded: it opens the connections a steady state needs (opening hundreds of them at
 * once delays the first half second by up to ~300 ms, which would otherwise be most of the 99th percentile).
 */
import * as http from 'node:http';

export interface PacedResult {
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
}

export interface PacedOptions {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Requests per second, spread evenly. */
  readonly rate: number;
  /** Measured time, after the warm-up. */
  readonly durationS: number;
  /** @default 1 */
  readonly warmupS?: number;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);

export async function pacedLoad(options: PacedOptions): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const target = new URL(options.url);
  const body = Buffer.from(options.body);
  const intervalMs = 1000 / options.rate;
  const warmup = Math.floor(options.rate * (options.warmupS ?? 1));
  const total = warmup + Math.floor(options.rate * options.durationS);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let sent = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();

  const send = (due: number, recorded: boolean) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { ...options.headers, 'content-length': String(body.length) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (recorded) {
              latencies.push(performance.now() - due);
              if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) ok++;
              else errors++;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        if (recorded) errors++;
        resolve();
      });
      req.end(body);
    });

  // Each tick sends every request that has fallen due, so the schedule holds at rates above the timer's 1 ms.
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        pending.push(send(start + sent * intervalMs, sent >= warmup));
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
      else done();
    };
    tick();
  });
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    sent: sent - warmup,
    ok,
    errors,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}
