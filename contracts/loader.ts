/**
 * What the batch loader is configured with (the manifest the constructs write and the job reads) and the
 * names it derives from an uploaded object: staging, quarantine and result objects, and the BigQuery load job
 * id. Pure TypeScript, shared by the constructs (which grant on the prefixes) and the runtime (which writes
 * under them), so both always agree.
 */
import { createHash } from 'node:crypto';
import { BUCKET_NAME, PROJECT_ID, PROJECT_ID_SOURCE } from '../core/gcp';
import { Checks, parseJson } from '../core/validation';
import { checkManifestStreams } from './manifest';
import type { Contract } from './model';

/** Prefixes of the landing bucket the loader writes under; no stream may be named like them. */
export const LOADER_PREFIXES = {
  /** Valid rows as NDJSON, the load job's source: `staging/<stream>/<date>/<object>.<generation>.<execution>.ndjson`. */
  staging: 'staging',
  /** Rejected rows: `quarantine/<stream>/<date>/<object>.<generation>.rejects.ndjson`. */
  quarantine: 'quarantine',
  /** One small JSON result per object: `results/<stream>/<date>/<object>.<generation>.json`. */
  results: 'results',
} as const;

export type BatchFormat = 'csv' | 'ndjson';

/** File name endings the loader reads; `.gz` after any of them means gzip. */
export const BATCH_SUFFIXES: Readonly<Record<string, BatchFormat>> = {
  '.csv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

export interface LoaderStream {
  /** The stream (contract) name: the first path segment of the objects it loads. */
  readonly name: string;
  /** `<project>.<dataset>.<table>`: the stream's raw table. */
  readonly table: string;
  readonly contract: Contract;
}

export interface LoaderManifest {
  readonly manifestVersion: 1;
  /** The project load jobs run in. */
  readonly project: string;
  /** BigQuery location of the raw dataset, where load jobs run. */
  readonly location: string;
  /** The landing bucket: uploads under `<stream>/`, and the loader's own prefixes. */
  readonly bucket: string;
  /** A file whose rejected rows exceed this share of its rows is refused whole (0 refuses any reject). */
  readonly maxRejectShare: number;
  /** Longest row (CSV record or NDJSON line) in bytes; a longer row refuses the file, as memory is bounded. */
  readonly maxRowBytes: number;
  readonly streams: readonly LoaderStream[];
}

export const MAX_ROW_BYTES_LIMIT = 100 * 1024 * 1024;
const TABLE = new RegExp(`^${PROJECT_ID_SOURCE}\\.[A-Za-z0-9_]{1,1024}\\.[A-Za-z0-9_]{1,1024}$`);
const RESERVED: ReadonlySet<string> = new Set(Object.values(LOADER_PREFIXES));

/**
 * The V8 old-space cap of a loader task with `memoryMiB` of memory: a quarter of it, at least 128 MiB. The
 * loader's live data is small and bounded (a batch of rows, 1 MiB of staged text, the longest row), but a fast
 * allocator grows the heap lazily up to whatever it may; the cap keeps the task's memory bounded for any file.
 */
export function loaderHeapMiB(memoryMiB: number): number {
  return Math.max(128, Math.floor(memoryMiB / 4));
}

/** The longest row a heap of `heapMiB` holds safely: the row's bytes, its text and its parsed values. */
export function maxRowBytesForHeap(heapMiB: number): number {
  return Math.floor((heapMiB * 1024 * 1024) / 8);
}

/** Checks a manifest and returns it with every contract validated; the error lists every problem. */
export function validateLoaderManifest(raw: unknown, source: string): LoaderManifest {
  const c = new Checks(source);
  const { streams, contracts } = checkManifestStreams<LoaderStream>(
    c,
    raw,
    { envelopeTail: ', ...', streamFields: 'name, table and contract' },
    (s, at) => {
      c.rule(
        `${at}.name`,
        s.name,
        `must not be one of the loader's own prefixes (${[...RESERVED].join(', ')})`,
        (n) => !RESERVED.has(n),
      );
      c.rule(
        `${at}.table`,
        s.table,
        'must be <project>.<dataset>.<table>',
        (t) => typeof t === 'string' && TABLE.test(t),
      );
    },
  );
  const man = raw as LoaderManifest;
  c.require('project', man.project).check('project', man.project, PROJECT_ID);
  c.rule(
    'location',
    man.location,
    'must be a BigQuery location such as EU or europe-west1',
    (l) => typeof l === 'string' && /^[A-Za-z0-9-]{2,40}$/.test(l),
  );
  c.require('bucket', man.bucket).check('bucket', man.bucket, BUCKET_NAME);
  c.rule(
    'maxRejectShare',
    man.maxRejectShare,
    'must be a number from 0 to 1 (the share of a file’s rows that may be rejected)',
    (s) => typeof s === 'number' && s >= 0 && s <= 1,
  );
  c.rule(
    'maxRowBytes',
    man.maxRowBytes,
    `must be a whole number of bytes from 1024 to ${MAX_ROW_BYTES_LIMIT} (BigQuery's JSON row limit)`,
    (b) => Number.isInteger(b) && b >= 1024 && b <= MAX_ROW_BYTES_LIMIT,
  );
  c.throwIfAny();
  return {
    manifestVersion: 1,
    project: man.project,
    location: man.location,
    bucket: man.bucket,
    maxRejectShare: man.maxRejectShare,
    maxRowBytes: man.maxRowBytes,
    streams: streams.map((s, i) => ({ name: s.name, table: s.table, contract: contracts[i] as Contract })),
  };
}

export function parseLoaderManifest(text: string, source: string): LoaderManifest {
  return validateLoaderManifest(parseJson(text, source), source);
}

/** Compact JSON, streams sorted by name: the same configuration always gives the same file (and object hash). */
export function serializeLoaderManifest(manifest: LoaderManifest): string {
  const streams = [...manifest.streams].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return JSON.stringify({ ...manifest, streams });
}

/** One generation of one uploaded object: what a trigger names and what every derived name hangs on. */
export interface UploadedObject {
  readonly bucket: string;
  readonly name: string;
  /** The object generation, a decimal string (it exceeds 2^53). */
  readonly generation: string;
}

/** Where an upload is, and the names the loader derives from it. */
export interface UploadPlan {
  readonly stream: string;
  /** Undefined when the name has no known ending; `formatProblem` says so. */
  readonly format?: BatchFormat;
  readonly formatProblem?: string;
  readonly gzip: boolean;
  /** The object's `ingest_source`: `batch:gs://<bucket>/<name>#<generation>`. */
  readonly source: string;
  readonly quarantineObject: string;
  readonly resultObject: string;
  stagingObject(execution: string): string;
  /** The load job id of an attempt (1, 2, ...): only a failed attempt is followed by another. */
  jobId(attempt: number): string;
}

const GENERATION = /^[1-9]\d{0,19}$/;
const MAX_OBJECT_NAME_BYTES = 1024;
const EXECUTION = /^[A-Za-z0-9_-]{1,63}$/;

/**
 * The plan for an upload, or why there is none (a name outside every stream's prefix, a folder). An unknown
 * ending still gets a plan, with `formatProblem`, so its refusal is recorded like any other. The date in
 * derived names is the upload's own (`timeCreated`, UTC), so a re-run writes the same names.
 */
export function planUpload(
  object: UploadedObject,
  timeCreated: Date,
  streams: ReadonlySet<string>,
): UploadPlan | { readonly problem: string } {
  const slash = object.name.indexOf('/');
  const stream = slash > 0 ? object.name.slice(0, slash) : '';
  const rest = object.name.slice(slash + 1);
  if (!GENERATION.test(object.generation))
    return { problem: `generation ${JSON.stringify(object.generation)} must be a positive decimal integer` };
  if (!streams.has(stream))
    return {
      problem: `object ${object.name} is not under a stream's prefix (${[...streams].map((s) => `${s}/`).join(', ')})`,
    };
  if (rest === '' || rest.endsWith('/'))
    return { problem: `object ${object.name} names a folder, not a file` };
  const gzip = rest.endsWith('.gz');
  const base = gzip ? rest.slice(0, -3) : rest;
  const suffix = Object.keys(BATCH_SUFFIXES).find((s) => base.endsWith(s));
  const date = timeCreated.toISOString().slice(0, 10);
  const tail = `${stream}/${date}/${rest}.${object.generation}`;
  // The longest derived name (staging, with a 63-character execution) must fit GCS's 1,024-byte limit.
  const longest = Buffer.byteLength(`${LOADER_PREFIXES.staging}/${tail}.${'x'.repeat(63)}.ndjson`);
  if (longest > MAX_OBJECT_NAME_BYTES)
    return {
      problem: `object name ${object.name.slice(0, 80)}… is too long: the loader's names for it would have ${longest} bytes, more than Cloud Storage's ${MAX_OBJECT_NAME_BYTES}; use a name under ${MAX_OBJECT_NAME_BYTES - (longest - Buffer.byteLength(object.name))} bytes`,
    };
  const key = createHash('sha256')
    .update(`${object.bucket}/${object.name}#${object.generation}`)
    .digest('hex');
  return {
    stream,
    ...(suffix
      ? { format: BATCH_SUFFIXES[suffix] as BatchFormat }
      : {
          formatProblem: `the object name must end with ${Object.keys(BATCH_SUFFIXES).join(', ')}, optionally followed by .gz`,
        }),
    gzip,
    source: `batch:gs://${object.bucket}/${object.name}#${object.generation}`,
    quarantineObject: `${LOADER_PREFIXES.quarantine}/${tail}.rejects.ndjson`,
    resultObject: `${LOADER_PREFIXES.results}/${tail}.json`,
    stagingObject: (execution) => {
      if (!EXECUTION.test(execution))
        throw new Error(`execution ${JSON.stringify(execution)} must match ${EXECUTION}`);
      return `${LOADER_PREFIXES.staging}/${tail}.${execution}.ndjson`;
    },
    // Job ids allow letters, digits, _ and - up to 1,024 characters; the hash keeps any object name valid.
    jobId: (attempt) => `tributary_load_${stream}_${key.slice(0, 40)}_${attempt}`,
  };
}
