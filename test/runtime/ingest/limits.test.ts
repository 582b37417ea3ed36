/**
 * Pub/Sub's limits and UTF-8, through the app (fastify inject) and the real client publishing to the stand-in,
 * which refuses what Pub/Sub refuses: an event that would break a limit is rejected on its own, a message
 * Pub/Sub refuses never fails the messages it was batched with, and a body that is not UTF-8 is refused rather
 * than decoded with replacement characters.
 */
import { isUtf8 } from 'node:buffer';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { firstInvalidUtf8 } from '../../../core/utf8';
import { validSamples } from '../../contracts/fixtures';
import { buildTestApp, type TestApp, topicOf } from './harness';
import { PubSubStandIn } from './pubsub-stand-in';

let standIn: PubSubStandIn;
let gw: TestApp;

beforeAll(async () => {
  standIn = await PubSubStandIn.start({}, 5);
  gw = await buildTestApp(standIn);
});

afterAll(async () => {
  await gw.app.close();
  await gw.publisher.close();
  await standIn.stop();
});

beforeEach(() => {
  standIn.clear();
  standIn.setFaults({});
});

interface Body {
  accepted: number;
  rejected: number;
  failed: number;
  error?: string;
  results: {
    index: number;
    status: string;
    droppedFields?: string[];
    retryable?: boolean;
    errors?: { field: string; rule: string; code: string }[];
  }[];
}

const post = (stream: string, payload: string | Buffer, contentType = 'application/json') =>
  gw.app.inject({
    method: 'POST',
    url: `/v1/streams/${stream}/events`,
    headers: { 'content-type': contentType },
    payload,
  });

const partner = (id: string, extra: Record<string, unknown> = {}) => ({
  partner_event_id: id,
  note: 'a note',
  sent_at: '2026-11-29T10:00:00Z',
  ...extra,
});
const session = (id: string, sessionId: string) => ({
  partner_event_id: id,
  session: sessionId,
  sent_at: '2026-11-29T10:00:00Z',
});

