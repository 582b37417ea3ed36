/**
 * The built bundle (`npm run build:runtime`, the file the Dockerfile ships) started as a child process on
 * 127.0.0.1, driven over HTTP, publishing with the real @google-cloud/pubsub client to the Pub/Sub stand-in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildRuntime } from '../../../runtime/build';
import { validSamples } from '../../contracts/fixtures';
import { BUNDLE, freePort, partnerKey, type RunningGateway, startBundle, topicOf } from './harness';
import { PubSubStandIn } from './pubsub-stand-in';

let standIn: PubSubStandIn;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  const built = await buildRuntime('ingest');
  expect(built.file).toBe(BUNDLE);
  standIn = await PubSubStandIn.start({}, 7);
}, 120_000);

afterAll(async () => {
  await standIn.stop();
});

beforeEach(() => {
  standIn.clear();
  standIn.setFaults({});
});

afterEach(async () => {
  if (gateway && gateway.child.exitCode === null) {
    gateway.child.kill('SIGKILL');
    await gateway.exited;
  }
  gateway = undefined;
});

/** Order events with unique ids and customers, so every one can be traced to the stand-in. */
function orders(prefix: string, count: number): Record<string, unknown>[] {
  const base = validSamples('order')[0] as Record<string, unknown>;
  return Array.from({ length: count }, (_, i) => ({
    ...base,
    order_id: `${prefix}-${i}`,
    customer_id: `c-${i % 7}`,
  }));
}

type Result = { index: number; status: 'accepted' | 'rejected' | 'failed'; eventId?: string };

async function send(url: string, events: unknown[], headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/v1/streams/order/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(events),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { results?: Result[]; error?: string },
  };
}

test('serves events end to end: validated, published with attributes, acknowledged, metrics on localhost', async () => {
  const metricsPort = await freePort();
  gateway = await startBundle(
    { PUBSUB_EMULATOR_HOST: standIn.host, TRIBUTARY_METRICS_PORT: String(metricsPort) },
    await freePort(),
  );
  const events = orders('e2e', 5);
  const res = await send(gateway.url, [...events, { order_id: 7 }], { 'x-tributary-source': 'mobile' });
  expect(res.status).toBe(207);
  expect(res.body.results?.map((r) => r.status)).toEqual([
    'accepted',
    'accepted',
    'accepted',
    'accepted',
    'accepted',
    'rejected',
  ]);
  const stored = standIn.messages(topicOf('order'));
  expect(stored.map((m) => m.attributes.event_id).sort()).toEqual(
    events.map((e) => String(e.order_id)).sort(),
  );
  expect(stored[0]?.attributes).toMatchObject({ stream: 'order', schema_version: '1.0.0', source: 'mobile' });
  expect(stored.every((m) => m.orderingKey.startsWith('c-'))).toBe(true);
  expect(await (await fetch(`${gateway.url}/readyz`)).json()).toEqual({ status: 'ready', streams: 6 });
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(metrics).toContain('tributary_ingest_events_total{outcome="accepted",stream="order"} 5');
  const lines = gateway
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  expect(lines.map((l) => JSON.parse(l).severity)).toContain('INFO');
}, 60_000);

test('fault injection: no event reported accepted is missing from Pub/Sub, and every failure is reported', async () => {
  gateway = await startBundle(
    { PUBSUB_EMULATOR_HOST: standIn.host, TRIBUTARY_PUBLISH_TIMEOUT_MS: '300' },
    await freePort(),
  );
  standIn.setFaults({ failRate: 0.7, delayMs: [0, 60] });
  const batches = Array.from({ length: 40 }, (_, b) => orders(`fault-${b}`, 10));
  // In waves of 5 concurrent requests, so the client's batches (and their retry chains) are many.
  const responses: Awaited<ReturnType<typeof send>>[] = [];
  for (let w = 0; w < batches.length; w += 5)
    responses.push(
      ...(await Promise.all(batches.slice(w, w + 5).map((events) => send(gateway?.url ?? '', events)))),
    );
  const storedIds = new Set(standIn.messages().map((m) => m.attributes.event_id));
  let accepted = 0;
  let failed = 0;
  responses.forEach((res, b) => {
    expect([200, 503]).toContain(res.status);
    const results = res.body.results ?? [];
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    for (const r of results) {
      const id = String(batches[b]?.[r.index]?.order_id);
      if (r.status === 'accepted') {
        accepted++;
        expect(storedIds.has(id)).toBe(true);
      } else {
        failed++;
        expect(r.status).toBe('failed');
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
      }
    }
  });
  expect(accepted + failed).toBe(400);
  // Both paths ran: some events made it through retries, some ran out of time and were reported failed.
  expect(accepted).toBeGreaterThan(0);
  expect(failed).toBeGreaterThan(0);
  expect(standIn.failedCalls).toBeGreaterThan(0);
}, 60_000);

