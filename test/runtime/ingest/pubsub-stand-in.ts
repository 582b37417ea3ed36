/**
 * A Pub/Sub STAND-IN for tests, not an emulator: a gRPC server on 127.0.0.1 implementing the Publisher
 * service from the protos that ship inside `@google-cloud/pubsub`, so the real client library talks to it over
 * the real wire protocol (PUBSUB_EMULATOR_HOST). Like Pub/Sub, it refuses a whole PublishRequest with
 * INVALID_ARGUMENT when the request or any message in it breaks a published limit (checked here independently of
 * the gateway's own checks, from the numbers in Pub/Sub's documentation). It stores what it acknowledges and can
 * inject faults: fail a share of Publish calls with a status code, refuse requests holding a poison message, and
 * delay calls.
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
      google: { pubsub: { v1: { Publisher: { service: grpc.ServiceDefinition } } } };
    };
    const server = new grpc.Server();
    let standIn: PubSubStandIn | undefined;
    server.addService(pkg.google.pubsub.v1.Publisher.service, {
      publish: (call: PublishCall, callback: grpc.sendUnaryData<{ messageIds: string[] }>) =>
        standIn?.publish(call, callback),
      getTopic: (call: { request: { topic: string } }, callback: grpc.sendUnaryData<{ name: string }>) =>
        callback(null, { name: call.request.topic }),
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
        this.stored.push({
          topic: call.request.topic,
          messageId,
          data: Buffer.from(m.data),
          attributes: { ...m.attributes },
          orderingKey: m.orderingKey,
        });
        return messageId;
      });
      this.requestSizes.push(ids.length);
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
