/**
 * The ingest gateway as a fastify plugin: `POST /v1/streams/:stream/events`, `GET /healthz`, `GET /readyz`.
 * Streams, topics and contracts come from the manifest the constructs deploy; nothing here names a stream.
 *
 * Per request: authenticate (Cloud Run IAM or a partner API key), find the stream, admit the body within the
 * in-flight byte bound, parse it (one event, an array, or NDJSON), validate every event with the contract's
 * ajv validator and against Pub/Sub's per-message limits, publish the valid ones and wait for Pub/Sub to
 * acknowledge each, then report every event by index. Bodies are UTF-8 only, never decoded with replacement
 * characters. Status codes:
 *
 * | status | when |
 * | --- | --- |
 * | 200 | every event accepted (acknowledged by Pub/Sub) |
 * | 207 | some accepted, the others rejected (contract, Pub/Sub limits, or refused by Pub/Sub); resend none of them |
 * | 422 | every event rejected |
 * | 503 + Retry-After | some events failed to publish after retries (resend those), the gateway is over its in-flight bound, or it is shutting down |
 * | 500 | the gateway cannot publish at all (a missing topic or permission); the operator must act |
 * | 400 | malformed body (with its position), body not valid UTF-8 (with the byte offset), an empty batch, or a bad `X-Tributary-Source` |
 * | 401 / 403 | no or bad API key / key not allowed to write the stream |
 * | 404 | unknown stream |
 * | 413 | body larger than the limit, or more events than allowed per request |
 * | 415 | content type other than application/json or application/x-ndjson, or a charset other than UTF-8 |
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayManifest, GatewayStream } from '../../contracts/gateway';
import { EVENT_ID_SEPARATOR } from '../../contracts/metadata';
import { compileValidator, type EventError, type EventValidator } from '../../contracts/validator';
import { messageLimitProblems, PUBSUB_LIMITS } from '../../core/pubsub-limits';
import { firstInvalidUtf8 } from '../../core/utf8';
import { Admission } from './admission';
import type { ApiKeyStore } from './api-keys';
import { type BodyKind, parseBody } from './body';
import type { AuthMode, IngestLimits } from './config';
import { traceFields } from './logging';
import type { IngestMetrics } from './metrics';
import type { EventPublisher, OutgoingMessage } from './publisher';

export interface IngestAppOptions {
  readonly manifest: GatewayManifest;
  readonly publisher: EventPublisher;
  readonly authMode: AuthMode;
  readonly limits: IngestLimits;
  readonly metrics: IngestMetrics;
  /** Partner keys. @default - none: requests with a key get 401 */
  readonly apiKeys?: ApiKeyStore;
  /** For trace correlation in logs. @default - none */
  readonly projectId?: string;
  /** True once the server is shutting down: new requests get 503 and readiness fails. @default - never */
  readonly isDraining?: () => boolean;
}

/**
 * Why an event was rejected: a contract rule (the validator's codes), one of Pub/Sub's per-message limits
 * (`limit`), or Pub/Sub refusing the message itself (`refused`).
 */
export interface RejectionReason {
  readonly field: string;
  readonly rule: string;
  readonly code: EventError['code'] | 'limit' | 'refused';
}

export type EventResult =
  | {
      readonly index: number;
      readonly status: 'accepted';
      readonly eventId: string;
      readonly messageId: string;
      readonly droppedFields?: readonly string[];
    }
  | { readonly index: number; readonly status: 'rejected'; readonly errors: readonly RejectionReason[] }
  | {
      readonly index: number;
      readonly status: 'failed';
      readonly eventId: string;
      readonly error: string;
      /** True when resending the event may succeed (Pub/Sub was unavailable); false when the operator must act. */
      readonly retryable: boolean;
    };

interface Stream {
  readonly spec: GatewayStream;
  readonly validator: EventValidator;
}

interface RequestContext {
  readonly stream: Stream;
  readonly source: string;
  reserved: number;
}

type WithContext = FastifyRequest & { tributary: RequestContext | null };

const SOURCE = /^[a-z][a-z0-9-]{0,31}$/;
const CONTENT_TYPES: Readonly<Record<string, BodyKind>> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
};
/** A request body as the content-type parsers hand it over. */
interface RawBody {
  readonly kind: BodyKind;
  readonly text: string;
}

