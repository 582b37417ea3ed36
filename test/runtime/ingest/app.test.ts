import { defineContract, field, t } from '../../../contracts/dsl';
import type { GatewayManifest } from '../../../contracts/gateway';
import type { EventPublisher } from '../../../runtime/ingest/publisher';
import { validSamples } from '../../contracts/fixtures';
import {
  buildTestApp,
  keyStore,
  LIMITS,
  MANIFEST,
  PROJECT,
  partnerKey,
  type TestApp,
  topicOf,
} from './harness';
import { PubSubStandIn } from './pubsub-stand-in';

let standIn: PubSubStandIn;
let gw: TestApp;

beforeAll(async () => {
  standIn = await PubSubStandIn.start();
});

afterAll(async () => {
  await standIn.stop();
});

beforeEach(() => {
  standIn.clear();
  standIn.setFaults({});
});

afterEach(async () => {
  await gw?.app.close();
  await gw?.publisher.close();
});

const orders = () => validSamples('order') as Record<string, unknown>[];
const post = (body: string, headers: Record<string, string> = {}, stream = 'order') =>
  gw.app.inject({
    method: 'POST',
    url: `/v1/streams/${stream}/events`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
  });

describe('POST /v1/streams/:stream/events', () => {
  test('accepts one event only after Pub/Sub acknowledged it, with the attributes and ordering key', async () => {
    gw = await buildTestApp(standIn);
    const event = orders()[0] as Record<string, unknown>;
    const res = await post(JSON.stringify(event), { 'x-tributary-source': 'web' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const stored = standIn.messages(topicOf('order'));
    expect(stored).toHaveLength(1);
    expect(body).toEqual({
      stream: 'order',
      accepted: 1,
      rejected: 0,
      failed: 0,
      results: [{ index: 0, status: 'accepted', eventId: event.order_id, messageId: stored[0]?.messageId }],
    });
    expect(stored[0]?.attributes).toEqual({
      stream: 'order',
      schema_version: '1.0.0',
      event_id: event.order_id,
      source: 'web',
    });
    expect(stored[0]?.orderingKey).toBe(event.customer_id);
    expect(JSON.parse(stored[0]?.data.toString() ?? '')).toEqual(event);
  });

  test('accepts a JSON array and NDJSON (CRLF, blank lines) and reports each event by index', async () => {
    gw = await buildTestApp(standIn);
    const batch = orders().slice(0, 5);
    const array = await post(JSON.stringify(batch));
    expect(array.statusCode).toBe(200);
    expect(array.json().results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4]);
    const ndjson = await post(`${batch.map((e) => JSON.stringify(e)).join('\r\n')}\n\n`, {
      'content-type': 'application/x-ndjson',
    });
    expect(ndjson.statusCode).toBe(200);
    expect(ndjson.json().accepted).toBe(5);
    expect(standIn.messages()).toHaveLength(10);
  });

  test('publishes the valid events of a mixed batch (207) and names each field and rule it rejected', async () => {
    gw = await buildTestApp(standIn);
    const [good, other] = orders();
    const bad = { ...good, currency: 'eur', line_items: 'none' };
    const res = await post(JSON.stringify([good, bad, other]));
    expect(res.statusCode).toBe(207);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, rejected: 1, failed: 0 });
    expect(body.results[1]).toEqual({
      index: 1,
      status: 'rejected',
      errors: [
        { field: 'currency', rule: 'must match the pattern ^(?:[A-Z]{3})$', code: 'pattern' },
        { field: 'line_items', rule: 'must be an array, got a string', code: 'type' },
      ],
    });
    expect(standIn.messages().map((m) => m.attributes.event_id)).toEqual([good?.order_id, other?.order_id]);
  });

  test('answers 422 when every event is rejected, publishing nothing', async () => {
    gw = await buildTestApp(standIn);
    const res = await post(JSON.stringify([{ order_id: 1 }, 'text']));
    expect(res.statusCode).toBe(422);
    expect(res.json().results[1]).toEqual({
      index: 1,
      status: 'rejected',
      errors: [{ field: '(event)', rule: 'must be of type object, got a string', code: 'type' }],
    });
    expect(standIn.messages()).toEqual([]);
  });

  test('rejects an event larger than the per-event limit, and only that event', async () => {
    gw = await buildTestApp(standIn, { limits: { ...LIMITS, eventBytes: 400 } });
    const [small] = orders();
    const big = {
      ...small,
      order_id: 'ord-big',
      line_items: Array.from({ length: 10 }, () => (small as { line_items: unknown[] }).line_items[0]),
    };
    const res = await post(JSON.stringify([small, big]));
    expect(res.statusCode).toBe(207);
    expect(res.json().results[1].errors[0]).toEqual({
      field: '(event)',
      rule: expect.stringMatching(/^must be at most 400 bytes as JSON, is \d+$/),
      code: 'length',
    });
  });

  test('reports undeclared fields it dropped under the drop policy, in the response and an attribute', async () => {
    const lenient = defineContract({
      name: 'click',
      version: '1.0.0',
      description: 'A click.',
      owner: 'web@example.com',
      unknownFields: 'drop',
      fields: [field('click_id', 'Id.', t.string()), field('at', 'When.', t.timestamp())],
      key: 'click_id',
      eventTime: 'at',
    });
    const manifest: GatewayManifest = {
      manifestVersion: 1,
      streams: [{ name: 'click', topic: topicOf('click'), contract: lenient }],
    };
    gw = await buildTestApp(standIn, { manifest });
    const res = await post(
      JSON.stringify({ click_id: 'c1', at: '2026-01-01T00:00:00Z', extra: 1 }),
      {},
      'click',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().results[0]).toMatchObject({
      status: 'accepted',
      eventId: 'c1',
      droppedFields: ['extra'],
    });
    expect(standIn.messages()[0]?.attributes.dropped_fields).toBe('["extra"]');
    expect(JSON.parse(standIn.messages()[0]?.data.toString() ?? '')).toEqual({
      click_id: 'c1',
      at: '2026-01-01T00:00:00Z',
    });
  });
});

