import fc from 'fast-check';
import {
  encodedSizeBound,
  messageLimitProblems,
  PUBSUB_LIMITS,
  splitIntoRequests,
} from '../../core/pubsub-limits';

const message = (dataBytes: number, attributes: Record<string, string> = {}, orderingKey?: string) => ({
  data: Buffer.alloc(dataBytes, 0x61),
  attributes,
  ...(orderingKey !== undefined ? { orderingKey } : {}),
});

describe("Pub/Sub's per-message limits", () => {
  test('a message within every limit has no problem', () => {
    expect(
      messageLimitProblems(message(1000, { a: 'x'.repeat(1024), ['k'.repeat(256)]: 'v' }, 'o'.repeat(1024))),
    ).toEqual([]);
  });

  test('names every broken limit with the size found, counting bytes of UTF-8, not characters', () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, 'v']));
    expect(messageLimitProblems(message(10_000_001, many)).map((p) => p.rule)).toEqual([
      'message data must be at most 10000000 bytes; it is 10000001',
      'a message carries at most 100 attributes; it has 101',
    ]);
    expect(messageLimitProblems(message(1, { ['ü'.repeat(129)]: 'é'.repeat(513) }, '€'.repeat(342)))).toEqual(
      [
        {
          part: `attributes.${'ü'.repeat(129)}`,
          rule: 'attribute keys must be at most 256 bytes; this one is 258',
        },
        {
          part: `attributes.${'ü'.repeat(129)}`,
          rule: `attribute values must be at most 1024 bytes; ${'ü'.repeat(129)} is 1026`,
        },
        { part: 'orderingKey', rule: 'ordering keys must be at most 1024 bytes; this one is 1026' },
      ],
    );
  });
});

describe('splitting into PublishRequests', () => {
  test('keeps every message, in order, within the count and size limits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3_000_000 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 2500 }),
        (sizes, small) => {
          const messages = [
            ...sizes.map((s) => message(s)),
            ...Array.from({ length: small }, () => message(10)),
          ];
          const requests = splitIntoRequests(messages);
          expect(requests.flat()).toEqual(messages);
          for (const r of requests) {
            expect(r.length).toBeGreaterThan(0);
            expect(r.length).toBeLessThanOrEqual(PUBSUB_LIMITS.messagesPerRequest);
            expect(r.reduce((n, m) => n + encodedSizeBound(m), 0)).toBeLessThanOrEqual(
              PUBSUB_LIMITS.requestBytes,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('splits 2,500 small messages at 1,000 and 9 MB messages one per request', () => {
    expect(splitIntoRequests(Array.from({ length: 2500 }, () => message(10))).map((r) => r.length)).toEqual([
      1000, 1000, 500,
    ]);
    expect(splitIntoRequests([message(9_000_000), message(9_000_000)]).map((r) => r.length)).toEqual([1, 1]);
  });
});
