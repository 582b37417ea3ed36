/**
 * A wire-level STAND-IN for the Cloud Storage JSON API, not an emulator: plain HTTP on 127.0.0.1, in memory, no
 * auth. It answers the calls the REAL `@google-cloud/storage` 8.4.0 client makes (multipart and resumable
 * uploads, single-shot and chunked; media downloads with ranges; metadata get/patch; list; delete) with object
 * generations and the documented preconditions (`ifGenerationMatch: 0` = create only if absent, else 412).
 * Point the client at it with `new Storage({ apiEndpoint: gcs.url, projectId })`; unset STORAGE_EMULATOR_HOST,
 * which would otherwise redirect the client elsewhere.
 *
 * Follows Google's docs: generations, preconditions, object-name limits, decompressive transcoding of gzip
 * objects, error envelope `{error: {code, message, errors: [{reason}]}}`. Approximations: error message texts,
 * etags, the non-versioned-bucket model (an overwritten generation is gone), no IAM, no object versioning.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';

/** Behaviour switches, mutable at runtime through `gcs.opts`. */
export interface GcsBehaviour {
  /**
   * Send `x-goog-stored-content-encoding` on media GETs. The client validates downloads against the crc32c in
   * `x-goog-hash` only when this header is present. @default true
   */
  storedContentEncodingHeader: boolean;
  /** Report crc32c/md5Hash. The client's upload path requires crc32c in the upload response. @default true */
  includeHashes: boolean;
  /** Report wrong hashes, to exercise the client's validation. @default false */
  corruptHashes: boolean;
  /** Check preconditions when a resumable session is created as well as when it is finalized. @default true */
  checkPreconditionsOnInit: boolean;
  /** Keep raw request bodies in `requests[i].body`. @default false */
  keepBodies: boolean;
}

export interface GcsStandInOptions extends Partial<GcsBehaviour> {
  readonly host?: string;
  readonly port?: number;
  /** Buckets that exist from the start; others come into being with `createBucket` or `putObject`. */
  readonly buckets?: readonly string[];
}

export interface GcsRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: http.IncomingHttpHeaders;
  readonly bodyBytes: number;
  body?: Buffer;
  status?: number;
}

/** Answers the next `times` (default 1) requests that `match` with `status` (and `body`, else a backendError). */
export interface GcsFault {
  readonly match: (request: GcsRequest) => boolean;
  readonly status: number;
  times?: number;
  readonly body?: unknown;
}