describe('fails requests it cannot take, with the status and a reason', () => {
  beforeEach(async () => {
    gw = await buildTestApp(standIn);
  });

  test('fails an unknown stream with 404', async () => {
    const res = await post('{}', {}, 'payments');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'unknown stream "payments"' });
  });

  test('fails other content types with 415', async () => {
    const res = await post('a,b', { 'content-type': 'text/csv' });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toBe(
      'unsupported content type "text/csv": send application/json or application/x-ndjson',
    );
  });

  test('fails malformed JSON with 400 and its position', async () => {
    const res = await post('[\n  {"order_id": "x",\n   "customer_id": }\n]');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('malformed JSON at line 3, column 19 (position 40): expected a value');
  });

  test('fails a malformed NDJSON line with 400 naming the line', async () => {
    const good = JSON.stringify(orders()[0]);
    const res = await post(`${good}\n${good}\n{"order_id": "x"\n`, {
      'content-type': 'application/x-ndjson',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(
      /^malformed NDJSON at line 3, column 17 \(position \d+\): unexpected end of input inside a container$/,
    );
    expect(standIn.messages()).toEqual([]);
  });

  test('fails empty bodies and empty batches with 400', async () => {
    expect((await post('')).statusCode).toBe(400);
    expect((await post('[]')).json()).toEqual({ error: 'empty array: send at least one event' });
    expect((await post('\n\n', { 'content-type': 'application/x-ndjson' })).json()).toEqual({
      error: 'empty body: send one event per line',
    });
  });

  test('fails nesting deeper than the limit with 400, however deep', async () => {
    const res = await post(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe(
      'malformed JSON at line 1, column 33 (position 32): nesting deeper than 32 levels',
    );
  });

  test('fails too many events and too large a body with 413', async () => {
    const many = Array.from({ length: LIMITS.eventsPerRequest + 1 }, () => ({}));
    const res = await post(JSON.stringify(many));
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe(
      `${LIMITS.eventsPerRequest + 1} events in one request; at most ${LIMITS.eventsPerRequest} are allowed`,
    );
    const huge = await post(JSON.stringify({ order_id: 'x'.repeat(LIMITS.bodyBytes) }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toBe(`request body larger than ${LIMITS.bodyBytes} bytes`);
  });

  test('fails a bad X-Tributary-Source with 400', async () => {
    const res = await post(JSON.stringify(orders()[0]), { 'x-tributary-source': 'partner:acme' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^X-Tributary-Source must be 1-32 lowercase letters/);
  });
});

describe('partner API keys', () => {
  const acme = partnerKey('acme', ['order']);
  const globex = partnerKey('globex', ['app_event']);

  test('accept a valid key, tagging events with the partner as their source', async () => {
    gw = await buildTestApp(standIn, { apiKeys: keyStore(acme.record, globex.record) });
    const res = await post(JSON.stringify(orders()[0]), { 'x-api-key': acme.key });
    expect(res.statusCode).toBe(200);
    expect(standIn.messages()[0]?.attributes.source).toBe('partner:acme');
  });

  test('fail a bad or unknown key with 401 and a stream the key may not write with 403', async () => {
    gw = await buildTestApp(standIn, { apiKeys: keyStore(acme.record, globex.record) });
    const tampered = `${acme.key.slice(0, -1)}${acme.key.endsWith('A') ? 'B' : 'A'}`;
    expect((await post('{}', { 'x-api-key': tampered })).statusCode).toBe(401);
    expect(
      (await post('{}', { 'x-api-key': 'trbk_nobody_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }))
        .statusCode,
    ).toBe(401);
    expect((await post('{}', { 'x-api-key': 'not-a-key' })).json()).toEqual({ error: 'invalid API key' });
    const forbidden = await post('{}', { 'x-api-key': globex.key });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({ error: 'this API key may not write to stream order' });
    expect(standIn.messages()).toEqual([]);
  });

  test('are required on a public gateway (api-key mode): no key is 401', async () => {
    gw = await buildTestApp(standIn, { authMode: 'api-key', apiKeys: keyStore(acme.record) });
    const res = await post(JSON.stringify(orders()[0]));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'an API key is required (header X-API-Key)' });
  });

  test('never appear in logs, in headers or in the query string', async () => {
    gw = await buildTestApp(standIn, { apiKeys: keyStore(acme.record) });
    await post(JSON.stringify([orders()[0], { bad: true }]), { 'x-api-key': acme.key });
    await gw.app.inject({
      method: 'POST',
      url: `/v1/streams/order/events?key=${acme.key}`,
      headers: { 'content-type': 'application/json', 'x-api-key': `${acme.key}x` },
      payload: 'not json',
    });
    gw.app.log.info(
      { req: { method: 'POST', url: `/x?key=${acme.key}`, headers: { 'x-api-key': acme.key } } },
      'probe',
    );
    expect(gw.logs.lines.length).toBeGreaterThan(0);
    expect(gw.logs.raw).not.toContain(acme.key.slice(5));
  });
});

describe('durability and back-pressure', () => {
  test('reports events Pub/Sub did not acknowledge after retries as failed, with 503 and Retry-After', async () => {
    gw = await buildTestApp(standIn, {}, 600);
    standIn.setFaults({ failRate: 1 });
    const res = await post(JSON.stringify(orders().slice(0, 3)));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    const body = res.json();
    expect(body).toMatchObject({ accepted: 0, failed: 3 });
    expect(body.results[0]).toEqual({
      index: 0,
      status: 'failed',
      eventId: orders()[0]?.order_id,
      error: expect.stringMatching(
        /^Pub\/Sub did not acknowledge the message \((UNAVAILABLE|DEADLINE_EXCEEDED)\)/,
      ),
      retryable: true,
    });
    expect(standIn.publishCalls).toBeGreaterThan(1);
  });

  test('refuses requests beyond the in-flight byte bound with 503 instead of buffering them', async () => {
    gw = await buildTestApp(standIn, { limits: { ...LIMITS, inFlightBytes: 3000 } });
    standIn.setFaults({ delayMs: [300, 300] });
    const body = JSON.stringify(orders()[0]);
    const first = post(body);
    await new Promise((r) => setTimeout(r, 50));
    const second = post(body.padEnd(2900, ' '));
    const [a, b] = await Promise.all([first, second]);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(503);
    expect(b.headers['retry-after']).toBe('1');
    expect(b.json()).toEqual({ error: 'the gateway is at its in-flight limit; retry shortly' });
    // The bound is released when responses are sent.
    standIn.setFaults({});
    expect((await post(body)).statusCode).toBe(200);
  });

  test('while draining, refuses new events and reports not ready', async () => {
    gw = await buildTestApp(standIn, { isDraining: () => true });
    const res = await post(JSON.stringify(orders()[0]));
    expect(res.statusCode).toBe(503);
    expect(res.headers.connection).toBe('close');
    const ready = await gw.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'not ready', reason: 'shutting down' });
  });
});

describe('health, metrics and logs', () => {
  test('is live and ready with the streams loaded; not ready when publishing keeps failing', async () => {
    gw = await buildTestApp(standIn);
    expect((await gw.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await gw.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ready',
      streams: 6,
    });
    await gw.app.close();
    const failing: EventPublisher = {
      publish: async (_t, messages) =>
        messages.map(() => ({ ok: false, failure: 'retryable', reason: 'down' })),
      healthy: () => false,
      flush: async () => {},
      close: async () => {},
    };
    gw = await buildTestApp(standIn, { publisher: failing });
    const ready = await gw.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().reason).toBe('recent publishes to Pub/Sub failed');
  });

  test('counts events per stream and outcome, and requests per status, in Prometheus text', async () => {
    gw = await buildTestApp(standIn);
    await post(JSON.stringify([orders()[0], {}]));
    await post('{}', {}, 'nope');
    expect(gw.metrics.value('tributary_ingest_events_total', { stream: 'order', outcome: 'accepted' })).toBe(
      1,
    );
    expect(gw.metrics.value('tributary_ingest_events_total', { stream: 'order', outcome: 'rejected' })).toBe(
      1,
    );
    const text = gw.metrics.render();
    expect(text).toContain('# TYPE tributary_ingest_events_total counter');
    expect(text).toContain('tributary_ingest_events_total{outcome="accepted",stream="order"} 1');
    expect(text).toContain('tributary_ingest_requests_total{status="207",stream="order"} 1');
    expect(text).toContain('tributary_ingest_requests_total{status="404",stream="(none)"} 1');
    expect(text).toMatch(/tributary_ingest_in_flight_bytes 0\n/);
  });

  test('logs JSON lines Cloud Logging reads: severity, message, trace of the request, no event content', async () => {
    gw = await buildTestApp(standIn);
    const secret = 'Rue de la Loi 16';
    await post(JSON.stringify([orders()[0], { ...orders()[0], currency: 'x' }]), {
      'x-cloud-trace-context': '0123456789abcdef0123456789abcdef/123;o=1',
    });
    const warn = gw.logs.lines.find((l) => l.message === 'events not accepted');
    expect(warn).toMatchObject({
      severity: 'WARNING',
      stream: 'order',
      accepted: 1,
      rejected: 1,
      'logging.googleapis.com/trace': `projects/${PROJECT}/traces/0123456789abcdef0123456789abcdef`,
      'logging.googleapis.com/spanId': '000000000000007b',
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(typeof warn?.timestamp).toBe('string');
    expect(gw.logs.raw).not.toContain(secret);
  });
});

test('the manifest drives the routes: every stream of the manifest is served, nothing else', () => {
  expect(MANIFEST.streams.map((s) => s.name).sort()).toEqual([
    'app_event',
    'inventory_change',
    'order',
    'partner_event',
    'partner_session',
    'user_activity',
  ]);
});
