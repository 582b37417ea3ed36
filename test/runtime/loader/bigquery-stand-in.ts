/**
 * A wire-level BigQuery STAND-IN for LOAD JOBS, not an emulator: jobs.insert / jobs.get / jobs.cancel over plain
 * HTTP on 127.0.0.1, NEWLINE_DELIMITED_JSON sources only, read through `readObject` (wire it to the GCS
 * stand-in). Point the REAL `@google-cloud/bigquery` 9.3.0 client at it with
 * `new BigQuery({ projectId, apiEndpoint: bq.url, authClient: new PassThroughClient() })`.
 *
 * Comments mark where behaviour comes from: [doc] Google's documentation (jobs.insert, JobReference,
 * JobConfigurationLoad, "Loading JSON data", error messages, quotas); [obs] responses seen in public fixtures
 * and issues; [approx] this stand-in's guess (wording, undocumented corners) - don't assert on those strings.
 * Not modelled: datasets (a table carries its location), other source formats, autodetect, schema updates,
 * partitioning, GEOGRAPHY/INTERVAL validation.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type Row = Record<string, JsonValue>;
export type TableFieldSchema = { name: string; type: string; mode?: string; fields?: TableFieldSchema[] };
export type TableReference = { projectId: string; datasetId: string; tableId: string };
export type ErrorProto = { reason: string; message: string; location?: string };
export interface JobResource {
  readonly id: string;
  readonly jobReference: { readonly projectId: string; readonly jobId: string; readonly location: string };
  /** The configuration as the client sent it, plus `jobType`. */
  readonly configuration: Record<string, unknown>;
  readonly statistics: {
    creationTime: string;
    startTime: string;
    endTime?: string;
    load?: Record<string, string>;
  };
  status: { state: 'RUNNING' | 'DONE'; errorResult?: ErrorProto; errors?: ErrorProto[] };
  readonly [key: string]: unknown;
}
/** One successful load: the rows one job appended to one table (`project.dataset.table`). */
export type LoadRecord = { readonly jobId: string; readonly table: string; readonly rows: readonly Row[] };
/** Applies to the next jobs.insert AFTER the job is created: answer `status`, or drop the connection. */
export type InsertFault = { readonly status: number } | { readonly reset: true };
export type BqRequest = { method: string; path: string; query: Record<string, string>; body: unknown };

export interface BigQueryStandInOptions {
  /** Bytes of a `gs://bucket/name` source; undefined when there is no such object. */
  readonly readObject: (uri: string) => Buffer | undefined;
  /** Full URIs starting with a prefix; needed only for wildcard source URIs. */
  readonly listUris?: (prefix: string) => string[];
  /** Called synchronously once a job is accepted, before the insert is answered. */
  readonly onInsert?: (job: JobResource) => void;
  readonly host?: string;
  readonly port?: number;
  /** Location of jobs inserted without one. @default 'US' */
  readonly defaultLocation?: string;
  /** jobs.get calls that still see RUNNING before the job runs; 0 runs it at insert. @default 1 */
  readonly pollsUntilDone?: number;
}

export interface BigQueryStandIn {
  readonly url: string;
  readonly requests: BqRequest[];
  createTable(ref: string | TableReference, schema: TableFieldSchema[], opts?: { location?: string }): void;
  /** The table's rows, live; undefined when there is no such table. */
  rows(ref: string | TableReference): Row[] | undefined;
  loads(): LoadRecord[];
  job(projectId: string, jobId: string): JobResource | undefined;
  failNextInsert(fault: InsertFault): void;
  /** Runs a pending job now, as if enough time had passed. */
  completeJob(projectId: string, jobId: string): JobResource | undefined;
  close(): Promise<void>;
}

type LoadConfig = {
  sourceUris: string[];
  sourceFormat: string;
  destinationTable: TableReference;
  createDisposition: string;
  writeDisposition: string;
  fields: TableFieldSchema[] | undefined;
  maxBadRecords: number;
  ignoreUnknownValues: boolean;
};
type Table = { fields: TableFieldSchema[]; rows: Row[]; location: string };
type Job = { resource: JobResource; load: LoadConfig; polls: number };
type Reply = [status: number, body: unknown] | 'reset';
type Failure = { error: ErrorProto; errors?: ErrorProto[] };
type Outcome = Failure | { rows: Row[]; stats: Record<string, string>; errors: ErrorProto[] };

