/**
 * Publishing to Pub/Sub with `@google-cloud/pubsub`, nothing reported accepted until Pub/Sub returned its
 * message id, retries with exponential backoff inside one time budget, and a result per message. Two paths:
 *
 * - Requests of many events on a stream without ordering keys go out as their own PublishRequests through the
 *   package's GAPIC client (`v1.PublisherClient.publish`): one RPC per request, split at Pub/Sub's per-request
 *   limits. That skips the batching client's per-message work (about 4.8 µs of CPU per message against 7-7.7).
 * - Small requests and ordered streams use the batching client (`Topic.publishMessage`), which groups messages
 *   of concurrent requests into one RPC (Pub/Sub requires one ordering key per request, which it handles).
 *
 * A PublishRequest is all-or-nothing. When one fails with INVALID_ARGUMENT (some message in it is refused),
 * each of its messages is published again on its own, so one bad message never fails the others, those of other
 * requests included; a message refused on its own is reported `refused`. Messages are checked against Pub/Sub's
 * limits before they get here (see app.ts), so this is the last line, not the first.
 *
 * Flow control: every message in flight belongs to a request the gateway admitted, and admission is bounded in
 * bytes (TRIBUTARY_MAX_IN_FLIGHT_BYTES, see admission.ts), so outstanding bytes are bounded by the same figure.
 * The client honours PUBSUB_EMULATOR_HOST, so the same code runs against the emulator or any wire-compatible
 * server.
 */
import { PubSub, type Topic, v1 } from '@google-cloud/pubsub';
import { type PublishableMessage, splitIntoRequests } from '../../core/pubsub-limits';

export interface OutgoingMessage extends PublishableMessage {
  readonly data: Buffer;
}

/**
 * A failed message: `retryable` (Pub/Sub was unavailable or overloaded within the time budget; resend it),
 * `refused` (Pub/Sub refused this message itself; resending it unchanged cannot succeed) or `permanent` (the
 * gateway cannot publish at all: a missing topic or a missing permission, for the operator to fix).
 */
export type PublishFailure = 'retryable' | 'refused' | 'permanent';

export type PublishResult =
  | { readonly ok: true; readonly messageId: string }
  | { readonly ok: false; readonly failure: PublishFailure; readonly reason: string };

export interface EventPublisher {
  /** One result per message, in order; resolves when every message is acknowledged or has failed for good. */
  publish(topic: string, messages: readonly OutgoingMessage[], ordered: boolean): Promise<PublishResult[]>;
  /** False while recent publishes all fail, so readiness can stop traffic before clients see 503s. */
  healthy(): boolean;
  /** Sends what is batched and waits for everything in flight. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface PubSubPublisherOptions {
  /** @default - from the environment (GOOGLE_CLOUD_PROJECT, metadata server, or the emulator) */
  readonly projectId?: string;
  /** Total time for one publish, retries included. */
  readonly timeoutMs: number;
  /** @default 100 messages, 1 MB, 10 ms */
  readonly batching?: {
    readonly maxMessages: number;
    readonly maxBytes: number;
    readonly maxMilliseconds: number;
  };
  /**
   * Requests with at least this many messages, on unordered streams, are published as their own
   * PublishRequests (one RPC each) instead of through the batching client. @default 32
   */
  readonly directPublishMinMessages?: number;
}