const RETRY_AFTER_OVERLOAD_S = 1;
const RETRY_AFTER_PUBLISH_S = 5;

export default async function ingestApp(app: FastifyInstance, options: IngestAppOptions): Promise<void> {
  const streams = new Map<string, Stream>();
  for (const spec of options.manifest.streams)
    streams.set(spec.name, { spec, validator: compileValidator(spec.contract) });
  const admission = new Admission(options.limits.inFlightBytes);
  const draining = options.isDraining ?? (() => false);
  // Kept on the request (fastify's decorator, a slot every request object has) rather than in a WeakMap,
  // whose entries cost the garbage collector extra work on every request.
  app.decorateRequest('tributary', null);
  const contextOf = (request: FastifyRequest) => (request as WithContext).tributary;
  options.metrics.gauge(
    'tributary_ingest_in_flight_bytes',
    'Request bytes currently admitted.',
    () => admission.inFlightBytes,
  );

  const fail = (reply: FastifyReply, status: number, error: string, retryAfterS?: number) => {
    if (retryAfterS !== undefined) reply.header('retry-after', String(retryAfterS));
    return reply.code(status).send({ error });
  };

  // Bodies arrive as bytes and are decoded only when they are valid UTF-8 (a body that is not gets 400 with
  // the offset of the first bad byte, never replacement characters), then handed over as text tagged with the
  // kind fastify matched from the content type: the handler parses them to report positions and bound
  // nesting (see body.ts).
  app.removeAllContentTypeParsers();
  for (const [type, kind] of Object.entries(CONTENT_TYPES))
    app.addContentTypeParser(
      type,
      { parseAs: 'buffer', bodyLimit: options.limits.bodyBytes },
      (_req, body, done) => {
        const bytes = body as Buffer;
        if (!isUtf8(bytes)) {
          const offset = firstInvalidUtf8(bytes);
          return done(
            Object.assign(new Error(`the body is not valid UTF-8: invalid byte sequence at byte ${offset}`), {
              statusCode: 400,
            }),
          );
        }
        done(null, { kind, text: bytes.toString('utf8') } satisfies RawBody);
      },
    );

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return fail(reply, 413, `request body larger than ${options.limits.bodyBytes} bytes`);
    if (status === 415)
      return fail(
        reply,
        415,
        `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send application/json or application/x-ndjson`,
      );
    if (status >= 400 && status < 500) return fail(reply, status, error.message);
    request.log.error({ err: { message: error.message, code: error.code } }, 'unexpected error');
    return fail(reply, 500, 'internal error');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (draining()) return reply.code(503).send({ status: 'not ready', reason: 'shutting down' });
    if (!options.publisher.healthy())
      return reply.code(503).send({ status: 'not ready', reason: 'recent publishes to Pub/Sub failed' });
    return { status: 'ready', streams: streams.size };
  });

  /**
   * Authentication, stream lookup and admission, before the body is read: a refused request is answered here
   * without buffering its body. False when it has been answered.
   */
  const admit = (request: FastifyRequest<{ Params: { stream: string } }>, reply: FastifyReply): boolean => {
    const reject = (status: number, error: string, retryAfterS?: number) => {
      fail(reply, status, error, retryAfterS);
      return false;
    };
    const trace = traceFields(request.headers, options.projectId);
    if (Object.keys(trace).length > 0) request.log = request.log.child(trace);
    if (draining()) {
      reply.header('connection', 'close');
      return reject(503, 'the gateway is shutting down; retry on another instance', RETRY_AFTER_OVERLOAD_S);
    }
    const key = request.headers['x-api-key'];
    let source: string;
    let allowed: ReadonlySet<string> | undefined;
    if (key !== undefined) {
      const check =
        typeof key === 'string' && options.apiKeys ? options.apiKeys.check(key) : { ok: false as const };
      if (!check.ok) return reject(401, 'invalid API key');
      source = `partner:${check.id}`;
      allowed = check.streams;
    } else if (options.authMode === 'api-key') {
      return reject(401, 'an API key is required (header X-API-Key)');
    } else {
      const declared = request.headers['x-tributary-source'];
      if (
        declared !== undefined &&
        (typeof declared !== 'string' || !SOURCE.test(declared) || declared.startsWith('partner'))
      )
        return reject(
          400,
          'X-Tributary-Source must be 1-32 lowercase letters, digits and hyphens, start with a letter, and not start with "partner"',
        );
      source = typeof declared === 'string' ? declared : 'internal';
    }
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
      return reject(415, `charset ${JSON.stringify(charset)} is not supported: send UTF-8 (charset=utf-8)`);
    const stream = streams.get(request.params.stream);
    if (!stream) return reject(404, `unknown stream ${JSON.stringify(request.params.stream)}`);
    if (allowed && !allowed.has(stream.spec.name))
      return reject(403, `this API key may not write to stream ${stream.spec.name}`);
    const declaredLength = Number(request.headers['content-length']);
    const reserve =
      Number.isFinite(declaredLength) && declaredLength >= 0
        ? Math.min(declaredLength, options.limits.bodyBytes)
        : options.limits.bodyBytes;
    if (!admission.tryReserve(reserve))
      return reject(503, 'the gateway is at its in-flight limit; retry shortly', RETRY_AFTER_OVERLOAD_S);
    (request as WithContext).tributary = { stream, source, reserved: reserve };
    return true;
  };

  app.post<{ Params: { stream: string } }>(
    '/v1/streams/:stream/events',
    {
      // Callback-style hooks: this is the hot path, where a promise per hook per request shows in profiles.
      onRequest: (request, reply, done) => {
        if (admit(request, reply)) done();
      },
      onRequestAbort: (request, done) => {
        release(request);
        done();
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request) as RequestContext;
      const { stream } = ctx;
      // No body at all (no content type either) reads as an empty JSON body: a 400 that says so.
      const body = (request.body as RawBody | undefined) ?? { kind: 'json', text: '' };
      const parsed = parseBody(body.text, body.kind, { maxDepth: options.limits.nestingDepth });
      if (!parsed.ok) return fail(reply, 400, parsed.message);
      if (parsed.events.length > options.limits.eventsPerRequest)
        return fail(
          reply,
          413,
          `${parsed.events.length} events in one request; at most ${options.limits.eventsPerRequest} are allowed`,
        );

      const keys = stream.spec.contract.key;
      const results: (EventResult | undefined)[] = new Array(parsed.events.length);
      const outgoing: OutgoingMessage[] = [];
      const pending: { index: number; eventId: string; dropped: readonly string[] }[] = [];
      parsed.events.forEach((event, index) => {
        const v = stream.validator.validate(event);
        if (!v.ok) {
          results[index] = { index, status: 'rejected', errors: v.errors };
          return;
        }
        const data = Buffer.from(JSON.stringify(v.event));
        if (data.length > options.limits.eventBytes) {
          results[index] = {
            index,
            status: 'rejected',
            errors: [
              {
                field: '(event)',
                rule: `must be at most ${options.limits.eventBytes} bytes as JSON, is ${data.length}`,
                code: 'length',
              },
            ],
          };
          return;
        }
        const eventId =
          keys.length === 1
            ? String(v.event[keys[0] as string])
            : keys.map((k) => String(v.event[k])).join(EVENT_ID_SEPARATOR);
        const attributes: Record<string, string> = {
          stream: stream.spec.name,
          schema_version: stream.spec.contract.version,
          event_id: eventId,
          source: ctx.source,
        };
        if (v.dropped.length > 0) {
          // Bounded to one attribute value; the response lists every dropped field.
          attributes.dropped_fields = droppedFieldsAttribute(v.dropped);
          attributes.dropped_fields_count = String(v.dropped.length);
        }
        const orderingField = stream.spec.orderingKey;
        const message: OutgoingMessage = orderingField
          ? { data, attributes, orderingKey: String(v.event[orderingField]) }
          : { data, attributes };
        // Pub/Sub refuses a whole request for one message over its limits: such an event is rejected here, alone.
        const problems = messageLimitProblems(message);
        if (problems.length > 0) {
          results[index] = {
            index,
            status: 'rejected',
            errors: problems.map((p) => ({
              field: limitField(p.part, keys, orderingField),
              rule: `Pub/Sub limit: ${p.rule}`,
              code: 'limit' as const,
            })),
          };
          return;
        }
        outgoing.push(message);
        pending.push({ index, eventId, dropped: v.dropped });
      });

      if (outgoing.length > 0) {
        const published = await options.publisher.publish(
          stream.spec.topic,
          outgoing,
          stream.spec.orderingKey !== undefined,
        );
        published.forEach((p, i) => {
          const { index, eventId, dropped } = pending[i] as (typeof pending)[number];
          results[index] = p.ok
            ? {
                index,
                status: 'accepted',
                eventId,
                messageId: p.messageId,
                ...(dropped.length > 0 ? { droppedFields: dropped } : {}),
              }
            : p.failure === 'refused'
              ? { index, status: 'rejected', errors: [{ field: '(event)', rule: p.reason, code: 'refused' }] }
              : { index, status: 'failed', eventId, error: p.reason, retryable: p.failure === 'retryable' };
        });
      }

      const all = results as EventResult[];
      let accepted = 0;
      let rejected = 0;
      let failed = 0;
      let retryable = 0;
      for (const r of all) {
        if (r.status === 'accepted') accepted++;
        else if (r.status === 'rejected') rejected++;
        else {
          failed++;
          if (r.retryable) retryable++;
        }
      }
      const name = stream.spec.name;
      options.metrics.events(name, 'accepted', accepted);
      options.metrics.events(name, 'rejected', rejected);
      options.metrics.events(name, 'failed', failed);
      // Resendable failures first (the client should retry those), then failures only the operator can fix.
      const status = retryable > 0 ? 503 : failed > 0 ? 500 : rejected === 0 ? 200 : accepted > 0 ? 207 : 422;
      if (retryable > 0) reply.header('retry-after', String(RETRY_AFTER_PUBLISH_S));
      if (failed > 0 || rejected > 0) {
        // Reasons only, never event content: events may carry personal data.
        const firstFailure = all.find((r) => r.status === 'failed');
        request.log.warn(
          {
            stream: name,
            source: ctx.source,
            accepted,
            rejected,
            failed,
            ...(firstFailure?.status === 'failed' ? { publishError: firstFailure.error } : {}),
          },
          'events not accepted',
        );
      }
      return reply.code(status).send({ stream: name, accepted, rejected, failed, results: all });
    },
  );

  app.addHook('onResponse', (request, reply, done) => {
    if (request.routeOptions.url === '/v1/streams/:stream/events') {
      release(request);
      options.metrics.request(contextOf(request)?.stream.spec.name ?? '(none)', reply.statusCode);
    }
    done();
  });

  function release(request: FastifyRequest): void {
    const ctx = contextOf(request);
    if (ctx && ctx.reserved > 0) {
      admission.release(ctx.reserved);
      ctx.reserved = 0;
    }
  }
}