describe('UTF-8 only', () => {
  test.each(['latin1', 'iso-8859-1', 'utf-16', 'UTF-16LE', 'windows-1252'])(
    'refuses a body declared charset=%s with 415, naming the charset',
    async (charset) => {
      const res = await post(
        'partner_event',
        JSON.stringify(partner('p-1')),
        `application/json; charset=${charset}`,
      );
      expect(res.statusCode).toBe(415);
      expect(res.json().error).toBe(
        `charset ${JSON.stringify(charset.toLowerCase())} is not supported: send UTF-8 (charset=utf-8)`,
      );
      expect(standIn.messages()).toEqual([]);
    },
  );

  test.each([
    'application/json; charset=utf-8',
    'application/json; charset="UTF-8"',
    'application/x-ndjson; charset=utf8',
  ])('accepts %s', async (contentType) => {
    expect((await post('partner_event', JSON.stringify(partner('p-2')), contentType)).statusCode).toBe(200);
  });

  test.each<[string, number[], number]>([
    [
      'a latin1 ü inside a string',
      [...Buffer.from('{"partner_event_id":"Z'), 0xfc, ...Buffer.from('rich"}')],
      22,
    ],
    ['a truncated sequence at the end', [...Buffer.from('{"x":"'), 0xe2, 0x82], 6],
    ['an overlong encoding of "/"', [...Buffer.from('["'), 0xc0, 0xaf, ...Buffer.from('"]')], 2],
    ['an encoded surrogate', [...Buffer.from('"'), 0xed, 0xa0, 0x80, ...Buffer.from('"')], 1],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a stray continuation byte', [...Buffer.from('{} '), 0x80], 3],
  ])('refuses %s with 400 and the byte offset, storing nothing', async (_case, bytes, offset) => {
    const res = await post('partner_event', Buffer.from(bytes));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe(`the body is not valid UTF-8: invalid byte sequence at byte ${offset}`);
    expect(standIn.messages()).toEqual([]);
  });

  test('stores non-ASCII text exactly as sent, never with replacement characters', async () => {
    const event = partner('p-ü', { note: 'Zürich, 東京, 🚀, \u0000-free' });
    const res = await post('partner_event', Buffer.from(JSON.stringify(event), 'utf8'));
    expect(res.statusCode).toBe(200);
    const [stored] = standIn.messages(topicOf('partner_event'));
    expect(JSON.parse(stored?.data.toString('utf8') ?? '')).toEqual(event);
    expect(stored?.data.includes(Buffer.from('\ufffd'))).toBe(false);
  });

  test('firstInvalidUtf8 agrees with the platform on any bytes, and points at the first bad sequence', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        (noise, text) => {
          for (const bytes of [noise, Buffer.concat([Buffer.from(text), noise])]) {
            const at = firstInvalidUtf8(bytes);
            expect(at === -1).toBe(isUtf8(bytes));
            // Everything before the offset is valid; the sequence starting there is not.
            if (at !== -1) {
              expect(isUtf8(bytes.subarray(0, at))).toBe(true);
              expect(isUtf8(bytes.subarray(at, at + 4))).toBe(false);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("Pub/Sub's limits, per event", () => {
  test('bounds dropped_fields to one attribute value, counts them all, and lists them all in the response', async () => {
    const undeclared = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`undeclared_field_number_${String(i).padStart(2, '0')}`, i]),
    );
    const res = await post('partner_event', JSON.stringify(partner('p-drop', undeclared)));
    expect(res.statusCode).toBe(200);
    const body = res.json() as Body;
    expect(body.results[0]?.droppedFields).toEqual(Object.keys(undeclared));
    const [stored] = standIn.messages(topicOf('partner_event'));
    const attribute = stored?.attributes.dropped_fields ?? '';
    expect(Buffer.byteLength(attribute)).toBeLessThanOrEqual(1024);
    const listed = JSON.parse(attribute) as string[];
    expect(listed.length).toBeGreaterThan(20);
    expect(listed).toEqual(Object.keys(undeclared).slice(0, listed.length));
    expect(stored?.attributes.dropped_fields_count).toBe('60');
    // The data carries only the declared fields.
    expect(JSON.parse(stored?.data.toString() ?? '')).toEqual(partner('p-drop'));
  });

  test('rejects an event whose key makes event_id too long, alone, naming the key field and the limit', async () => {
    const res = await post('partner_event', JSON.stringify([partner('x'.repeat(1500)), partner('p-ok')]));
    expect(res.statusCode).toBe(207);
    const body = res.json() as Body;
    expect(body.results[0]).toEqual({
      index: 0,
      status: 'rejected',
      errors: [
        {
          field: 'partner_event_id',
          rule: 'Pub/Sub limit: attribute values must be at most 1024 bytes; event_id is 1500',
          code: 'limit',
        },
      ],
    });
    expect(body.results[1]?.status).toBe('accepted');
    expect(standIn.messages().map((m) => m.attributes.event_id)).toEqual(['p-ok']);
    expect(standIn.refusedCalls).toBe(0);
  });

  test('rejects an event whose ordering key is too long, alone, naming the ordering field', async () => {
    const res = await post(
      'partner_session',
      JSON.stringify([session('s-1', 'é'.repeat(600)), session('s-2', 'a')]),
    );
    expect(res.statusCode).toBe(207);
    const body = res.json() as Body;
    expect(body.results[0]?.errors).toEqual([
      {
        field: 'session',
        rule: 'Pub/Sub limit: ordering keys must be at most 1024 bytes; this one is 1200',
        code: 'limit',
      },
    ]);
    expect(standIn.messages().map((m) => m.orderingKey)).toEqual(['a']);
  });

  test('never sends Pub/Sub a message it would refuse: 300 hostile events, no refused request', async () => {
    const hostile = Array.from({ length: 150 }, (_, i) =>
      partner(i % 3 === 0 ? 'k'.repeat(1000 + i) : `ok-${i}`, {
        ...Object.fromEntries(Array.from({ length: i % 80 }, (_, n) => [`x${n}_${'y'.repeat(i % 40)}`, n])),
      }),
    );
    const res1 = await post('partner_event', JSON.stringify(hostile));
    const res2 = await post(
      'partner_session',
      JSON.stringify(
        hostile.map((_event, i) => session(`s-${i}`, i % 4 === 0 ? 'z'.repeat(1020 + i) : `g-${i % 5}`)),
      ),
    );
    expect([res1.statusCode, res2.statusCode]).toEqual([207, 207]);
    expect(standIn.refusedCalls).toBe(0);
    const accepted = [res1, res2].flatMap((r) =>
      (r.json() as Body).results.filter((x) => x.status === 'accepted'),
    );
    expect(standIn.messages()).toHaveLength(accepted.length);
  });
});

describe('one event never fails its batch-mates', () => {
  test('a message Pub/Sub refuses is rejected alone; events batched with it from other requests are accepted', async () => {
    standIn.setFaults({ poison: 'POISON' });
    const requests = Array.from({ length: 12 }, (_, i) =>
      post('partner_event', JSON.stringify(partner(`b-${i}`, { note: i === 5 ? 'POISON' : 'fine' }))),
    );
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map((_, i) => (i === 5 ? 422 : 200)));
    expect(((responses[5] as (typeof responses)[number]).json() as Body).results[0]?.errors).toEqual([
      {
        field: '(event)',
        rule: expect.stringMatching(
          /^Pub\/Sub did not acknowledge the message \(INVALID_ARGUMENT\): Message 0 is refused/,
        ),
        code: 'refused',
      },
    ]);
    // The client did batch the concurrent requests together, and Pub/Sub refused such a batch.
    expect(standIn.refusedCalls).toBeGreaterThan(1);
    expect(
      standIn
        .messages()
        .map((m) => m.attributes.event_id)
        .sort(),
    ).toEqual(
      Array.from({ length: 12 }, (_, i) => `b-${i}`)
        .filter((id) => id !== 'b-5')
        .sort(),
    );
  });

  test('in a large request published directly, only the refused event is rejected', async () => {
    standIn.setFaults({ poison: 'POISON' });
    const events = Array.from({ length: 60 }, (_, i) =>
      partner(`d-${i}`, { note: i === 17 ? 'POISON' : 'fine' }),
    );
    const res = await post('partner_event', JSON.stringify(events));
    expect(res.statusCode).toBe(207);
    const body = res.json() as Body;
    expect(
      body.results.filter((r) => r.status !== 'accepted').map((r) => [r.index, r.errors?.[0]?.code]),
    ).toEqual([[17, 'refused']]);
    expect(standIn.messages()).toHaveLength(59);
  });

  test('concurrent hostile requests: no valid event fails or is rejected because of another request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ poison: fc.boolean(), longKey: fc.boolean(), count: fc.integer({ min: 1, max: 40 }) }),
          { minLength: 2, maxLength: 10 },
        ),
        async (shapes) => {
          standIn.clear();
          standIn.setFaults({ poison: 'POISON' });
          const sent = shapes.map((shape, r) =>
            Array.from({ length: shape.count }, (_, i) => {
              const bad = i === 0 && (shape.poison || shape.longKey);
              const id = bad && shape.longKey ? 'L'.repeat(1100) : `r${r}-e${i}`;
              return partner(id, { note: bad && shape.poison ? 'POISON' : 'fine' });
            }),
          );
          const responses = await Promise.all(
            sent.map((events) => post('partner_event', JSON.stringify(events))),
          );
          responses.forEach((res, r) => {
            const body = res.json() as Body;
            body.results.forEach((result) => {
              const event = sent[r]?.[result.index] as { note: string; partner_event_id: string };
              const bad = event.note === 'POISON' || event.partner_event_id.length > 1024;
              expect(result.status).toBe(bad ? 'rejected' : 'accepted');
            });
          });
          const stored = new Set(standIn.messages().map((m) => m.attributes.event_id));
          for (const events of sent)
            for (const e of events as { note: string; partner_event_id: string }[])
              expect(stored.has(e.partner_event_id)).toBe(
                e.note !== 'POISON' && e.partner_event_id.length <= 1024,
              );
        },
      ),
      { numRuns: 40, seed: 20261129 },
    );
  }, 120_000);
});