export interface StoredObject {
  readonly bytes: Buffer;
  readonly generation: string;
  readonly contentType: string;
  readonly contentEncoding: string | undefined;
  readonly timeCreated: string;
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

export interface GcsStandIn {
  readonly url: string;
  readonly port: number;
  readonly requests: GcsRequest[];
  readonly faults: GcsFault[];
  readonly opts: GcsBehaviour;
  createBucket(bucket: string): void;
  putObject(
    bucket: string,
    name: string,
    bytes: Buffer | string,
    opts?: { contentType?: string; contentEncoding?: string },
  ): { generation: string };
  getObject(bucket: string, name: string): StoredObject | undefined;
  /** Object names in the bucket (optionally under a prefix), sorted. */
  listObjects(bucket: string, prefix?: string): string[];
  /** True when the object existed. */
  deleteObject(bucket: string, name: string): boolean;
  close(): Promise<void>;
}

// CRC32C (Castagnoli), as GCS reports it: base64 of the big-endian 4-byte value.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32cBase64(bytes: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

const md5Base64 = (bytes: Buffer): string => crypto.createHash('md5').update(bytes).digest('base64');

const META_KEYS = [
  'contentType',
  'contentEncoding',
  'contentDisposition',
  'cacheControl',
  'contentLanguage',
] as const;
type MetaKey = (typeof META_KEYS)[number];
type ObjectMeta = Partial<Record<MetaKey, string>> & { name?: string; metadata?: Record<string, string> };

interface ObjectRecord extends Partial<Record<MetaKey, string>> {
  readonly name: string;
  readonly generation: number;
  metageneration: number;
  readonly data: Buffer;
  readonly md5: string;
  readonly crc32c: string;
  readonly etag: string;
  readonly created: string;
  updated: string;
  metadata: Record<string, string> | undefined;
}

interface UploadSession {
  readonly bucket: string;
  readonly name: string;
  readonly meta: ObjectMeta;
  readonly params: URLSearchParams;
  readonly chunks: Buffer[];
  received: number;
  result?: Record<string, unknown>;
}

const apiError = (code: number, message: string, reason: string, extra: Record<string, string> = {}) => ({
  error: { code, message, errors: [{ message, domain: 'global', reason, ...extra }] },
});
const noSuchObject = (bucket: string, name: string) =>
  apiError(404, `No such object: ${bucket}/${name}`, 'notFound');
const noSuchBucket = () => apiError(404, 'The specified bucket does not exist.', 'notFound');
const preconditionFailed = () =>
  apiError(412, 'At least one of the pre-conditions you specified did not hold.', 'conditionNotMet', {
    locationType: 'header',
    location: 'If-Match',
  });

/** Documented naming rules: 1-1024 bytes of UTF-8, no CR or LF, not `.` or `..`. Message texts approximate. */
function nameProblem(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return 'Required object name is missing.';
  if (Buffer.byteLength(name, 'utf8') > 1024) return 'The object name is too long.';
  if (/[\r\n]/.test(name) || name === '.' || name === '..')
    return `Invalid object name: ${JSON.stringify(name)}`;
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseMeta(bytes: Buffer): ObjectMeta {
  const raw: unknown = bytes.length ? JSON.parse(bytes.toString('utf8')) : {};
  const meta: ObjectMeta = {};
  if (!isRecord(raw)) return meta;
  if (typeof raw.name === 'string') meta.name = raw.name;
  for (const key of META_KEYS) if (typeof raw[key] === 'string') meta[key] = raw[key];
  if (isRecord(raw.metadata)) {
    meta.metadata = Object.fromEntries(Object.entries(raw.metadata).map(([k, v]) => [k, String(v)]));
  }
  return meta;
}

function parseMultipart(body: Buffer, contentType: string | undefined) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!m) throw new Error('multipart without boundary');
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    let part = body.subarray(start, next);
    if (part.subarray(-2).toString() === '\r\n') part = part.subarray(0, -2);
    const sep = part.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, sep).toString().split('\r\n').filter(Boolean)) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    parts.push({ headers, body: part.subarray(sep + 4) });
    pos = next;
  }
  return parts;
}

