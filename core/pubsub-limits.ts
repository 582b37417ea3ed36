/**
 * Pub/Sub's published limits on what one publish may carry (cloud.google.com/pubsub/quotas, "Resource
 * limits"). The gateway checks each message against them before publishing, so a message Pub/Sub would refuse
 * (INVALID_ARGUMENT, which fails the whole request it travels in) is rejected on its own instead. Sizes are in
 * bytes of UTF-8; "10 MB" is read as 10,000,000 bytes, the stricter reading.
 */
export const PUBSUB_LIMITS = {
  /** The data field of one message. */
  messageDataBytes: 10_000_000,
  /** One PublishRequest, all messages together. */
  requestBytes: 10_000_000,
  messagesPerRequest: 1000,
  attributesPerMessage: 100,
  attributeKeyBytes: 256,
  attributeValueBytes: 1024,
  orderingKeyBytes: 1024,
} as const;

export interface PublishableMessage {
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey?: string;
}

/** One broken limit: which part of the message, and the limit with the size found. */
export interface LimitProblem {
  /** `data`, `attributes`, `attributes.<key>` or `orderingKey`. */
  readonly part: string;
  readonly rule: string;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Every limit `message` breaks; empty when Pub/Sub would accept it. */
export function messageLimitProblems(message: PublishableMessage): LimitProblem[] {
  const L = PUBSUB_LIMITS;
  const problems: LimitProblem[] = [];
  if (message.data.length > L.messageDataBytes)
    problems.push({
      part: 'data',
      rule: `message data must be at most ${L.messageDataBytes} bytes; it is ${message.data.length}`,
    });
  const keys = Object.keys(message.attributes);
  if (keys.length > L.attributesPerMessage)
    problems.push({
      part: 'attributes',
      rule: `a message carries at most ${L.attributesPerMessage} attributes; it has ${keys.length}`,
    });
  for (const key of keys) {
    const k = bytes(key);
    if (k > L.attributeKeyBytes)
      problems.push({
        part: `attributes.${key}`,
        rule: `attribute keys must be at most ${L.attributeKeyBytes} bytes; this one is ${k}`,
      });
    const v = bytes(message.attributes[key] as string);
    if (v > L.attributeValueBytes)
      problems.push({
        part: `attributes.${key}`,
        rule: `attribute values must be at most ${L.attributeValueBytes} bytes; ${key} is ${v}`,
      });
  }
  if (message.orderingKey !== undefined) {
    const o = bytes(message.orderingKey);
    if (o > L.orderingKeyBytes)
      problems.push({
        part: 'orderingKey',
        rule: `ordering keys must be at most ${L.orderingKeyBytes} bytes; this one is ${o}`,
      });
  }
  return problems;
}

/**
 * The bytes a message adds to a PublishRequest, an upper bound of its protobuf encoding: the data, the key and
 * value of each attribute and the ordering key, plus a few bytes of tags and lengths for each.
 */
export function encodedSizeBound(message: PublishableMessage): number {
  let size = message.data.length + 16;
  for (const [k, v] of Object.entries(message.attributes)) size += bytes(k) + bytes(v) + 16;
  if (message.orderingKey !== undefined) size += bytes(message.orderingKey) + 8;
  return size;
}

/**
 * Splits messages into PublishRequests that respect the per-request limits (count and size), keeping order.
 * Each message must itself be within the per-message limits.
 */
export function splitIntoRequests<M extends PublishableMessage>(messages: readonly M[]): M[][] {
  const requests: M[][] = [];
  let current: M[] = [];
  let size = 0;
  for (const m of messages) {
    const s = encodedSizeBound(m);
    if (
      current.length > 0 &&
      (current.length >= PUBSUB_LIMITS.messagesPerRequest || size + s > PUBSUB_LIMITS.requestBytes)
    ) {
      requests.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += s;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
