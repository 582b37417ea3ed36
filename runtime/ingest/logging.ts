/**
 * Logs as Cloud Logging reads them from stdout: one JSON object per line with `severity`, `message`, a
 * timestamp, and the request's trace (`logging.googleapis.com/trace`, `spanId`, `trace_sampled`) so entries
 * group under the request in the Logs Explorer. Credentials never reach a log line: the API key and
 * Authorization headers are redacted, and URLs are logged without their query string.
 */
import type { FastifyServerOptions } from 'fastify';

const SEVERITY: Readonly<Record<string, string>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export const REDACTED_HEADERS = ['x-api-key', 'authorization', 'proxy-authorization', 'cookie'];

/** pino options for the fastify logger. `destination` lets tests capture the lines. */
export function loggerOptions(
  destination?: NodeJS.WritableStream,
  level = 'info',
): FastifyServerOptions['logger'] {
  return {
    level,
    messageKey: 'message',
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    formatters: {
      level: (label: string) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }),
      bindings: () => ({}),
    },
    redact: { paths: REDACTED_HEADERS.map((h) => `req.headers["${h}"]`), censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; headers: Record<string, unknown> }) => ({
        method: req.method,
        url: req.url.split('?')[0],
        userAgent: req.headers['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    ...(destination ? { stream: destination } : {}),
  } as FastifyServerOptions['logger'];
}

export interface TraceFields {
  readonly 'logging.googleapis.com/trace'?: string;
  readonly 'logging.googleapis.com/spanId'?: string;
  readonly 'logging.googleapis.com/trace_sampled'?: boolean;
}

/**
 * The trace of a request, from Cloud Run's `X-Cloud-Trace-Context: TRACE/SPAN;o=1` or W3C `traceparent`.
 * Malformed headers give no trace rather than garbage in the log.
 */
export function traceFields(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  projectId?: string,
): TraceFields {
  const trace = (id: string) => (projectId ? `projects/${projectId}/traces/${id}` : id);
  const cloud = headers['x-cloud-trace-context'];
  const c = typeof cloud === 'string' ? /^([0-9a-f]{32})(?:\/(\d{1,20}))?(?:;o=([01]))?$/.exec(cloud) : null;
  if (c) {
    return {
      'logging.googleapis.com/trace': trace(c[1] as string),
      ...(c[2] ? { 'logging.googleapis.com/spanId': BigInt(c[2]).toString(16).padStart(16, '0') } : {}),
      'logging.googleapis.com/trace_sampled': c[3] === '1',
    };
  }
  const w3c = headers.traceparent;
  const t =
    typeof w3c === 'string' ? /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(w3c) : null;
  if (t) {
    return {
      'logging.googleapis.com/trace': trace(t[1] as string),
      'logging.googleapis.com/spanId': t[2] as string,
      'logging.googleapis.com/trace_sampled': (Number.parseInt(t[3] as string, 16) & 1) === 1,
    };
  }
  return {};
}