// GCS precondition semantics; generation 0 means "the object must not exist".
function preconditionsHold(existing: ObjectRecord | undefined, q: URLSearchParams): boolean {
  const gen = existing ? existing.generation : 0;
  const mgen = existing?.metageneration;
  const param = (key: string) => (q.has(key) ? Number(q.get(key)) : undefined);
  const [ifGen, ifNotGen] = [param('ifGenerationMatch'), param('ifGenerationNotMatch')];
  const [ifMgen, ifNotMgen] = [param('ifMetagenerationMatch'), param('ifMetagenerationNotMatch')];
  if (ifGen !== undefined && ifGen !== gen) return false;
  if (ifNotGen !== undefined && ifNotGen === gen) return false;
  if (ifMgen !== undefined && (!existing || ifMgen !== mgen)) return false;
  if (ifNotMgen !== undefined && existing && ifNotMgen === mgen) return false;
  return true;
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) res.setHeader(k, v);
  if (body === undefined) return void res.end();
  if (Buffer.isBuffer(body)) return void res.end(body);
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.setHeader(
    'Content-Type',
    typeof body === 'string' ? 'text/plain; charset=UTF-8' : 'application/json; charset=UTF-8',
  );
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export async function startGcsStandIn(options: GcsStandInOptions = {}): Promise<GcsStandIn> {
  const { host = '127.0.0.1', port = 0, buckets: initialBuckets = [], ...behaviour } = options;
  const opts: GcsBehaviour = {
    storedContentEncodingHeader: true,
    includeHashes: true,
    corruptHashes: false,
    checkPreconditionsOnInit: true,
    keepBodies: false,
    ...behaviour,
  };
  const buckets = new Map<string, Map<string, ObjectRecord>>(initialBuckets.map((b) => [b, new Map()]));
  const sessions = new Map<string, UploadSession>();
  const requests: GcsRequest[] = [];
  const faults: GcsFault[] = [];
  let lastGeneration = 0;

  const createBucket = (bucket: string) => {
    const existing = buckets.get(bucket);
    if (existing) return existing;
    const created = new Map<string, ObjectRecord>();
    buckets.set(bucket, created);
    return created;
  };

  function commit(bucket: string, name: string, data: Buffer, meta: ObjectMeta): ObjectRecord {
    // Generations are microsecond timestamps in GCS; keep them strictly increasing.
    const generation = Math.max(Date.now() * 1000, lastGeneration + 1);
    lastGeneration = generation;
    const now = new Date().toISOString();
    const record: ObjectRecord = {
      name,
      generation,
      metageneration: 1,
      data,
      contentType: meta.contentType ?? 'application/octet-stream',
      md5: md5Base64(data),
      crc32c: crc32cBase64(data),
      etag: crypto.createHash('sha1').update(`${bucket}/${name}/${generation}`).digest('base64').slice(0, 12),
      created: now,
      updated: now,
      metadata: meta.metadata,
    };
    for (const k of META_KEYS) if (meta[k] !== undefined) record[k] = meta[k];
    createBucket(bucket).set(name, record);
    return record;
  }

  function resource(bucket: string, rec: ObjectRecord, base: string): Record<string, unknown> {
    const path = `${bucket}/o/${encodeURIComponent(rec.name)}`;
    const r: Record<string, unknown> = {
      kind: 'storage#object',
      id: `${bucket}/${rec.name}/${rec.generation}`,
      selfLink: `${base}/storage/v1/b/${path}`,
      mediaLink: `${base}/download/storage/v1/b/${path}?generation=${rec.generation}&alt=media`,
      name: rec.name,
      bucket,
      generation: String(rec.generation),
      metageneration: String(rec.metageneration),
      storageClass: 'STANDARD',
      size: String(rec.data.length),
      etag: rec.etag,
      timeCreated: rec.created,
      updated: rec.updated,
      timeStorageClassUpdated: rec.created,
    };
    for (const k of META_KEYS) if (rec[k] !== undefined) r[k] = rec[k];
    if (opts.includeHashes) {
      r.md5Hash = opts.corruptHashes ? md5Base64(Buffer.from('x')) : rec.md5;
      r.crc32c = opts.corruptHashes ? 'AAAAAA==' : rec.crc32c;
    }
    if (rec.metadata && Object.keys(rec.metadata).length) r.metadata = rec.metadata;
    return r;
  }

  function media(req: http.IncomingMessage, rec: ObjectRecord): [number, Buffer, http.OutgoingHttpHeaders] {
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': rec.contentType,
      'x-goog-generation': String(rec.generation),
      'x-goog-metageneration': String(rec.metageneration),
      'x-goog-stored-content-length': String(rec.data.length),
      ETag: rec.etag,
      'Last-Modified': new Date(rec.updated).toUTCString(),
      'Accept-Ranges': 'bytes',
    };
    if (opts.storedContentEncodingHeader) {
      headers['x-goog-stored-content-encoding'] = rec.contentEncoding ?? 'identity';
    }
    if (opts.includeHashes) {
      headers['x-goog-hash'] = opts.corruptHashes
        ? 'crc32c=AAAAAA==,md5=AAAAAAAAAAAAAAAAAAAAAA=='
        : `crc32c=${rec.crc32c},md5=${rec.md5}`;
    }
    // Gzip objects are served as stored (Content-Encoding: gzip) to a client that accepts gzip - the client
    // always sends Accept-Encoding: gzip - and decompressed server-side otherwise (decompressive transcoding).
    let payload = rec.data;
    if (rec.contentEncoding === 'gzip') {
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) headers['Content-Encoding'] = 'gzip';
      else payload = zlib.gunzipSync(rec.data);
    }
    const size = payload.length;
    const range = /^bytes=(\d*)-(-?\d*)$/.exec(req.headers.range ?? '');
    if (!range || (range[1] === '' && range[2] === '')) {
      return [200, payload, { ...headers, 'Content-Length': size }];
    }
    const [from = '', to = ''] = [range[1], range[2]];
    // A suffix range arrives as "bytes=-N" (the client passes a negative end through).
    const start = from === '' ? Math.max(0, size - Math.abs(Number(to))) : Number(from);
    const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
    if (start >= size) {
      const body = apiError(416, 'The requested range cannot be satisfied.', 'requestedRangeNotSatisfiable');
      return [
        416,
        Buffer.from(JSON.stringify(body)),
        { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Range': `bytes */${size}` },
      ];
    }
    const slice = payload.subarray(start, end + 1);
    return [
      206,
      slice,
      { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': slice.length },
    ];
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const base = `http://${req.headers.host ?? `${host}:${port}`}`;
    const url = new URL(req.url ?? '/', base);
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const body = Buffer.concat(chunks);
    const info: GcsRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(q),
      headers: req.headers,
      bodyBytes: body.length,
    };
    if (opts.keepBodies) info.body = body;
    requests.push(info);
    const reply = (status: number, payload?: unknown, headers?: http.OutgoingHttpHeaders) => {
      info.status = status;
      send(res, status, payload, headers);
    };

    for (const fault of faults) {
      if ((fault.times ?? 1) > 0 && fault.match(info)) {
        fault.times = (fault.times ?? 1) - 1;
        return reply(
          fault.status,
          fault.body ?? apiError(fault.status, `injected ${fault.status}`, 'backendError'),
        );
      }
    }

    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (upload) return handleUpload(decodeURIComponent(upload[1] ?? ''), method, q, req, body, base, reply);

    // JSON API paths: /storage/v1/b/... (apiEndpoint) or /b/... (STORAGE_EMULATOR_HOST style).
    const path = url.pathname.replace(/^\/storage\/v1(?=\/b\/)/, '');
    const list = /^\/b\/([^/]+)\/o$/.exec(path);
    const single = /^\/b\/([^/]+)\/o\/(.+)$/.exec(path);
    const bucket = decodeURIComponent((list ?? single)?.[1] ?? '');
    const objects = buckets.get(bucket);
    if ((list || single) && !objects) return reply(404, noSuchBucket());

    if (list && objects && method === 'GET') {
      const prefix = q.get('prefix') ?? '';
      const delimiter = q.get('delimiter');
      const items: Record<string, unknown>[] = [];
      const prefixes = new Set<string>();
      for (const name of [...objects.keys()].sort()) {
        const rec = objects.get(name);
        if (!rec || !name.startsWith(prefix)) continue;
        const rest = name.slice(prefix.length);
        if (delimiter && rest.includes(delimiter)) {
          prefixes.add(prefix + rest.slice(0, rest.indexOf(delimiter) + delimiter.length));
        } else items.push(resource(bucket, rec, base));
      }
      return reply(200, {
        kind: 'storage#objects',
        ...(items.length ? { items } : {}),
        ...(prefixes.size ? { prefixes: [...prefixes] } : {}),
      });
    }

    if (single && objects) {
      const name = decodeURIComponent(single[2] ?? '');
      const rec = objects.get(name);
      const wantGeneration = q.get('generation');
      const found = rec && (!wantGeneration || Number(wantGeneration) === rec.generation) ? rec : undefined;
      if (!found) return reply(404, noSuchObject(bucket, name));
      if (!preconditionsHold(found, q)) return reply(412, preconditionFailed());
      if (method === 'GET' && q.get('alt') === 'media') return reply(...media(req, found));
      if (method === 'GET') return reply(200, resource(bucket, found, base));
      if (method === 'DELETE') {
        objects.delete(name);
        return reply(204);
      }
      if (method === 'PATCH') {
        const patch = parseMeta(body);
        if (patch.metadata) found.metadata = { ...found.metadata, ...patch.metadata };
        for (const k of META_KEYS) if (patch[k] !== undefined) found[k] = patch[k];
        found.metageneration += 1;
        found.updated = new Date().toISOString();
        return reply(200, resource(bucket, found, base));
      }
    }
    return reply(501, apiError(501, `stand-in: unsupported ${method} ${url.pathname}`, 'notImplemented'));
  }

  function handleUpload(
    bucket: string,
    method: string,
    q: URLSearchParams,
    req: http.IncomingMessage,
    body: Buffer,
    base: string,
    reply: (status: number, payload?: unknown, headers?: http.OutgoingHttpHeaders) => void,
  ): void {
    const uploadType = q.get('uploadType');
    const uploadId = q.get('upload_id');
    const objects = buckets.get(bucket);
    if (!objects) return reply(404, noSuchBucket());
    if (method === 'POST' && uploadType === 'multipart') {
      const [metaPart, dataPart] = parseMultipart(body, req.headers['content-type']);
      const meta = metaPart ? parseMeta(metaPart.body) : {};
      const name = q.get('name') ?? meta.name;
      meta.contentType ??= dataPart?.headers['content-type'];
      const problem = nameProblem(name);
      if (problem || name === undefined) return reply(400, apiError(400, problem ?? '', 'invalid'));
      if (!preconditionsHold(objects.get(name), q)) return reply(412, preconditionFailed());
      return reply(
        200,
        resource(bucket, commit(bucket, name, dataPart?.body ?? Buffer.alloc(0), meta), base),
      );
    }
    if (method === 'POST' && uploadType === 'resumable') {
      const meta = parseMeta(body);
      const uploadContentType = req.headers['x-upload-content-type'];
      if (typeof uploadContentType === 'string') meta.contentType ??= uploadContentType;
      const name = q.get('name') ?? meta.name;
      const problem = nameProblem(name);
      if (problem || name === undefined) return reply(400, apiError(400, problem ?? '', 'invalid'));
      if (opts.checkPreconditionsOnInit && !preconditionsHold(objects.get(name), q)) {
        return reply(412, preconditionFailed());
      }
      const id = crypto.randomUUID();
      sessions.set(id, { bucket, name, meta, params: new URLSearchParams(q), chunks: [], received: 0 });
      const location = `${base}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
      return reply(200, undefined, { Location: location, 'Content-Length': 0 });
    }
    const session = uploadId ? sessions.get(uploadId) : undefined;
    if (method === 'DELETE' && uploadId) {
      sessions.delete(uploadId);
      return reply(499); // GCS answers a cancelled session with 499
    }
    if (method !== 'PUT' || !uploadId) {
      return reply(400, apiError(400, `unsupported upload ${method} ${uploadType}`, 'invalid'));
    }
    if (!session) return reply(404, apiError(404, 'No such upload session', 'notFound'));
    if (session.result) return reply(200, session.result);
    // Content-Range: "bytes */*" | "bytes */N" | "bytes A-B/N" | "bytes A-B/*" | "bytes A-*/*" | "bytes A-*/N"
    const range = /^bytes (\*|(\d+)-(\d+|\*))\/(\*|\d+)$/.exec(req.headers['content-range'] ?? 'bytes */*');
    if (!range) return reply(400, apiError(400, 'Bad Content-Range', 'invalid'));
    const total = range[4] === '*' ? undefined : Number(range[4]);
    const have = () => (session.received ? { Range: `bytes=0-${session.received - 1}` } : {});
    if (range[1] !== '*') {
      const start = Number(range[2]);
      if (start > session.received) return reply(308, undefined, have()); // a gap: say what we hold
      const fresh = body.subarray(session.received - start); // drop bytes already held
      session.chunks.push(fresh);
      session.received += fresh.length;
    }
    // Final when the declared total is reached, or for an open-ended "A-*" single-shot upload.
    const isFinal = (total !== undefined && session.received >= total) || range[3] === '*';
    if (!isFinal) return reply(308, undefined, have());
    if (!preconditionsHold(objects.get(session.name), session.params)) {
      sessions.delete(uploadId);
      return reply(412, preconditionFailed());
    }
    const rec = commit(bucket, session.name, Buffer.concat(session.chunks), session.meta);
    session.result = resource(bucket, rec, base);
    return reply(200, session.result);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, apiError(500, String(error), 'backendError'));
      else res.destroy();
    });
  });
  // The client keeps sockets alive; don't let them hold close() up.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${bound}`,
    port: bound,
    requests,
    faults,
    opts,
    createBucket: (bucket) => void createBucket(bucket),
    putObject(bucket, name, bytes, meta = {}) {
      const problem = nameProblem(name);
      if (problem) throw new Error(problem);
      const rec = commit(bucket, name, Buffer.from(bytes), meta);
      return { generation: String(rec.generation) };
    },
    getObject(bucket, name) {
      const rec = buckets.get(bucket)?.get(name);
      if (!rec) return undefined;
      return {
        bytes: rec.data,
        generation: String(rec.generation),
        contentType: rec.contentType ?? 'application/octet-stream',
        contentEncoding: rec.contentEncoding,
        timeCreated: rec.created,
        metadata: rec.metadata,
      };
    },
    listObjects: (bucket, prefix = '') =>
      [...(buckets.get(bucket)?.keys() ?? [])].filter((n) => n.startsWith(prefix)).sort(),
    deleteObject: (bucket, name) => buckets.get(bucket)?.delete(name) ?? false,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