describe('publish paths and permanent errors', () => {
  test('a large request on an unordered stream is one PublishRequest; small ones go through the batching client', async () => {
    const events = Array.from({ length: 100 }, (_, i) => partner(`big-${i}`));
    expect((await post('partner_event', JSON.stringify(events))).statusCode).toBe(200);
    expect(standIn.requestSizes).toEqual([100]);
    expect(standIn.publishCalls).toBeGreaterThanOrEqual(1);
  });

  test('an ordered stream keeps the batching client, whatever the request size', async () => {
    const events = Array.from({ length: 40 }, (_, i) => session(`o-${i}`, `g-${i % 2}`));
    expect((await post('partner_session', JSON.stringify(events))).statusCode).toBe(200);
    const stored = standIn.messages(topicOf('partner_session'));
    for (const key of ['g-0', 'g-1'])
      expect(stored.filter((m) => m.orderingKey === key).map((m) => m.attributes.event_id)).toEqual(
        events.filter((e) => e.session === key).map((e) => e.partner_event_id),
      );
  });

  test.each([
    ['PERMISSION_DENIED', grpc.status.PERMISSION_DENIED],
    ['NOT_FOUND', grpc.status.NOT_FOUND],
  ])(
    '%s is permanent: 500 without Retry-After, each event failed and not retryable',
    async (name, failCode) => {
      standIn.setFaults({ failRate: 1, failCode });
      for (const events of [
        [partner('perm-1')],
        Array.from({ length: 40 }, (_, i) => partner(`perm-many-${i}`)),
      ]) {
        const calls = standIn.publishCalls;
        const res = await post('partner_event', JSON.stringify(events));
        expect(res.statusCode).toBe(500);
        expect(res.headers['retry-after']).toBeUndefined();
        const body = res.json() as Body;
        expect(body.failed).toBe(events.length);
        expect(body.results[0]).toMatchObject({ status: 'failed', retryable: false });
        expect(JSON.stringify(body.results[0])).toContain(`(${name})`);
        // Never retried: one call per PublishRequest.
        expect(standIn.publishCalls - calls).toBe(1);
      }
    },
  );

  test('a valid order sample still goes through the ordered batching path unchanged', async () => {
    const sample = validSamples('order')[0] as Record<string, unknown>;
    expect((await post('order', JSON.stringify(sample))).statusCode).toBe(200);
    expect(JSON.parse(standIn.messages(topicOf('order'))[0]?.data.toString() ?? '')).toEqual(sample);
  });
});
