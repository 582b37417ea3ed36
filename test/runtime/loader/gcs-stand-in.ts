/**
 * A wire-level STAND-IN for the Cloud Storage JSON API, not an emulator: plain HTTP on 127.0.0.1, in memory, no
 * auth. It answers the calls the REAL `@google-cloud/storage` 8.4.0 client makes (multipart and resumable
 * uploads, single-shot and chunked; media downloads with ranges; metadata get/patch; list; delete) with object
 * generations and preconditions. Point the client at it with `new Storage({ apiEndpoint: gcs.url, projectId })`
 * and unset STORAGE_EMULATOR_HOST, which would otherwise redirect the client's JSON-API calls.
 *
 * Follows Google's docs: generations, preconditions (`ifGenerationMatch: 0` = only if absent, else 412),
 * object-name limits, decompressive transcoding of gzip objects, the `x-goog-hash` header, the error envelope
 * `{error: {code, message, errors: [{reason}]}}`. Approximations: message texts, etags, a non-versioned bucket
 * (an overwritten generation is gone), no IAM, no retention, buckets without metadata.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';

/** Behaviour switches, mutable at runtime through `gcs.opts`. */
export interface GcsBehaviour {
  /** Send `x-goog-stored-content-encoding` on media GETs; without it the client skips download validation. */
  storedContentEncodingHeader: boolean;
  /** Report crc32c/md5Hash. The client's upload path requires crc32c in the upload response. */
  includeHashes: boolean;
  /** Report wrong hashes, to exercise the client's validation. */
  corruptHashes: boolean;
  /** Check preconditions when a resumable session starts, as well as when it is finalized. */
  checkPreconditionsOnInit: boolean;
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
export type ObjectOptions = { readonly contentType?: string; readonly contentEncoding?: string };

export interface GcsStandIn {
  readonly url: string;
  readonly port: number;
  readonly requests: GcsRequest[];
  readonly faults: GcsFault[];
  readonly opts: GcsBehaviour;
  createBucket(bucket: string): void;
  /** Writes a new generation (creating the bucket if needed). Throws on a name GCS would refuse. */
  putObject(
    bucket: string,
    name: string,
    bytes: Buffer | string,
    opts?: ObjectOptions,
  ): { generation: string };
  getObject(bucket: string, name: string): StoredObject | undefined;
  /** Object names in the bucket, optionally under a prefix, sorted. */
  listObjects(bucket: string, prefix?: string): string[];
  /** True when the object existed. */
  deleteObject(bucket: string, name: string): boolean;
  close(): Promise<void>;
}

// CRC32C (Castagnoli), as GCS reports it: base64 of the big-endian 4-byte value.
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32cBase64(bytes: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

const md5Base64 = (bytes: Buffer): string => crypto.createHash('md5').update(bytes).digest('base64');

type MetaKey = 'contentType' | 'contentEncoding' | 'contentDisposition' | 'cacheControl' | 'contentLanguage';
const META_KEYS: readonly MetaKey[] = [
  'contentType',
  'contentEncoding',
  'contentDisposition',
  'cacheControl',
  'contentLanguage',
];
type MetaFields = Partial<Record<MetaKey, string>>;
type ObjectMeta = MetaFields & { name?: string; metadata?: Record<string, string> };

interface ObjectRecord extends MetaFields {
  readonly name: string;
  readonly generation: number;
  readonly data: Buffer;
  readonly hashes: { readonly md5: string; readonly crc32c: string };
  readonly etag: string;
  readonly created: string;
  metageneration: number;
  updated: string;
  metadata: Record<string, string> | undefined;
}

interface UploadSession {
  readonly name: string;
  readonly meta: ObjectMeta;
  readonly params: URLSearchParams;
  readonly chunks: Buffer[];
  received: number;
  result?: Record<string, unknown>;
}

/** What a route answers: status, body (Buffer, text, JSON value or nothing), headers. */
type Reply = [status: number, body?: unknown, headers?: http.OutgoingHttpHeaders];

const apiError = (code: number, message: string, reason: string, extra: Record<string, string> = {}) => ({
  error: { code, message, errors: [{ message, domain: 'global', reason, ...extra }] },
});
const invalid = (message: string): Reply => [400, apiError(400, message, 'invalid')];
const unsupported = (what: string): Reply => [501, apiError(501, `unsupported: ${what}`, 'notImplemented')];
const noSuchBucket: Reply = [404, apiError(404, 'The specified bucket does not exist.', 'notFound')];
const PRECONDITION = 'At least one of the pre-conditions you specified did not hold.';
const IF_MATCH = { locationType: 'header', location: 'If-Match' };
const preconditionFailed: Reply = [412, apiError(412, PRECONDITION, 'conditionNotMet', IF_MATCH)];

/** Documented naming rules: 1-1024 bytes of UTF-8, no CR or LF, not `.` or `..`. Message texts approximate. */
function nameProblem(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return 'Required object name is missing.';
  if (Buffer.byteLength(name, 'utf8') > 1024) return 'The object name is too long.';
  const bad = /[\r\n]/.test(name) || name === '.' || name === '..';
  return bad ? `Invalid object name: ${JSON.stringify(name)}` : undefined;
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

/** multipart/related as the client sends it: a JSON metadata part, then the media part. */
function parseMultipart(body: Buffer, contentType: string | undefined) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!m) throw new Error('multipart without boundary');
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  for (let pos = body.indexOf(delimiter); pos !== -1; ) {
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
  return !(ifNotMgen !== undefined && existing && ifNotMgen === mgen);
}

function send(res: http.ServerResponse, [status, body, headers = {}]: Reply): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) res.setHeader(k, v);
  if (body === undefined || Buffer.isBuffer(body)) return void res.end(body);
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json';
  res.setHeader('Content-Type', `${type}; charset=UTF-8`);
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
    ...behaviour,
  };
  const buckets = new Map(initialBuckets.map((b) => [b, new Map<string, ObjectRecord>()]));
  const sessions = new Map<string, UploadSession>();
  const requests: GcsRequest[] = [];
  const faults: GcsFault[] = [];
  let lastGeneration = 0;

  function createBucket(bucket: string): Map<string, ObjectRecord> {
    const objects = buckets.get(bucket) ?? new Map<string, ObjectRecord>();
    buckets.set(bucket, objects);
    return objects;
  }

  function commit(bucket: string, name: string, data: Buffer, meta: ObjectMeta): ObjectRecord {
    // Generations are microsecond timestamps in GCS; keep them strictly increasing.
    const generation = Math.max(Date.now() * 1000, lastGeneration + 1);
    lastGeneration = generation;
    const now = new Date().toISOString();
    const record: ObjectRecord = {
      name,
      generation,
      data,
      hashes: { md5: md5Base64(data), crc32c: crc32cBase64(data) },
      etag: crypto.createHash('sha1').update(`${bucket}/${name}/${generation}`).digest('base64').slice(0, 12),
      created: now,
      metageneration: 1,
      updated: now,
      metadata: meta.metadata,
      contentType: 'application/octet-stream',
    };
    for (const k of META_KEYS) if (meta[k] !== undefined) record[k] = meta[k];
    createBucket(bucket).set(name, record);
    return record;
  }

  function resource(bucket: string, rec: ObjectRecord, base: string): Record<string, unknown> {
    const path = `${bucket}/o/${encodeURIComponent(rec.name)}`;
    const hashes = opts.corruptHashes ? { md5Hash: md5Base64(Buffer.from('x')), crc32c: 'AAAAAA==' } : {};
    return {
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
      ...Object.fromEntries(META_KEYS.filter((k) => rec[k] !== undefined).map((k) => [k, rec[k]])),
      ...(opts.includeHashes ? { md5Hash: rec.hashes.md5, crc32c: rec.hashes.crc32c, ...hashes } : {}),
      ...(rec.metadata && Object.keys(rec.metadata).length ? { metadata: rec.metadata } : {}),
    };
  }

  function media(req: http.IncomingMessage, rec: ObjectRecord): Reply {
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
        : `crc32c=${rec.hashes.crc32c},md5=${rec.hashes.md5}`;
    }
    // Gzip objects are served as stored (Content-Encoding: gzip) to a client that accepts gzip - this client
    // always does - and decompressed server-side otherwise ("decompressive transcoding").
    let payload = rec.data;
    if (rec.contentEncoding === 'gzip') {
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) headers['Content-Encoding'] = 'gzip';
      else payload = zlib.gunzipSync(rec.data);
    }
    const size = payload.length;
    const [, from = '', to = ''] = /^bytes=(\d*)-(-?\d*)$/.exec(req.headers.range ?? '') ?? [];
    if (from === '' && to === '') return [200, payload, { ...headers, 'Content-Length': size }];
    // A suffix range arrives as "bytes=-N" (the client passes a negative end through).
    const start = from === '' ? Math.max(0, size - Math.abs(Number(to))) : Number(from);
    const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
    if (start >= size) {
      const error = apiError(416, 'The requested range cannot be satisfied.', 'requestedRangeNotSatisfiable');
      return [416, error, { 'Content-Range': `bytes */${size}` }];
    }
    const slice = payload.subarray(start, end + 1);
    return [
      206,
      slice,
      { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': slice.length },
    ];
  }

  function route(req: http.IncomingMessage, info: GcsRequest, body: Buffer, url: URL): Reply {
    for (const fault of faults) {
      if ((fault.times ?? 1) > 0 && fault.match(info)) {
        fault.times = (fault.times ?? 1) - 1;
        const error = apiError(fault.status, `injected ${fault.status}`, 'backendError');
        return [fault.status, fault.body ?? error];
      }
    }
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (upload) return routeUpload(req, decodeURIComponent(upload[1] ?? ''), body, url);

    // JSON API paths: /storage/v1/b/... (apiEndpoint) or /b/... (STORAGE_EMULATOR_HOST style).
    const path = url.pathname.replace(/^\/storage\/v1(?=\/b\/)/, '');
    const [, bucketPart = '', objectPart] = /^\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(path) ?? [];
    const bucket = decodeURIComponent(bucketPart);
    const objects = buckets.get(bucket);
    const q = url.searchParams;
    if (!bucketPart) return unsupported(`${info.method} ${path}`);
    if (!objects) return noSuchBucket;

    if (objectPart === undefined) {
      if (info.method !== 'GET') return unsupported(`${info.method} ${path}`);
      const [prefix, delimiter] = [q.get('prefix') ?? '', q.get('delimiter')];
      // Pages of at most maxResults entries (GCS caps it at 1000); the token is the last name returned.
      const max = Math.min(Number(q.get('maxResults') ?? 1000), 1000);
      if (!Number.isInteger(max) || max < 1)
        return [400, { error: { code: 400, message: 'Invalid maxResults' } }];
      const after = q.get('pageToken') ?? '';
      const [start, end] = [q.get('startOffset') ?? '', q.get('endOffset')];
      const items: Record<string, unknown>[] = [];
      const prefixes = new Set<string>();
      let nextPageToken: string | undefined;
      for (const [name, rec] of [...objects].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (!name.startsWith(prefix) || name <= after || name < start || (end && name >= end)) continue;
        if (delimiter && after.endsWith(delimiter) && name.startsWith(after)) continue;
        if (items.length + prefixes.size >= max) {
          nextPageToken = [...items.map((i) => String(i.name)), ...prefixes].sort().at(-1);
          break;
        }
        const rest = name.slice(prefix.length);
        if (delimiter && rest.includes(delimiter)) {
          prefixes.add(prefix + rest.slice(0, rest.indexOf(delimiter) + delimiter.length));
        } else items.push(resource(bucket, rec, url.origin));
      }
      const listing = {
        ...(items.length ? { items } : {}),
        ...(prefixes.size ? { prefixes: [...prefixes] } : {}),
        ...(nextPageToken ? { nextPageToken } : {}),
      };
      return [200, { kind: 'storage#objects', ...listing }];
    }

    const name = decodeURIComponent(objectPart);
    const rec = objects.get(name);
    const wantGeneration = q.get('generation');
    const found = rec && (!wantGeneration || Number(wantGeneration) === rec.generation) ? rec : undefined;
    if (!found) return [404, apiError(404, `No such object: ${bucket}/${name}`, 'notFound')];
    if (!preconditionsHold(found, q)) return preconditionFailed;
    if (info.method === 'GET' && q.get('alt') === 'media') return media(req, found);
    if (info.method === 'GET') return [200, resource(bucket, found, url.origin)];
    if (info.method === 'DELETE') {
      objects.delete(name);
      return [204];
    }
    if (info.method !== 'PATCH') return unsupported(`${info.method} ${path}`);
    const patch = parseMeta(body);
    if (patch.metadata) found.metadata = { ...found.metadata, ...patch.metadata };
    for (const k of META_KEYS) if (patch[k] !== undefined) found[k] = patch[k];
    found.metageneration += 1;
    found.updated = new Date().toISOString();
    return [200, resource(bucket, found, url.origin)];
  }

  function routeUpload(req: http.IncomingMessage, bucket: string, body: Buffer, url: URL): Reply {
    const q = url.searchParams;
    const [method, uploadType, uploadId] = [req.method, q.get('uploadType'), q.get('upload_id')];
    const objects = buckets.get(bucket);
    if (!objects) return noSuchBucket;
    if (method === 'POST' && (uploadType === 'multipart' || uploadType === 'resumable')) {
      let meta: ObjectMeta;
      let data: Buffer | undefined;
      if (uploadType === 'multipart') {
        const [metaPart, dataPart] = parseMultipart(body, req.headers['content-type']);
        meta = metaPart ? parseMeta(metaPart.body) : {};
        meta.contentType ??= dataPart?.headers['content-type'];
        data = dataPart?.body ?? Buffer.alloc(0);
      } else {
        meta = parseMeta(body);
        const declared = req.headers['x-upload-content-type'];
        if (typeof declared === 'string') meta.contentType ??= declared;
      }
      const name = q.get('name') ?? meta.name;
      const problem = nameProblem(name);
      if (problem !== undefined || name === undefined) return invalid(problem ?? '');
      const checkNow = data !== undefined || opts.checkPreconditionsOnInit;
      if (checkNow && !preconditionsHold(objects.get(name), q)) return preconditionFailed;
      if (data !== undefined) return [200, resource(bucket, commit(bucket, name, data, meta), url.origin)];
      const id = crypto.randomUUID();
      sessions.set(id, { name, meta, params: new URLSearchParams(q), chunks: [], received: 0 });
      const session = `${url.origin}${url.pathname}?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
      return [200, undefined, { Location: session, 'Content-Length': 0 }];
    }
    if (method === 'DELETE' && uploadId) {
      sessions.delete(uploadId);
      return [499]; // GCS answers a cancelled session with 499
    }
    if (method !== 'PUT' || !uploadId) return invalid(`unsupported upload ${method} ${uploadType}`);
    const session = sessions.get(uploadId);
    if (!session) return [404, apiError(404, 'No such upload session', 'notFound')];
    if (session.result) return [200, session.result];
    // Content-Range: "bytes */*" | "bytes */N" | "bytes A-B/N" | "bytes A-B/*" | "bytes A-*/*" | "bytes A-*/N"
    const range = /^bytes (\*|(\d+)-(\d+|\*))\/(\*|\d+)$/.exec(req.headers['content-range'] ?? 'bytes */*');
    if (!range) return invalid('Bad Content-Range');
    const total = range[4] === '*' ? undefined : Number(range[4]);
    // 308 "Resume Incomplete" tells the client which bytes are held (no Range header: none yet).
    const held = (): Reply => {
      const last = session.received - 1;
      return [308, undefined, last >= 0 ? { Range: `bytes=0-${last}` } : {}];
    };
    if (range[1] !== '*') {
      const start = Number(range[2]);
      if (start > session.received) return held(); // a gap
      const fresh = body.subarray(session.received - start); // drop bytes already held
      session.chunks.push(fresh);
      session.received += fresh.length;
    }
    // Final when the declared total is reached, or for an open-ended "A-*" single-shot upload.
    if (!((total !== undefined && session.received >= total) || range[3] === '*')) return held();
    if (!preconditionsHold(objects.get(session.name), session.params)) {
      sessions.delete(uploadId);
      return preconditionFailed;
    }
    const rec = commit(bucket, session.name, Buffer.concat(session.chunks), session.meta);
    session.result = resource(bucket, rec, url.origin);
    return [200, session.result];
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const body = Buffer.concat(chunks);
    const query = Object.fromEntries(url.searchParams);
    const info: GcsRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers: req.headers,
      bodyBytes: body.length,
    };
    requests.push(info);
    const reply = route(req, info, body, url);
    info.status = reply[0];
    send(res, reply);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else send(res, [500, apiError(500, String(error), 'backendError')]);
    });
  });
  server.keepAliveTimeout = 1000; // the client keeps sockets alive; don't let them hold close() up
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
      if (problem !== undefined) throw new Error(problem);
      return { generation: String(commit(bucket, name, Buffer.from(bytes), { ...meta }).generation) };
    },
    getObject(bucket, name) {
      const rec = buckets.get(bucket)?.get(name);
      if (!rec) return undefined;
      const { data: bytes, generation, contentType = 'application/octet-stream', contentEncoding } = rec;
      return {
        bytes,
        generation: String(generation),
        contentType,
        contentEncoding,
        timeCreated: rec.created,
        metadata: rec.metadata,
      };
    },
    listObjects: (bucket, prefix = '') =>
      [...(buckets.get(bucket)?.keys() ?? [])].filter((name) => name.startsWith(prefix)).sort(),
    deleteObject: (bucket, name) => buckets.get(bucket)?.delete(name) ?? false,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