const JOB_ID = /^[A-Za-z0-9_-]{1,1024}$/; // [doc] JobReference.jobId
const MAX_SOURCE_URIS = 10_000; // [doc] quotas: source URIs per load job
const MAX_ROW_BYTES = 100 * 1024 * 1024; // [doc] JSON row size limit
const MAX_REPORTED_ROW_ERRORS = 5; // [doc] "At most, five errors of any type are returned"
const READING = 'Error while reading data, error message:'; // [obs] prefix of load errors

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const keyOf = (r: TableReference) => `${r.projectId}.${r.datasetId}.${r.tableId}`;
const toKey = (ref: string | TableReference) => (typeof ref === 'string' ? ref : keyOf(ref));
const fails = (reason: string, message: string): Failure => ({ error: { reason, message } });
const errorBody = (code: number, status: string, reason: string, message: string) => ({
  error: { code, message, errors: [{ message, domain: 'global', reason }], status },
});
const invalidArgument = (message: string): Reply => [
  400,
  errorBody(400, 'INVALID_ARGUMENT', 'invalid', message),
];

function parseFields(v: unknown): TableFieldSchema[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: TableFieldSchema[] = [];
  for (const f of v as unknown[]) {
    if (!isRecord(f) || typeof f.name !== 'string' || typeof f.type !== 'string') return undefined;
    const fields = parseFields(f.fields);
    out.push({ name: f.name, type: f.type, mode: str(f.mode), ...(fields ? { fields } : {}) });
  }
  return out;
}

/** The typed load configuration, or the text of a 400 for a malformed one ([approx] texts). */
function parseLoad(configuration: unknown, projectId: string): LoadConfig | string {
  const load = isRecord(configuration) && isRecord(configuration.load) ? configuration.load : undefined;
  if (!load) return 'stand-in supports only load jobs (configuration.load).';
  const dest = isRecord(load.destinationTable) ? load.destinationTable : {};
  const [datasetId, tableId] = [str(dest.datasetId), str(dest.tableId)];
  if (!datasetId || !tableId) return 'Required parameter is missing: destinationTable';
  const sourceUris = Array.isArray(load.sourceUris)
    ? (load.sourceUris as unknown[]).filter((u) => typeof u === 'string')
    : [];
  if (!sourceUris.length) return 'Required parameter is missing: sourceUris';
  if (sourceUris.length > MAX_SOURCE_URIS) return `Too many source URIs: ${sourceUris.length}.`;
  return {
    sourceUris,
    sourceFormat: str(load.sourceFormat) ?? 'CSV', // [doc] default CSV
    destinationTable: { projectId: str(dest.projectId) ?? projectId, datasetId, tableId },
    createDisposition: str(load.createDisposition) ?? 'CREATE_IF_NEEDED', // [doc]
    writeDisposition: str(load.writeDisposition) ?? 'WRITE_APPEND', // [doc] default for load jobs
    fields: isRecord(load.schema) ? parseFields(load.schema.fields) : undefined,
    maxBadRecords: Number(load.maxBadRecords ?? 0), // [doc] default 0
    ignoreUnknownValues: load.ignoreUnknownValues === true, // [doc] default false
  };
}

