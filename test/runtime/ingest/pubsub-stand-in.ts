/**
 * A Pub/Sub STAND-IN for tests, not an emulator: a gRPC server on 127.0.0.1 implementing the Publisher
 * service from the protos that ship inside `@google-cloud/pubsub`, so the real client library talks to it over
 * the real wire protocol (PUBSUB_EMULATOR_HOST). Like Pub/Sub, it refuses a whole PublishRequest with
 * INVALID_ARGUMENT when the request or any message in it breaks a published limit (checked here independently of
 * the gateway's own checks, from the numbers in Pub/Sub's documentation). It stores what it acknowledges and can
 * inject faults: fail a share of Publish calls with a status code, refuse requests holding a poison message, and
 * delay calls.
 *
 * It also serves the Subscriber service's synchronous pull (Pull, Acknowledge, ModifyAckDeadline) on subscriptions
 * a test creates, with Pub/Sub's ack-deadline behaviour: a pulled message that is not acknowledged before its
 * deadline is delivered again with a new ack id (and a higher delivery attempt), a deadline of 0 is a nack, and
 * an expired ack id is ignored. Publishing to a topic delivers to its subscriptions. Every answered publish and
 * every ack is written to an ordered event log, so a test can check what happened before what.
 */
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface StoredMessage {
  readonly topic: string;
  readonly messageId: string;
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey: string;
}

export interface Faults {
  /** Share of Publish calls answered with `failCode` instead of being stored (0-1). @default 0 */
  readonly failRate?: number;
  /** @default 14 (UNAVAILABLE) */
  readonly failCode?: grpc.status;
  /** Each call waits a random time in [min, max] ms before answering. @default [0, 0] */
  readonly delayMs?: readonly [number, number];
  /** Count messages without keeping them (long load runs). @default false */
  readonly countOnly?: boolean;
  /**
   * Refuses (INVALID_ARGUMENT) every request that holds a message whose data contains this text, as Pub/Sub
   * does for a request with one bad message. @default - none
   */
  readonly poison?: string;
}

/** Pub/Sub's documented limits (cloud.google.com/pubsub/quotas), as the stand-in enforces them. */
const LIMITS = {
  requestBytes: 10_000_000,
  messagesPerRequest: 1000,
  messageDataBytes: 10_000_000,
  attributes: 100,
  attributeKeyBytes: 256,
  attributeValueBytes: 1024,
  orderingKeyBytes: 1024,
};

const PROTOS = path.dirname(require.resolve('@google-cloud/pubsub/package.json'));
// google-gax exports no package.json; its protos sit next to its entry point (build/src/index.js).
const GAX_PROTOS = path.resolve(path.dirname(require.resolve('google-gax')), '..', 'protos');

/** Deterministic pseudo-random numbers (mulberry32), so a failing fault test replays exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A message waiting in, or pulled from, a stand-in subscription. */
interface Queued {
  readonly message: StoredMessage;
  readonly publishTime: Date;
  deliveryAttempt: number;
}

interface Subscription {
  readonly topic?: string;
  readonly ackDeadlineSeconds: number;
  readonly queue: Queued[];
  readonly outstanding: Map<string, { readonly item: Queued; deadline: number }>;
}

/** One entry of the event log: a publish answered (its message ids), an ack or a nack (the message ids). */
export interface StandInEvent {
  readonly kind: 'published' | 'acked' | 'nacked';
  readonly subscription?: string;
  readonly topic?: string;
  readonly messageIds: readonly string[];
  /** The data of each message, as text, in the order of `messageIds`. */
  readonly data: readonly string[];
}

/** Pull and ack limits from Pub/Sub's reference: max_messages must be positive; deadlines are 0-600 s. */
const MAX_ACK_DEADLINE_SECONDS = 600;

interface PublishCall {
  readonly request: {
    readonly topic: string;
    readonly messages: readonly { data: Buffer; attributes: Record<string, string>; orderingKey: string }[];
  };
}

export class PubSubStandIn {
  private readonly stored: StoredMessage[] = [];
  private faults: Faults = {};
  private nextId = 1;
  private rand: () => number;
  public publishCalls = 0;
  public failedCalls = 0;
  /** Requests refused with INVALID_ARGUMENT (a limit broken, or a poison message). */
  public refusedCalls = 0;
  /** Messages per stored request, in arrival order. */
  public readonly requestSizes: number[] = [];
  /** Messages acknowledged, stored or counted. */
  public acknowledged = 0;
  /** Publishes answered, acks and nacks, in order. */
  public readonly events: StandInEvent[] = [];
  private readonly subscriptions = new Map<string, Subscription>();
  private nextAck = 1;

