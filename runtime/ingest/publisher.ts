/**
 * Publishing to Pub/Sub with `@google-cloud/pubsub`: one client, one batching publisher per topic, retries
 * with exponential backoff inside a fixed time budget, and a result per message. Nothing is reported accepted
 * until Pub/Sub has returned its message id. The client honours PUBSUB_EMULATOR_HOST, so the same code runs
 * against the emulator or any wire-compatible server.
 *
 * Flow control: every message in flight belongs to a request the gateway admitted, and admission is bounded
 * in bytes (TRIBUTARY_MAX_IN_FLIGHT_BYTES, see admission.ts), so the publisher's outstanding bytes are bounded
 * by the same figure; above it the gateway answers 503 instead of buffering.
 */
import { PubSub, type Topic } from '@google-cloud/pubsub';

export interface OutgoingMessage {
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey?: string;
}

export type PublishResult =
  | { readonly ok: true; readonly messageId: string }
  | { readonly ok: false; readonly reason: string };

export interface EventPublisher {
  /** One result per message, in order; resolves when every message is acknowledged or has failed for good. */
  publish(topic: string, messages: readonly OutgoingMessage[], ordered: boolean): Promise<PublishResult[]>;
  /** False while recent publishes all fail, so readiness can stop traffic before clients see 503s. */
  healthy(): boolean;
  /** Sends what is batched and waits for it. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface PubSubPublisherOptions {
  /** @default - from the environment (GOOGLE_CLOUD_PROJECT, metadata server, or the emulator) */
  readonly projectId?: string;
  /** Total time for one publish call, retries included. */
  readonly timeoutMs: number;
  /** @default 100 messages, 1 MB, 10 ms */
  readonly batching?: {
    readonly maxMessages: number;
    readonly maxBytes: number;
    readonly maxMilliseconds: number;
  };
}

// gRPC status codes worth retrying: the service was briefly unavailable or overloaded.
const RETRYABLE = [
  4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 13 /* INTERNAL */,
  14 /* UNAVAILABLE */,
];
const CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

/** How long "all recent publishes failed" must last before the publisher reports itself unhealthy. */
const UNHEALTHY_AFTER_MS = 5000;

export class PubSubPublisher implements EventPublisher {
  private readonly client: PubSub;
  private readonly topics = new Map<string, Topic>();
  private lastSuccess = Date.now();
  private failingSince?: number;
  private closed = false;

  constructor(private readonly options: PubSubPublisherOptions) {
    this.client = new PubSub(options.projectId ? { projectId: options.projectId } : {});
  }

  private topic(name: string, ordered: boolean): Topic {
    const key = `${name}\u0000${ordered}`;
    let topic = this.topics.get(key);
    if (!topic) {
      const t = this.options.timeoutMs;
      topic = this.client.topic(name, {
        batching: this.options.batching ?? { maxMessages: 100, maxBytes: 1_000_000, maxMilliseconds: 10 },
        messageOrdering: ordered,
        gaxOpts: {
          timeout: t,
          retry: {
            retryCodes: RETRYABLE,
            backoffSettings: {
              initialRetryDelayMillis: 50,
              retryDelayMultiplier: 2,
              maxRetryDelayMillis: Math.max(100, Math.floor(t / 4)),
              initialRpcTimeoutMillis: Math.max(100, Math.floor(t / 2)),
              rpcTimeoutMultiplier: 1,
              maxRpcTimeoutMillis: t,
              totalTimeoutMillis: t,
            },
          },
        },
      });
      this.topics.set(key, topic);
    }
    return topic;
  }

  public publish(
    topicName: string,
    messages: readonly OutgoingMessage[],
    ordered: boolean,
  ): Promise<PublishResult[]> {
    if (this.closed)
      return Promise.resolve(messages.map(() => ({ ok: false, reason: 'the gateway is shutting down' })));
    if (messages.length === 0) return Promise.resolve([]);
    const topic = this.topic(topicName, ordered);
    // The client's callback form: one promise per request instead of one per message (and no allSettled
    // wrapper per message), measurably less work per event.
    return new Promise((resolve) => {
      const results: PublishResult[] = new Array(messages.length);
      let remaining = messages.length;
      messages.forEach((m, i) => {
        topic.publishMessage(
          // The client copies the message it is given; an ordering key goes only to an ordered publisher.
          ordered || m.orderingKey === undefined ? m : { data: m.data, attributes: m.attributes },
          (error, messageId) => {
            if (error) {
              this.failed();
              // A failed ordered publish pauses its key; later events for it must be able to go through.
              if (ordered && m.orderingKey !== undefined) topic.resumePublishing(m.orderingKey);
              results[i] = { ok: false, reason: describe(error) };
            } else {
              this.succeeded();
              results[i] = { ok: true, messageId: messageId as string };
            }
            if (--remaining === 0) resolve(results);
          },
        );
      });
    });
  }

  private succeeded(): void {
    this.lastSuccess = Date.now();
    this.failingSince = undefined;
  }

  private failed(): void {
    if (this.failingSince === undefined || this.failingSince < this.lastSuccess)
      this.failingSince = Date.now();
  }

  public healthy(): boolean {
    if (this.closed) return false;
    return this.failingSince === undefined || Date.now() - this.failingSince < UNHEALTHY_AFTER_MS;
  }

  public async flush(): Promise<void> {
    await Promise.all([...this.topics.values()].map((t) => t.flush()));
  }

  public async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.client.close();
  }
}

function describe(error: unknown): string {
  const e = error as { code?: number; details?: string; message?: string };
  const code = typeof e?.code === 'number' ? (CODE_NAMES[e.code] ?? `code ${e.code}`) : undefined;
  const detail = (e?.details ?? e?.message ?? String(error)).split('\n')[0]?.slice(0, 200);
  return `Pub/Sub did not acknowledge the message${code ? ` (${code})` : ''}: ${detail}`;
}