/**
 * Partner events at and past Pub/Sub's limits, on the `drop` stream: long ids (event_id over 1,024 bytes),
 * dozens of undeclared fields (a `dropped_fields` list far over 1,024 bytes), and bodies that are not UTF-8.
 */
function hostilePartnerRequest(
  tag: string,
  n: number,
): { body: Buffer | string; events: Record<string, unknown>[] } {
  if (n % 5 === 4)
    return {
      body: Buffer.from(`{"partner_event_id":"${tag}-Zürich","sent_at":"2026-11-29T10:00:00Z"}`, 'latin1'),
      events: [],
    };
  const events = Array.from({ length: 6 }, (_, i) => ({
    partner_event_id: i === 0 && n % 2 === 0 ? `${tag}-${'k'.repeat(1100)}` : `${tag}-${i}`,
    note: 'Zürich 東京 🚀',
    sent_at: '2026-11-29T10:00:00+02:00',
    ...Object.fromEntries(Array.from({ length: 40 + n }, (_, f) => [`undeclared_${f}_${'x'.repeat(20)}`, f])),
  }));
  return { body: JSON.stringify(events), events };
}

async function sendPartner(url: string, body: Buffer | string) {
  const res = await fetch(`${url}/v1/streams/partner_event/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { results?: (Result & { droppedFields?: string[] })[]; error?: string },
  };
}

test('hostile partner events under faults: only the bad events are rejected, nothing accepted is lost or altered', async () => {
  gateway = await startBundle(
    { PUBSUB_EMULATOR_HOST: standIn.host, TRIBUTARY_PUBLISH_TIMEOUT_MS: '400' },
    await freePort(),
  );
  standIn.setFaults({ failRate: 0.4, delayMs: [0, 40] });
  const requests = Array.from({ length: 60 }, (_, n) => hostilePartnerRequest(`h${n}`, n));
  const responses = await Promise.all(requests.map((r) => sendPartner(gateway?.url ?? '', r.body)));
  const stored = new Map(standIn.messages(topicOf('partner_event')).map((m) => [m.attributes.event_id, m]));
  let accepted = 0;
  responses.forEach((res, n) => {
    const { events } = requests[n] as ReturnType<typeof hostilePartnerRequest>;
    if (events.length === 0) {
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^the body is not valid UTF-8: invalid byte sequence at byte \d+$/);
      return;
    }
    // Faults are the only source of 5xx, and they are retryable.
    expect([200, 207, 503]).toContain(res.status);
    if (res.status === 503) expect(res.headers.get('retry-after')).toBe('5');
    for (const r of res.body.results ?? []) {
      const event = events[r.index] as Record<string, unknown>;
      const tooLong = String(event.partner_event_id).length > 1024;
      if (tooLong) expect(r.status).toBe('rejected');
      else expect(['accepted', 'failed']).toContain(r.status);
      if (r.status !== 'accepted') continue;
      accepted++;
      const message = stored.get(String(event.partner_event_id));
      expect(message).toBeDefined();
      const declared = { partner_event_id: event.partner_event_id, note: event.note, sent_at: event.sent_at };
      expect(JSON.parse(message?.data.toString('utf8') ?? '')).toEqual(declared);
      expect(r.droppedFields).toHaveLength(Object.keys(event).length - 3);
      expect(Buffer.byteLength(message?.attributes.dropped_fields ?? '')).toBeLessThanOrEqual(1024);
    }
  });
  expect(accepted).toBeGreaterThan(50);
  expect(standIn.refusedCalls).toBe(0);
}, 60_000);

test('SIGTERM under load: stops accepting, finishes in-flight requests, flushes, exits 0, loses no accepted event', async () => {
  gateway = await startBundle({ PUBSUB_EMULATOR_HOST: standIn.host }, await freePort());
  standIn.setFaults({ delayMs: [20, 120] });
  const accepted: string[] = [];
  const refused: number[] = [];
  let stop = false;
  let sent = 0;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const events = orders(`term-${w}-${i}`, 5);
      sent++;
      try {
        const res = await send(gateway?.url ?? '', events);
        for (const r of res.body.results ?? [])
          if (r.status === 'accepted') accepted.push(String(events[r.index]?.order_id));
        if (res.status !== 200) refused.push(res.status);
      } catch {
        // Connection refused or reset once the server has closed: the client was told nothing was accepted.
        refused.push(0);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const partnerAccepted: string[] = [];
  const partnerWorker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const { body, events } = hostilePartnerRequest(`pt-${w}-${i}`, i);
      try {
        const res = await sendPartner(gateway?.url ?? '', body);
        for (const r of res.body.results ?? [])
          if (r.status === 'accepted') partnerAccepted.push(String(events[r.index]?.partner_event_id));
        if (![200, 207, 400].includes(res.status)) refused.push(res.status);
      } catch {
        refused.push(0);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const workers = [
    ...Array.from({ length: 10 }, (_, w) => worker(w)),
    ...Array.from({ length: 3 }, (_, w) => partnerWorker(w)),
  ];
  await new Promise((r) => setTimeout(r, 600));
  gateway.child.kill('SIGTERM');
  const code = await gateway.exited;
  await new Promise((r) => setTimeout(r, 200));
  stop = true;
  await Promise.all(workers);
  expect(code).toBe(0);
  expect(accepted.length).toBeGreaterThan(50);
  const stored = new Set(standIn.messages().map((m) => m.attributes.event_id));
  expect(accepted.filter((id) => !stored.has(id))).toEqual([]);
  expect(partnerAccepted.length).toBeGreaterThan(10);
  expect(partnerAccepted.filter((id) => !stored.has(id))).toEqual([]);
  expect(refused.every((s) => s === 0 || s === 503)).toBe(true);
  expect(gateway.output()).toContain('"message":"ingest gateway stopped"');
  expect(sent).toBeGreaterThan(accepted.length / 5);
}, 60_000);

test('partner keys from the mounted file: accepted, reloaded when rotated, and never written to the log', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-keys-'));
  const keysPath = path.join(dir, 'keys.json');
  const acme = partnerKey('acme', ['order']);
  const globex = partnerKey('globex', ['order']);
  fs.writeFileSync(keysPath, JSON.stringify({ keysVersion: 1, keys: [acme.record] }));
  gateway = await startBundle(
    {
      PUBSUB_EMULATOR_HOST: standIn.host,
      TRIBUTARY_AUTH_MODE: 'api-key',
      TRIBUTARY_API_KEYS: keysPath,
      TRIBUTARY_KEYS_RELOAD_MS: '1000',
    },
    await freePort(),
  );
  expect((await send(gateway.url, orders('k', 1), { 'x-api-key': acme.key })).status).toBe(200);
  expect((await send(gateway.url, orders('k2', 1))).status).toBe(401);
  expect((await send(gateway.url, orders('k3', 1), { 'x-api-key': globex.key })).status).toBe(401);
  fs.writeFileSync(keysPath, JSON.stringify({ keysVersion: 1, keys: [globex.record] }));
  const deadline = Date.now() + 5000;
  let status = 0;
  while (Date.now() < deadline && status !== 200) {
    await new Promise((r) => setTimeout(r, 200));
    status = (await send(gateway.url, orders('k4', 1), { 'x-api-key': globex.key })).status;
  }
  expect(status).toBe(200);
  expect((await send(gateway.url, orders('k5', 1), { 'x-api-key': acme.key })).status).toBe(401);
  expect(
    standIn
      .messages()
      .map((m) => m.attributes.source)
      .sort(),
  ).toEqual(['partner:acme', 'partner:globex']);
  const log = gateway.output();
  expect(log).toContain('partner API keys reloaded');
  for (const k of [acme.key, globex.key]) expect(log).not.toContain(k.slice(5));
}, 60_000);

test('fails to start on a bad configuration, logging every problem as one CRITICAL line', async () => {
  await expect(
    startBundle({ TRIBUTARY_AUTH_MODE: 'open', TRIBUTARY_MAX_EVENTS: '0' }, await freePort()),
  ).rejects.toThrow(
    /"severity":"CRITICAL","message":"ingest gateway failed to start: ingest gateway configuration \(environment variables\): 2 problems\\n {2}- TRIBUTARY_AUTH_MODE = \\"open\\": must be \\"iam\\" or \\"api-key\\"/,
  );
}, 30_000);