export async function startBigQueryStandIn(options: BigQueryStandInOptions): Promise<BigQueryStandIn> {
  const { readObject, listUris, onInsert, host = '127.0.0.1', port = 0 } = options;
  const { defaultLocation = 'US', pollsUntilDone = 1 } = options;
  const tables = new Map<string, Table>();
  const jobs = new Map<string, Job>(); // by `${projectId}/${jobId}`: job ids are unique per project [doc]
  const loads: LoadRecord[] = [];
  const insertFaults: InsertFault[] = [];
  const requests: BqRequest[] = [];
  let url = '';

  function finish({ resource, load }: Job): void {
    if (resource.status.state === 'DONE') return;
    let outcome: Outcome;
    try {
      outcome = runLoad(load, resource.jobReference.location);
    } catch (error) {
      outcome = fails('internalError', `stand-in: ${String(error)}`);
    }
    resource.statistics.endTime = String(Date.now());
    if ('error' in outcome) {
      resource.status = {
        state: 'DONE',
        errorResult: outcome.error,
        errors: outcome.errors ?? [outcome.error],
      };
      return;
    }
    const { jobId } = resource.jobReference;
    loads.push({ jobId, table: keyOf(load.destinationTable), rows: outcome.rows });
    resource.statistics.load = outcome.stats;
    resource.status = { state: 'DONE', ...(outcome.errors.length ? { errors: outcome.errors } : {}) };
  }

  function readSources(uris: readonly string[]): [string, Buffer][] | Failure {
    const files: [string, Buffer][] = [];
    for (const uri of uris) {
      // [doc] one '*' wildcard after the bucket name; [obs] "Not found: URI"; [approx] "Not found: Uris"
      const [pre = '', post = ''] = uri.split('*');
      const names = uri.includes('*')
        ? (listUris?.(pre) ?? []).filter((u) => u.endsWith(post)).sort()
        : [uri];
      if (!names.length) return fails('notFound', `Not found: Uris ${uri}`);
      for (const name of names) {
        const bytes = readObject(name);
        if (!bytes) return fails('notFound', `Not found: URI ${name}`);
        files.push([name, bytes]);
      }
    }
    return files;
  }

  function runLoad(load: LoadConfig, location: string): Outcome {
    const dest = load.destinationTable;
    const where = `${dest.projectId}:${dest.datasetId}.${dest.tableId}`;
    if (load.sourceFormat !== 'NEWLINE_DELIMITED_JSON') return fails('invalid', 'stand-in reads only NDJSON');
    const table = tables.get(keyOf(dest));
    if (table && table.location.toUpperCase() !== location.toUpperCase()) {
      // [approx] datasets are location-scoped; a job in another location does not find them
      return fails(
        'notFound',
        `Not found: Dataset ${dest.projectId}:${dest.datasetId} was not found in location ${location}`,
      );
    }
    if (!table && load.createDisposition === 'CREATE_NEVER')
      return fails('notFound', `Not found: Table ${where}`);
    if (!table && !load.fields?.length) return fails('invalid', 'No schema specified on job or table.'); // [approx]
    if (table && load.fields && !sameSchema(load.fields, table.fields)) {
      return fails('invalid', `Provided Schema does not match Table ${where}.`); // [obs]
    }
    const fields = table?.fields ?? load.fields ?? [];
    const files = readSources(load.sourceUris);
    if (!Array.isArray(files)) return files;

    const good: Row[] = [];
    const rowErrors: ErrorProto[] = [];
    let [rowsRead, inputBytes] = [0, 0];
    for (const [uri, bytes] of files) {
      inputBytes += bytes.length;
      let pos = 0;
      for (const line of bytes.toString('utf8').split('\n')) {
        const start = pos;
        pos += Buffer.byteLength(line) + 1;
        if (line.trim() === '') continue; // [approx] blank lines are skipped
        rowsRead++;
        let detail: string;
        try {
          if (Buffer.byteLength(line) > MAX_ROW_BYTES)
            throw new RowError('Row larger than the maximum allowed size.');
          const value: unknown = JSON.parse(line);
          if (!isRecord(value)) throw new RowError('Only JSON objects are allowed as rows.'); // [approx]
          good.push(convertRecord(value, fields, '', load.ignoreUnknownValues));
          continue;
        } catch (error) {
          detail = error instanceof RowError ? error.message : 'Parser terminated before end of string'; // [obs]
        }
        const message = `${READING} JSON parsing error in row starting at position ${start}: ${detail}`; // [obs]
        rowErrors.push({ reason: 'invalid', location: uri, message });
        if (rowErrors.length > load.maxBadRecords) {
          // [obs] BigQuery's shape: errorResult, a summary, then the row errors. Nothing is written [doc].
          const counts = `Rows: ${rowsRead}; errors: ${rowErrors.length}`;
          const head = `${READING} JSON table encountered too many errors, giving up. ${counts}. Please look into the errors[] collection for more details.`;
          const errorResult = { reason: 'invalid', location: uri, message: head };
          const summary = `${READING} JSON processing encountered too many errors, giving up. ${counts}; max bad: ${load.maxBadRecords}; error percent: 0`;
          const recent = rowErrors.slice(-MAX_REPORTED_ROW_ERRORS);
          return {
            error: errorResult,
            errors: [errorResult, { reason: 'invalid', message: summary }, ...recent],
          };
        }
      }
    }
    if (table && load.writeDisposition === 'WRITE_EMPTY' && table.rows.length) {
      return fails('duplicate', `Already Exists: Table ${where}`); // [doc] reason; [approx] text
    }
    // Commit: only now does the table change - a load job is atomic [doc].
    const target = table ?? { fields: structuredClone(fields), rows: [], location };
    tables.set(keyOf(dest), target);
    if (load.writeDisposition === 'WRITE_TRUNCATE') target.rows = [];
    target.rows.push(...good);
    const outputBytes = good.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0); // [approx]
    const stats = {
      inputFiles: String(files.length),
      inputFileBytes: String(inputBytes),
      outputRows: String(good.length),
      outputBytes: String(outputBytes),
      badRecords: String(rowErrors.length),
    };
    return { rows: structuredClone(good), stats, errors: rowErrors.slice(0, MAX_REPORTED_ROW_ERRORS) };
  }

  function lookup(projectId: string, jobId: string, location: string | undefined): Job | undefined {
    const job = jobs.get(`${projectId}/${jobId}`);
    const actual = job?.resource.jobReference.location.toUpperCase() ?? '';
    // [doc] the location must be given unless the job ran in the US or EU multi-region; otherwise notFound
    return (location ? location.toUpperCase() === actual : ['US', 'EU'].includes(actual)) ? job : undefined;
  }

  function insertJob(pathProject: string, body: unknown): Reply {
    const refIn = isRecord(body) && isRecord(body.jobReference) ? body.jobReference : {};
    const ref = {
      projectId: str(refIn.projectId) ?? pathProject,
      jobId: str(refIn.jobId) ?? `job_${randomUUID().replaceAll('-', '_')}`,
      location: str(refIn.location) ?? defaultLocation,
    };
    if (!JOB_ID.test(ref.jobId)) {
      // [doc] rule; [approx] text
      return invalidArgument(
        `Invalid job ID "${ref.jobId}". Job IDs must be alphanumeric (plus underscores and dashes).`,
      );
    }
    const existing = jobs.get(`${ref.projectId}/${ref.jobId}`)?.resource.jobReference;
    if (existing) {
      // [doc] 409 with reason duplicate; [obs] the message names the existing job and its location
      const message = `Already Exists: Job ${existing.projectId}:${existing.location}.${existing.jobId}`;
      return [409, errorBody(409, 'ALREADY_EXISTS', 'duplicate', message)];
    }
    const configuration = isRecord(body) && isRecord(body.configuration) ? body.configuration : {};
    const load = parseLoad(configuration, ref.projectId);
    if (typeof load === 'string') return invalidArgument(load);
    const created = String(Date.now());
    const resource: JobResource = {
      kind: 'bigquery#job',
      etag: randomUUID(),
      id: `${ref.projectId}:${ref.location}.${ref.jobId}`,
      selfLink: `${url}/bigquery/v2/projects/${ref.projectId}/jobs/${ref.jobId}?location=${ref.location}`,
      user_email: 'stand-in@example.iam.gserviceaccount.com',
      configuration: { ...structuredClone(configuration), jobType: 'LOAD' },
      jobReference: ref,
      statistics: { creationTime: created, startTime: created },
      status: { state: 'RUNNING' },
    };
    const job: Job = { resource, load, polls: 0 };
    jobs.set(`${ref.projectId}/${ref.jobId}`, job);
    onInsert?.(resource);
    if (pollsUntilDone <= 0) finish(job);
    const fault = insertFaults.shift();
    if (fault && 'reset' in fault) return 'reset'; // applied, answer lost
    if (!fault) return [200, resource];
    const message = 'Error encountered during execution. Retrying may solve the problem.';
    return [fault.status, errorBody(fault.status, 'UNAVAILABLE', 'backendError', message)];
  }

  function route(method: string, path: string, query: Record<string, string>, body: unknown): Reply {
    const [, project = '', jobId, cancel] =
      /^\/projects\/([^/]+)\/jobs(?:\/([^/]+)(\/cancel)?)?$/.exec(path) ?? [];
    const [projectId, id] = [decodeURIComponent(project), decodeURIComponent(jobId ?? '')];
    if (project && !jobId && method === 'POST') return insertJob(projectId, body);
    const job = jobId ? lookup(projectId, id, query.location) : undefined;
    if (jobId && !job) {
      // [doc] notFound, also for a wrong location; [obs] message format
      const message = `Not found: Job ${projectId}:${query.location ?? defaultLocation}.${id}`;
      return [404, errorBody(404, 'NOT_FOUND', 'notFound', message)];
    }
    if (job && method === 'GET' && !cancel) {
      if (job.resource.status.state !== 'DONE' && ++job.polls > pollsUntilDone) finish(job);
      return [200, job.resource];
    }
    if (job && method === 'POST' && cancel)
      return [200, { kind: 'bigquery#jobCancelResponse', job: job.resource }];
    return [404, errorBody(404, 'NOT_FOUND', 'notFound', `stand-in: no route for ${method} ${path}`)];
  }

  function answer(method: string, target: string, raw: string): Reply {
    const u = new URL(target, 'http://stand-in');
    // `${apiEndpoint}/bigquery/v2/...`, or `/projects/...` as with BIGQUERY_EMULATOR_HOST
    const path = u.pathname.replace(/^\/bigquery\/v2(?=\/)/, '');
    const query = Object.fromEntries(u.searchParams);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return [400, errorBody(400, 'INVALID_ARGUMENT', 'parseError', 'Invalid JSON payload received.')];
    }
    requests.push({ method, path, query, body });
    try {
      return route(method, path, query, body);
    } catch (error) {
      return [500, errorBody(500, 'INTERNAL', 'internalError', `stand-in: ${String(error)}`)];
    }
  }

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => {
      const reply = answer(req.method ?? 'GET', req.url ?? '/', raw);
      if (reply === 'reset') return void req.socket.destroy();
      const text = JSON.stringify(reply[1]);
      const headers = {
        'content-type': 'application/json; charset=UTF-8',
        'content-length': Buffer.byteLength(text),
      };
      res.writeHead(reply[0], headers).end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  url = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    createTable(ref, schema, { location = defaultLocation } = {}) {
      tables.set(toKey(ref), { fields: structuredClone(schema), rows: [], location });
    },
    rows: (ref) => tables.get(toKey(ref))?.rows,
    loads: () => [...loads],
    job: (projectId, jobId) => jobs.get(`${projectId}/${jobId}`)?.resource,
    failNextInsert: (fault) => void insertFaults.push(fault),
    completeJob(projectId, jobId) {
      const job = jobs.get(`${projectId}/${jobId}`);
      if (job) finish(job);
      return job?.resource;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------- NDJSON values per column type ----------
class RowError extends Error {}
const fail = (what: string, path: string, v: unknown): never => {
  throw new RowError(`${what} Field: ${path}; Value: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
};
const ALIASES: Record<string, string> = {
  INT64: 'INTEGER',
  FLOAT64: 'FLOAT',
  BOOL: 'BOOLEAN',
  STRUCT: 'RECORD',
};
const normType = (t: string) =>
  ALIASES[t.toUpperCase()] ?? t.toUpperCase().replace(/^(BIG)?DECIMAL$/, '$1NUMERIC');
const modeOf = (f: TableFieldSchema) => (f.mode ?? 'NULLABLE').toUpperCase();

function sameSchema(a: readonly TableFieldSchema[], b: readonly TableFieldSchema[]): boolean {
  const norm = (fs: readonly TableFieldSchema[]): string =>
    JSON.stringify(fs.map((f) => [f.name.toLowerCase(), normType(f.type), modeOf(f), norm(f.fields ?? [])]));
  return norm(a) === norm(b);
}

type Convert = { path: string; ignoreUnknown: boolean };

function convertRecord(
  obj: Record<string, unknown>,
  fields: readonly TableFieldSchema[],
  prefix: string,
  ignoreUnknown: boolean,
): Row {
  const key = (name: string) => Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  const unknown = Object.keys(obj).find((k) => !fields.some((f) => f.name.toLowerCase() === k.toLowerCase()));
  // [doc] ignoreUnknownValues; column names are case-insensitive [doc]; [obs] message
  if (unknown !== undefined && !ignoreUnknown) throw new RowError(`No such field: ${prefix}${unknown}.`);
  const out: Row = {};
  for (const f of fields) {
    const k = key(f.name);
    out[f.name] = convertField(k === undefined ? undefined : obj[k], f, {
      path: prefix + f.name,
      ignoreUnknown,
    });
  }
  return out;
}

function convertField(v: unknown, f: TableFieldSchema, at: Convert): JsonValue {
  if (modeOf(f) === 'REPEATED') {
    if (v === undefined || v === null) return []; // [doc] a null array loads as an empty one
    if (!Array.isArray(v)) return fail('Array specified for non-repeated field or vice versa.', at.path, v); // [approx]
    // [doc] an array may not hold null
    return (v as unknown[]).map((e) =>
      e === null ? fail('Repeated field contains null.', at.path, e) : scalar(e, f, at),
    );
  }
  if (v === undefined || v === null) {
    if (modeOf(f) === 'REQUIRED') throw new RowError(`Missing required field: ${at.path}.`); // [obs]
    return null;
  }
  if (Array.isArray(v) && normType(f.type) !== 'JSON')
    return fail('Array specified for non-repeated field.', at.path, v);
  return scalar(v, f, at);
}

/** Types given as JSON strings in a fixed format [doc]; messages [approx]. STRING takes no numbers [obs]. */
const TEXT: Record<string, [RegExp, string]> = {
  STRING: [/^/, 'Could not convert value to string.'],
  GEOGRAPHY: [/^/, 'Invalid GEOGRAPHY value.'],
  BYTES: [
    /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    'Could not decode base64 string to bytes.',
  ],
  DATE: [/^\d{4}-\d{2}-\d{2}$/, 'Invalid date string.'],
  DATETIME: [
    /^\d{4}-\d{2}-\d{2}[ T]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?$/,
    'Invalid datetime string.',
  ],
  TIME: [/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?$/, 'Invalid time string.'],
};
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
// [doc] for CSV; [approx] that JSON takes the same spellings
const [TRUE, FALSE] = [
  ['true', 't', 'yes', 'y', '1'],
  ['false', 'f', 'no', 'n', '0'],
];

function scalar(v: unknown, f: TableFieldSchema, at: Convert): JsonValue {
  const t = normType(f.type);
  const s = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
  const text = TEXT[t];
  if (text) {
    const bad =
      typeof v !== 'string' || !text[0].test(v) || (t.startsWith('DATE') && !validDate(v.slice(0, 10)));
    if (bad) return fail(text[1], at.path, v);
    return t === 'DATETIME' ? v.replace('T', ' ') : v;
  }
  switch (t) {
    case 'INTEGER': {
      // [doc] integers beyond 2^53 come as strings; kept as decimal text
      if (typeof v === 'number' ? !Number.isInteger(v) : !/^[+-]?\d+$/.test(s ?? ''))
        return fail('Could not convert value to integer.', at.path, v);
      const n = BigInt(typeof v === 'number' ? v : (s ?? ''));
      return n < INT64[0] || n > INT64[1] ? fail('Integer value out of range.', at.path, v) : n.toString();
    }
    case 'FLOAT': // [doc] numbers, numeric strings, and Infinity/NaN spellings [approx]
      if (typeof v === 'number') return v;
      if (s && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
      if (s && /^[+-]?(inf|infinity|nan)$/i.test(s)) return Number(s.replace(/inf(inity)?/i, 'Infinity'));
      return fail('Could not convert value to double.', at.path, v);
    case 'NUMERIC': // [doc] precision 38 / scale 9; kept as canonical decimal text
      return decimal(s, 29, 9) ?? fail(`Invalid NUMERIC value: ${s ?? JSON.stringify(v)}`, at.path, v); // [obs]
    case 'BIGNUMERIC':
      return decimal(s, 38, 38) ?? fail(`Invalid BIGNUMERIC value: ${s ?? JSON.stringify(v)}`, at.path, v);
    case 'BOOLEAN': {
      const word = s?.toLowerCase() ?? '';
      if (typeof v === 'boolean' || TRUE.includes(word)) return v === true || TRUE.includes(word);
      return FALSE.includes(word) ? false : fail('Could not convert value to boolean.', at.path, v);
    }
    case 'TIMESTAMP':
      return timestamp(v, at.path);
    case 'JSON': // [doc] the value as given (a JSON *string* stays a string); nesting limit 500
      return depth(v) > 500
        ? fail('JSON nesting too deep.', at.path, '...')
        : (structuredClone(v) as JsonValue);
    case 'RECORD':
      if (isRecord(v)) return convertRecord(v, f.fields ?? [], `${at.path}.`, at.ignoreUnknown);
      return fail('JSON object expected for record field.', at.path, v); // [approx]
    default:
      return fail(`Unsupported type ${f.type}.`, at.path, v);
  }
}

/** Canonical decimal text, or undefined beyond the type's digits (load jobs reject, not round [obs]). */
function decimal(s: string | undefined, maxInt: number, maxFrac: number): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s ?? '');
  const [sign = '', whole = '', fraction = '', exp = '0'] = m?.slice(1) ?? [];
  if (!m || whole + fraction === '') return undefined;
  let point = whole.length + Number(exp);
  const digits = (point < 0 ? '0'.repeat(-point) : '') + whole + fraction;
  point = Math.max(point, 0);
  const int =
    digits
      .padEnd(point, '0')
      .slice(0, point)
      .replace(/^0+(?=\d)/, '') || '0';
  const frac = digits.slice(point).replace(/0+$/, '');
  if (int.length > maxInt || frac.length > maxFrac) return undefined;
  return `${sign === '-' && (int !== '0' || frac) ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

function validDate(s: string): boolean {
  const [y = 0, m = 0, d = 0] = s.split('-').map(Number);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return (
    y >= 1 &&
    y <= 9999 &&
    d >= 1 &&
    d <= ([31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0)
  );
}

const depth = (v: unknown): number =>
  v === null || typeof v !== 'object' ? 0 : 1 + Math.max(0, ...Object.values(v).map(depth));

// [doc] YYYY-MM-DD or YYYY/MM/DD, 'T' or space, HH:MM[:SS[.SSSSSS]], optional Z / UTC / ±HH[:MM]. Numbers are
// Unix epoch [doc]; telling seconds, milliseconds and microseconds apart by magnitude is [approx].
const TS =
  /^(\d{4})([-/])(\d{2})\2(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;
const MAX_EPOCH_S = 253402300799; // 9999-12-31T23:59:59Z

function timestamp(v: unknown, path: string): string {
  let micros: number;
  if (typeof v === 'number' && Number.isFinite(v)) {
    const a = Math.abs(v);
    micros = Math.round(a <= MAX_EPOCH_S ? v * 1e6 : a <= MAX_EPOCH_S * 1e3 ? v * 1e3 : v);
  } else {
    const m = typeof v === 'string' ? TS.exec(v.trim()) : null;
    const [, y = '', , mo = '', d = '', h = '', mi = '', sec = '0', frac = '', zone = 'Z'] = m ?? [];
    const valid = m && validDate(`${y}-${mo}-${d}`) && +h <= 23 && +mi <= 59 && +sec <= 59;
    if (!valid) return fail('Invalid timestamp.', path, v);
    const [, sign = '+', oh = '0', om = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone) ?? [];
    const dt = new Date(0);
    dt.setUTCFullYear(+y, +mo - 1, +d); // years < 100 stay as given
    dt.setUTCHours(+h, +mi, +sec, 0);
    const offsetMs = (sign === '-' ? -1 : 1) * (+oh * 60 + +om) * 60_000;
    micros = (dt.getTime() - offsetMs) * 1000 + Number(frac.padEnd(6, '0') || 0);
  }
  const ms = Math.floor(micros / 1000);
  if (ms < -62135596800000 || ms > MAX_EPOCH_S * 1000 + 999) return fail('Timestamp out of range.', path, v);
  return new Date(ms).toISOString().replace('Z', `${String(micros - ms * 1000).padStart(3, '0')}Z`); // UTC, µs
}