// gRPC status codes.
const INVALID_ARGUMENT = 3;
/** Worth retrying: the service was briefly unavailable, overloaded, or the call was cut short. */
const RETRYABLE = [
  4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 13 /* INTERNAL */,
  14 /* UNAVAILABLE */,
];
/** Never retried: configuration the operator must fix. Anything else (no code, CANCELLED) is retryable. */
const PERMANENT = [
  5 /* NOT_FOUND */, 7 /* PERMISSION_DENIED */, 9 /* FAILED_PRECONDITION */, 11 /* OUT_OF_RANGE */,
  12 /* UNIMPLEMENTED */, 16 /* UNAUTHENTICATED */,
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
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

/** How long "all recent publishes failed" must last before the publisher reports itself unhealthy. */
const UNHEALTHY_AFTER_MS = 5000;

export class PubSubPublisher implements EventPublisher {
  private readonly client: PubSub;
  private readonly topics = new Map<string, Topic>();
  private gapic?: Promise<v1.PublisherClient>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly directMin: number;
  private readonly callOptions: { timeout: number; retry: object };
  private lastSuccess = Date.now();
  private failingSince?: number;
  private closed = false;

  constructor(private readonly options: PubSubPublisherOptions) {
    this.client = new PubSub(options.projectId ? { projectId: options.projectId } : {});
    this.directMin = options.directPublishMinMessages ?? 32;
    const t = options.timeoutMs;
    // The same retry settings on both paths: exponential backoff on the retryable codes, within the budget.
    this.callOptions = {
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
    };
  }

  public publish(
    topic: string,
    messages: readonly OutgoingMessage[],
    ordered: boolean,
  ): Promise<PublishResult[]> {
    if (this.closed)
      return Promise.resolve(
        messages.map(() => ({ ok: false, failure: 'retryable', reason: 'the gateway is shutting down' })),
      );
    if (messages.length === 0) return Promise.resolve([]);
    const work =
      !ordered && messages.length >= this.directMin
        ? this.publishDirect(topic, messages)
        : this.publishBatched(topic, messages, ordered);
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  private topic(name: string, ordered: boolean): Topic {
    const key = `${name}\u0000${ordered}`;
    let topic = this.topics.get(key);
    if (!topic) {
      topic = this.client.topic(name, {
        batching: this.options.batching ?? { maxMessages: 100, maxBytes: 1_000_000, maxMilliseconds: 10 },
        messageOrdering: ordered,
        gaxOpts: this.callOptions,
      });
      this.topics.set(key, topic);
    }
    return topic;
  }

  /** The GAPIC client, configured like the batching client (project, emulator endpoint, credentials). */
  private publisherClient(): Promise<v1.PublisherClient> {
    this.gapic ??= this.client
      .getClientConfig()
      .then(
        (config) => new v1.PublisherClient(config as ConstructorParameters<typeof v1.PublisherClient>[0]),
      );
    return this.gapic;
  }

  private publishBatched(
    topicName: string,
    messages: readonly OutgoingMessage[],
    ordered: boolean,
  ): Promise<PublishResult[]> {
    const topic = this.topic(topicName, ordered);
    // The client's callback form: one promise per request, not one per message.
    return new Promise((resolve) => {
      const results: PublishResult[] = new Array(messages.length);
      let remaining = messages.length;
      const done = (i: number, result: PublishResult) => {
        results[i] = result;
        if (--remaining === 0) resolve(results);
      };
      messages.forEach((m, i) => {
        topic.publishMessage(
          // The client copies the message it is given; an ordering key goes only to an ordered publisher.
          ordered || m.orderingKey === undefined ? m : { data: m.data, attributes: m.attributes },
          (error, messageId) => {
            // A failed ordered publish pauses its key; later events for it must be able to go through.
            if (error && ordered && m.orderingKey !== undefined) topic.resumePublishing(m.orderingKey);
            if (!error) done(i, this.succeeded(messageId as string));
            // The batch may have held other requests' messages: find out whether this one is the refused one.
            else if (code(error) === INVALID_ARGUMENT)
              this.publishAlone(topicName, ordered ? m : { data: m.data, attributes: m.attributes }).then(
                (r) => done(i, r),
              );
            else done(i, this.failed(error));
          },
        );
      });
    });
  }

  private async publishDirect(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishResult[]> {
    const client = await this.publisherClient();
    const requests = splitIntoRequests(messages.map((m) => ({ data: m.data, attributes: m.attributes })));
    const settled = await Promise.all(
      requests.map(async (chunk): Promise<PublishResult[]> => {
        try {
          const [response] = await client.publish({ topic, messages: chunk }, this.callOptions);
          return (response.messageIds ?? []).map((id) => this.succeeded(id));
        } catch (error) {
          if (code(error) === INVALID_ARGUMENT && chunk.length > 1)
            return Promise.all(chunk.map((m) => this.publishAlone(topic, m)));
          const failure = this.failed(error);
          return chunk.map(() => failure);
        }
      }),
    );
    return settled.flat();
  }

  /** One message in a request of its own: its result is its own. */
  private async publishAlone(topic: string, message: PublishableMessage): Promise<PublishResult> {
    try {
      const client = await this.publisherClient();
      const [response] = await client.publish({ topic, messages: [message] }, this.callOptions);
      return this.succeeded(response.messageIds?.[0] as string);
    } catch (error) {
      return this.failed(error);
    }
  }

  private succeeded(messageId: string): PublishResult {
    this.lastSuccess = Date.now();
    this.failingSince = undefined;
    return { ok: true, messageId };
  }

  private failed(error: unknown): PublishResult {
    const c = code(error);
    // A refused message is the message's fault, not a sign that Pub/Sub is unreachable.
    if (c !== INVALID_ARGUMENT && (this.failingSince === undefined || this.failingSince < this.lastSuccess))
      this.failingSince = Date.now();
    const failure: PublishFailure =
      c === INVALID_ARGUMENT
        ? 'refused'
        : c !== undefined && PERMANENT.includes(c)
          ? 'permanent'
          : 'retryable';
    return { ok: false, failure, reason: describe(error) };
  }

  public healthy(): boolean {
    if (this.closed) return false;
    return this.failingSince === undefined || Date.now() - this.failingSince < UNHEALTHY_AFTER_MS;
  }

  public async flush(): Promise<void> {
    await Promise.all([...this.topics.values()].map((t) => t.flush()));
    await Promise.allSettled([...this.inFlight]);
  }

  public async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.client.close();
    if (this.gapic) await (await this.gapic).close();
  }
}

function code(error: unknown): number | undefined {
  const c = (error as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
}

function describe(error: unknown): string {
  const e = error as { code?: number; details?: string; message?: string };
  const c = code(error);
  const name = c !== undefined ? (CODE_NAMES[c] ?? `code ${c}`) : undefined;
  const detail = (e?.details ?? e?.message ?? String(error)).split('\n')[0]?.slice(0, 200);
  return `Pub/Sub did not acknowledge the message${name ? ` (${name})` : ''}: ${detail}`;
}