/** The charset parameter of a Content-Type header, lowercased; undefined when none is declared. */
function charsetOf(contentType: string | string[] | undefined): string | undefined {
  if (typeof contentType !== 'string' || !contentType.includes(';')) return undefined;
  const m = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType);
  return m ? (m[2] as string).toLowerCase() : undefined;
}

/**
 * The `dropped_fields` attribute: the JSON list of dropped names, cut to the longest prefix that fits one
 * attribute value (Pub/Sub allows 1,024 bytes). `dropped_fields_count` always carries the full count.
 */
export function droppedFieldsAttribute(
  names: readonly string[],
  maxBytes: number = PUBSUB_LIMITS.attributeValueBytes,
): string {
  let value = '[';
  let size = 2; // the brackets
  for (const name of names) {
    const item = `${value === '[' ? '' : ','}${JSON.stringify(name)}`;
    const itemBytes = Buffer.byteLength(item);
    if (size + itemBytes > maxBytes) break;
    value += item;
    size += itemBytes;
  }
  return `${value}]`;
}

/** The event field a broken limit comes from: the key fields for event_id, the ordering field for its key. */
function limitField(part: string, keys: readonly string[], orderingField: string | undefined): string {
  if (part === 'orderingKey') return orderingField ?? '(event)';
  if (part === 'attributes.event_id') return keys.join(', ');
  return '(event)';
}
