/**
 * Property test with fast-check: whatever arrives (malformed JSON, bytes that are not UTF-8, declared charsets,
 * wrong types, huge strings, deep nesting, unicode, `__proto__` / `constructor` keys, mixed batches, keys and
 * ordering fields beyond Pub/Sub's limits, hundreds of undeclared fields on a `drop` stream, any content type,
 * any stream, any key), the gateway answers with a documented status and a JSON body, never crashes, and never
 * answers a 5xx other than the documented 503. Every event it reports accepted is in Pub/Sub (the stand-in,
 * which refuses what Pub/Sub refuses), stored exactly as sent (less the fields it reports dropped).
 */
import fc from 'fast-check';
import { validSamples } from '../../contracts/fixtures';
import { buildTestApp, keyStore, LIMITS, partnerKey, type TestApp } from './harness';
import { PubSubStandIn } from './pubsub-stand-in';

const DOCUMENTED = new Set([200, 207, 400, 401, 403, 404, 413, 415, 422, 503]);
const acme = partnerKey('acme', ['order', 'app_event']);

let standIn: PubSubStandIn;
let gw: TestApp;

beforeAll(async () => {
  standIn = await PubSubStandIn.start({}, 11);
  gw = await buildTestApp(standIn, { apiKeys: keyStore(acme.record) });
});

afterAll(async () => {
  await gw.app.close();
  await gw.publisher.close();
  await standIn.stop();
});

const partnerSamples: Record<string, Record<string, unknown>[]> = {
  partner_event: [{ partner_event_id: 'p-1', note: 'Zürich', sent_at: '2026-11-29T10:00:00Z' }],
  partner_session: [{ partner_event_id: 's-1', session: 'g-1', sent_at: '2026-11-29T10:00:00+01:00' }],
};
const samples = (stream: string) =>
  partnerSamples[stream] ?? (validSamples(stream) as Record<string, unknown>[]);
const streams = [
  'order',
  'inventory_change',
  'user_activity',
  'app_event',
  'partner_event',
  'partner_session',
];
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  '💥',
  'a.b',
  '0',
);

/** A valid event with one field replaced, removed or joined by a hostile key. */
const mutatedEvent = fc
  .tuple(
    fc.constantFrom(...streams),
    fc.nat(),
    fc.anything({ maxDepth: 3, withObjectString: true }),
    fc.oneof(hostileKey, fc.string()),
  )
  .map(([stream, i, value, key]) => {
    const base = { ...(samples(stream)[i % samples(stream).length] as Record<string, unknown>) };
    const keys = Object.keys(base);
    const target = keys[i % keys.length] as string;
    if (i % 3 === 0) delete base[target];
    else if (i % 3 === 1) base[target] = value;
    else Object.defineProperty(base, key, { value, enumerable: true, configurable: true, writable: true });
    return base as unknown;
  });

const validEvent = fc.constantFrom(...streams).chain((s) => fc.constantFrom(...samples(s)));

/** A partner event near or past Pub/Sub's limits: long ids and ordering fields, many undeclared fields. */
const limitEvent = fc
  .record({
    stream: fc.constantFrom('partner_event', 'partner_session'),
    idLength: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1000, max: 1100 })),
    sessionLength: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 500, max: 1100 })),
    undeclared: fc.integer({ min: 0, max: 150 }),
    nameLength: fc.integer({ min: 1, max: 60 }),
    char: fc.constantFrom('a', 'é', '東', '🚀'),
  })
  .map((r) => ({
    ...(samples(r.stream)[0] as Record<string, unknown>),
    partner_event_id: r.char.repeat(r.idLength),
    ...(r.stream === 'partner_session' ? { session: r.char.repeat(r.sessionLength) } : {}),
    ...Object.fromEntries(
      Array.from({ length: r.undeclared }, (_, i) => [`f${i}_${'x'.repeat(r.nameLength)}`, i]),
    ),
  }));

const eventLike = fc.oneof(
  { weight: 3, arbitrary: mutatedEvent },
  { weight: 2, arbitrary: validEvent },
  { weight: 2, arbitrary: limitEvent },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 2 })) },
  {
    weight: 1,
    arbitrary: fc.record({
      order_id: fc.string({ unit: 'binary' }),
      note: fc.string({ unit: 'grapheme', maxLength: 50 }),
    }),
  },
);

const jsonBody = fc.oneof(
  eventLike.map((e) => JSON.stringify(e) ?? 'null'),
  fc.array(eventLike, { maxLength: 30 }).map((a) => JSON.stringify(a)),
  fc
    .array(eventLike, { minLength: 1, maxLength: 30 })
    .map((a) => a.map((e) => JSON.stringify(e) ?? 'null').join('\n')),
);