  private constructor(
    private readonly server: grpc.Server,
    public readonly port: number,
    seed: number,
  ) {
    this.rand = random(seed);
  }

  /** `127.0.0.1:<port>`, the value for PUBSUB_EMULATOR_HOST. */
  public get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  public static async start(faults: Faults = {}, seed = 1): Promise<PubSubStandIn> {
    if (faults.countOnly) return PubSubStandIn.startCounting(seed);
    const definition = protoLoader.loadSync(
      path.join(PROTOS, 'build', 'protos', 'google', 'pubsub', 'v1', 'pubsub.proto'),
      {
        includeDirs: [path.join(PROTOS, 'build', 'protos'), GAX_PROTOS],
        keepCase: false,
        longs: String,
        defaults: true,
      },
    );
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      google: {
        pubsub: {
          v1: {
            Publisher: { service: grpc.ServiceDefinition };
            Subscriber: { service: grpc.ServiceDefinition };
          };
        };
      };
    };
    const server = new grpc.Server();
    let standIn: PubSubStandIn | undefined;
    server.addService(pkg.google.pubsub.v1.Publisher.service, {
      publish: (call: PublishCall, callback: grpc.sendUnaryData<{ messageIds: string[] }>) =>
        standIn?.publish(call, callback),
      getTopic: (call: { request: { topic: string } }, callback: grpc.sendUnaryData<{ name: string }>) =>
        callback(null, { name: call.request.topic }),
    });
    server.addService(pkg.google.pubsub.v1.Subscriber.service, {
      pull: (
        call: { request: { subscription: string; maxMessages: number } },
        callback: grpc.sendUnaryData<unknown>,
      ) => standIn?.pull(call.request, callback),
      acknowledge: (
        call: { request: { subscription: string; ackIds: string[] } },
        callback: grpc.sendUnaryData<unknown>,
      ) => standIn?.acknowledge(call.request, callback),
      modifyAckDeadline: (
        call: { request: { subscription: string; ackIds: string[]; ackDeadlineSeconds: number } },
        callback: grpc.sendUnaryData<unknown>,
      ) => standIn?.modifyAckDeadline(call.request, callback),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    standIn = new PubSubStandIn(server, port, seed);
    standIn.faults = faults;
    return standIn;
  }

  /**
   * For load runs: the same wire protocol, but Publish requests are counted from their raw bytes (the repeated
   * `messages` field, number 2) instead of decoded, so the stand-in costs the machine as little as possible.
   */
  private static async startCounting(seed: number): Promise<PubSubStandIn> {
    const server = new grpc.Server();
    let standIn: PubSubStandIn | undefined;
    server.register<Buffer, number>(
      '/google.pubsub.v1.Publisher/Publish',
      (call: grpc.ServerUnaryCall<Buffer, number>, callback: grpc.sendUnaryData<number>) => {
        const count = countMessages(call.request);
        if (standIn) {
          standIn.publishCalls++;
          standIn.acknowledged += count;
        }
        callback(null, count);
      },
      (count: number) => encodeMessageIds(standIn ? standIn.acknowledged - count : 0, count),
      (bytes: Buffer) => bytes,
      'unary',
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    standIn = new PubSubStandIn(server, port, seed);
    standIn.faults = { countOnly: true };
    return standIn;
  }

  public setFaults(faults: Faults): void {
    this.faults = faults;
  }

  private publish(call: PublishCall, callback: grpc.sendUnaryData<{ messageIds: string[] }>): void {
    this.publishCalls++;
    const [min, max] = this.faults.delayMs ?? [0, 0];
    const delay = min + Math.floor(this.rand() * (max - min + 1));
    const fail = this.rand() < (this.faults.failRate ?? 0);
    const answer = () => {
      const refusal = this.refusal(call.request);
      if (refusal) {
        this.refusedCalls++;
        callback({ code: grpc.status.INVALID_ARGUMENT, details: refusal });
        return;
      }
      if (fail) {
        this.failedCalls++;
        callback({
          code: this.faults.failCode ?? grpc.status.UNAVAILABLE,
          details: 'stand-in injected fault',
        });
        return;
      }
      const ids = call.request.messages.map((m) => {
        const messageId = String(this.nextId++);
        this.acknowledged++;
        const message = {
          topic: call.request.topic,
          messageId,
          data: Buffer.from(m.data),
          attributes: { ...m.attributes },
          orderingKey: m.orderingKey,
        };
        this.stored.push(message);
        for (const sub of this.subscriptions.values())
          if (sub.topic === call.request.topic)
            sub.queue.push({ message, publishTime: new Date(), deliveryAttempt: 0 });
        return messageId;
      });
      this.requestSizes.push(ids.length);
      this.events.push({
        kind: 'published',
        topic: call.request.topic,
        messageIds: ids,
        data: call.request.messages.map((m) => Buffer.from(m.data).toString()),
      });
      callback(null, { messageIds: ids });
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  }

  /** Why Pub/Sub would refuse this request (its whole request: it is all-or-nothing), or undefined. */
  private refusal(request: PublishCall['request']): string | undefined {
    const { messages } = request;
    if (messages.length === 0) return 'The request contains no messages.';
    if (messages.length > LIMITS.messagesPerRequest)
      return `The request contains ${messages.length} messages; at most ${LIMITS.messagesPerRequest} are allowed.`;
    let total = 0;
    for (const [i, m] of messages.entries()) {
      const attributes = Object.entries(m.attributes ?? {});
      if (m.data.length === 0 && attributes.length === 0)
        return `Message ${i} has neither data nor attributes.`;
      if (m.data.length > LIMITS.messageDataBytes) return `Message ${i} data is ${m.data.length} bytes.`;
      if (attributes.length > LIMITS.attributes) return `Message ${i} has ${attributes.length} attributes.`;
      for (const [k, v] of attributes) {
        if (Buffer.byteLength(k) > LIMITS.attributeKeyBytes)
          return `Message ${i} attribute key ${k} is too long.`;
        if (Buffer.byteLength(v) > LIMITS.attributeValueBytes)
          return `Message ${i} attribute ${k} has a value of ${Buffer.byteLength(v)} bytes; the limit is ${LIMITS.attributeValueBytes}.`;
        total += Buffer.byteLength(k) + Buffer.byteLength(v);
      }
      if (Buffer.byteLength(m.orderingKey ?? '') > LIMITS.orderingKeyBytes)
        return `Message ${i} ordering key is longer than ${LIMITS.orderingKeyBytes} bytes.`;
      if (this.faults.poison !== undefined && m.data.includes(this.faults.poison))
        return `Message ${i} is refused (stand-in poison).`;
      total += m.data.length + Buffer.byteLength(m.orderingKey ?? '');
    }
    if (total > LIMITS.requestBytes)
      return `The request is ${total} bytes; at most ${LIMITS.requestBytes} are allowed.`;
    return undefined;
  }

  /** Creates a subscription (`projects/<p>/subscriptions/<s>`), attached to a topic when one is given. */
  public createSubscription(
    name: string,
    options: { topic?: string; ackDeadlineSeconds?: number } = {},
  ): void {
    this.subscriptions.set(name, {
      ...(options.topic ? { topic: options.topic } : {}),
      ackDeadlineSeconds: options.ackDeadlineSeconds ?? 10,
      queue: [],
      outstanding: new Map(),
    });
  }

  /** Puts messages straight into a subscription, as if dead-lettered into it. */
  public seed(
    subscription: string,
    messages: readonly { data: string | Buffer; attributes?: Record<string, string> }[],
  ): void {
    const sub = this.subscription(subscription);
    for (const m of messages)
      sub.queue.push({
        message: {
          topic: sub.topic ?? '(seeded)',
          messageId: String(this.nextId++),
          data: Buffer.from(m.data),
          attributes: { ...(m.attributes ?? {}) },
          orderingKey: '',
        },
        publishTime: new Date(),
        deliveryAttempt: 0,
      });
  }

  /** Messages not yet acknowledged: waiting, or pulled and still within their deadline. */
  public backlog(subscription: string): number {
    const sub = this.subscription(subscription);
    return sub.queue.length + sub.outstanding.size;
  }

  /** Lets every pulled message's deadline pass now, as if the time had gone by (a killed client's messages). */
  public expireAll(subscription: string): void {
    const sub = this.subscription(subscription);
    for (const o of sub.outstanding.values()) o.deadline = 0;
  }

  private subscription(name: string): Subscription {
    const sub = this.subscriptions.get(name);
    if (!sub) throw new Error(`stand-in: no subscription ${name}`);
    return sub;
  }

  // Pulled messages past their deadline go back to the front of the queue, as Pub/Sub redelivers them.
  private expire(sub: Subscription): void {
    const now = Date.now();
    for (const [ackId, o] of sub.outstanding)
      if (o.deadline <= now) {
        sub.outstanding.delete(ackId);
        sub.queue.unshift(o.item);
      }
  }

  private pull(
    request: { subscription: string; maxMessages: number },
    callback: grpc.sendUnaryData<unknown>,
  ): unknown {
    const sub = this.subscriptions.get(request.subscription);
    if (!sub)
      return callback({
        code: grpc.status.NOT_FOUND,
        details: `Resource not found (resource=${request.subscription}).`,
      });
    if (!(request.maxMessages > 0))
      return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'max_messages must be positive.' });
    this.expire(sub);
    const taken = sub.queue.splice(0, request.maxMessages);
    const receivedMessages = taken.map((item) => {
      item.deliveryAttempt++;
      const ackId = `${request.subscription}#${this.nextAck++}`;
      sub.outstanding.set(ackId, { item, deadline: Date.now() + sub.ackDeadlineSeconds * 1000 });
      const seconds = Math.floor(item.publishTime.getTime() / 1000);
      return {
        ackId,
        deliveryAttempt: item.deliveryAttempt,
        message: {
          data: item.message.data,
          attributes: item.message.attributes,
          messageId: item.message.messageId,
          orderingKey: item.message.orderingKey,
          publishTime: { seconds: String(seconds), nanos: (item.publishTime.getTime() % 1000) * 1e6 },
        },
      };
    });
    callback(null, { receivedMessages });
  }

  private settle(
    kind: 'acked' | 'nacked',
    request: { subscription: string; ackIds: string[] },
    callback: grpc.sendUnaryData<unknown>,
    nack: boolean,
  ): unknown {
    const sub = this.subscriptions.get(request.subscription);
    if (!sub)
      return callback({
        code: grpc.status.NOT_FOUND,
        details: `Resource not found (resource=${request.subscription}).`,
      });
    this.expire(sub);
    const settled: Queued[] = [];
    for (const ackId of request.ackIds) {
      const o = sub.outstanding.get(ackId);
      if (!o) continue; // expired or unknown: Pub/Sub ignores it
      sub.outstanding.delete(ackId);
      settled.push(o.item);
      if (nack) sub.queue.unshift(o.item);
    }
    if (settled.length > 0)
      this.events.push({
        kind,
        subscription: request.subscription,
        messageIds: settled.map((i) => i.message.messageId),
        data: settled.map((i) => i.message.data.toString()),
      });
    return callback(null, {});
  }

  private acknowledge(
    request: { subscription: string; ackIds: string[] },
    callback: grpc.sendUnaryData<unknown>,
  ): unknown {
    return this.settle('acked', request, callback, false);
  }

  private modifyAckDeadline(
    request: { subscription: string; ackIds: string[]; ackDeadlineSeconds: number },
    callback: grpc.sendUnaryData<unknown>,
  ): unknown {
    const seconds = request.ackDeadlineSeconds;
    if (!(Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_ACK_DEADLINE_SECONDS))
      return callback({
        code: grpc.status.INVALID_ARGUMENT,
        details: `ack_deadline_seconds must be between 0 and ${MAX_ACK_DEADLINE_SECONDS}.`,
      });
    if (seconds === 0) return this.settle('nacked', request, callback, true);
    const sub = this.subscriptions.get(request.subscription);
    if (!sub)
      return callback({
        code: grpc.status.NOT_FOUND,
        details: `Resource not found (resource=${request.subscription}).`,
      });
    for (const ackId of request.ackIds) {
      const o = sub.outstanding.get(ackId);
      if (o) o.deadline = Date.now() + seconds * 1000;
    }
    callback(null, {});
  }

  public messages(topic?: string): readonly StoredMessage[] {
    return topic ? this.stored.filter((m) => m.topic === topic) : [...this.stored];
  }

  public clear(): void {
    this.stored.length = 0;
    this.requestSizes.length = 0;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }
}

/** Reads a protobuf varint at `at`; returns [value, next offset]. */
function varint(bytes: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++] as number;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, i];
    shift += 7;
  }
}

/** Top-level occurrences of field 2 (PublishRequest.messages), skipping every value without decoding it. */
function countMessages(bytes: Buffer): number {
  let count = 0;
  for (let i = 0; i < bytes.length; ) {
    const [tag, afterTag] = varint(bytes, i);
    const wire = tag & 7;
    if (wire === 2) {
      const [len, afterLen] = varint(bytes, afterTag);
      if (tag >>> 3 === 2) count++;
      i = afterLen + len;
    } else if (wire === 0) i = varint(bytes, afterTag)[1];
    else if (wire === 1) i = afterTag + 8;
    else if (wire === 5) i = afterTag + 4;
    else throw new Error(`unexpected wire type ${wire}`);
  }
  return count;
}

/** PublishResponse with `count` message ids (field 1, repeated string) numbered from `first + 1`. */
function encodeMessageIds(first: number, count: number): Buffer {
  const parts: Buffer[] = [];
  for (let n = 1; n <= count; n++) {
    const id = Buffer.from(String(first + n));
    parts.push(Buffer.from([0x0a, id.length]), id);
  }
  return Buffer.concat(parts);
}