/** Bytes that are not UTF-8: latin1 text, random bytes, a valid body with one byte broken. */
const notUtf8 = fc.oneof(
  fc.constant(
    Buffer.from('{"partner_event_id":"Zürich","note":"x","sent_at":"2026-11-29T10:00:00Z"}', 'latin1'),
  ),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b)),
  jsonBody.chain((b) =>
    fc.nat().map((n) => {
      const bytes = Buffer.from(b);
      bytes[n % bytes.length] = 0xff;
      return bytes;
    }),
  ),
);

const hostileBody = fc.oneof(
  notUtf8,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 200 }).map((s) => `{"order_id": "${s}`),
  fc.integer({ min: 1, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 1, max: 500 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.integer({ min: 1, max: 400_000 }).map((n) => JSON.stringify({ order_id: 'x'.repeat(n) })),
  fc.constantFrom(
    '{"__proto__": {"polluted": 1}}',
    '{"constructor": {"prototype": {"x": 1}}}',
    '\uFEFF{}',
    '{"a":1}\u0000',
    '\n',
    '',
  ),
  jsonBody.map((b) => b.slice(0, Math.max(1, Math.floor(b.length / 2)))),
);

const request = fc.record({
  stream: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...streams) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  ),
  contentType: fc.oneof(
    { weight: 5, arbitrary: fc.constant('application/json') },
    { weight: 2, arbitrary: fc.constant('application/x-ndjson') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-8',
        'application/json; charset=latin1',
        'application/x-ndjson; charset=utf-16',
        'text/plain',
        'application/xml',
        '',
      ),
    },
  ),
  body: fc.oneof({ weight: 5, arbitrary: jsonBody }, { weight: 2, arbitrary: hostileBody }),
  key: fc.oneof(
    { weight: 5, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(acme.key) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  ),
  source: fc.option(fc.constantFrom('web', 'mobile', 'partner', 'Web!', ''), { nil: undefined }),
});

/** The events of a body the gateway parsed (it answered with per-event results), as it read them. */
function sentEvents(body: string | Buffer, contentType: string): unknown[] {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (contentType.startsWith('application/x-ndjson'))
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? value : [value];
}

test('every request gets a documented status and a JSON body; no crash, no 5xx but 503; accepted means stored as sent', async () => {
  let accepted = 0;
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const before = standIn.messages().length;
      const res = await gw.app.inject({
        method: 'POST',
        url: `/v1/streams/${encodeURIComponent(r.stream)}/events`,
        headers: {
          ...(r.contentType ? { 'content-type': r.contentType } : {}),
          ...(r.key !== undefined ? { 'x-api-key': r.key } : {}),
          ...(r.source !== undefined ? { 'x-tributary-source': r.source } : {}),
        },
        payload: r.body,
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect(DOCUMENTED.has(res.statusCode)).toBe(true);
      if (res.statusCode >= 500) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
      }
      const body = res.json() as {
        results?: { index: number; status: string; messageId?: string; droppedFields?: string[] }[];
        error?: string;
      };
      expect(typeof body).toBe('object');
      const mine = (body.results ?? []).filter((x) => x.status === 'accepted');
      accepted += mine.length;
      const stored = new Map(
        standIn
          .messages()
          .slice(before)
          .map((m) => [m.messageId, m]),
      );
      expect(stored.size).toBe(mine.length);
      if (mine.length === 0) return;
      const events = sentEvents(r.body, r.contentType);
      for (const m of mine) {
        const message = stored.get(m.messageId as string);
        expect(message).toBeDefined();
        // Exactly what was sent, less the fields reported dropped; attributes within Pub/Sub's limits.
        const sent = { ...(events[m.index] as Record<string, unknown>) };
        for (const f of m.droppedFields ?? []) delete sent[f];
        expect(JSON.parse(message?.data.toString('utf8') ?? '')).toEqual(sent);
        for (const v of Object.values(message?.attributes ?? {}))
          expect(Buffer.byteLength(v)).toBeLessThanOrEqual(1024);
      }
    }),
    { numRuns: 5000, seed: 20261121 },
  );
  // The run reached every part of the gateway, not only its error paths.
  expect(accepted).toBeGreaterThan(100);
  for (const s of [200, 207, 400, 401, 404, 413, 415, 422])
    expect([s, statuses.get(s) ?? 0]).not.toEqual([s, 0]);
  // Pub/Sub never saw a message it would refuse: the gateway rejected those events itself.
  expect(standIn.refusedCalls).toBe(0);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((await gw.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  expect(LIMITS.bodyBytes).toBeLessThan(400_000);
}, 300_000);
