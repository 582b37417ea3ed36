/**
 * The GCS and BigQuery stand-ins, driven by the REAL client libraries over HTTP on 127.0.0.1: what the loader's
 * tests rely on (generations and create-only preconditions, raw gzip downloads, load jobs with explicit ids,
 * 409 on a duplicate job id, atomic loads, missing sources) behaves as the Google services document it.
 */
import * as crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { BigQuery, type Job, type JobMetadata } from '@google-cloud/bigquery';
import { CRC32C, Storage } from '@google-cloud/storage';
import { PassThroughClient } from 'google-auth-library';
import { type BigQueryStandIn, type JobResource, startBigQueryStandIn } from './bigquery-stand-in';
import { crc32cBase64, type GcsStandIn, startGcsStandIn } from './gcs-stand-in';

let gcs: GcsStandIn;
let storage: Storage;

beforeAll(async () => {
  delete process.env.STORAGE_EMULATOR_HOST; // it would redirect the client's JSON-API calls elsewhere
  gcs = await startGcsStandIn({ buckets: ['test-bucket'] });
  storage = new Storage({ apiEndpoint: gcs.url, projectId: 'test-project' });
});

afterAll(async () => {
  await gcs.close();
});

/** The client's error as a plain object (code, message, errors), or a failure when the promise resolves. */
async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return { ...error, message: error.message };
    throw error;
  }
  throw new Error('expected the call to fail');
}

const readAll = async (stream: NodeJS.ReadableStream): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

describe('GCS stand-in', () => {
  const bucket = () => storage.bucket('test-bucket');

  test('computes crc32c as the client library does', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('hello world'), crypto.randomBytes(100_000)]) {
      const lib = new CRC32C();
      lib.update(bytes);
      expect(crc32cBase64(bytes)).toBe(lib.toString());
    }
  });

  test('stores a multipart upload byte for byte, with metadata and a generation', async () => {
    const data = Buffer.from([0, 13, 10, 45, 45, 255, 0]);
    const file = bucket().file('dir/multi.bin');
    await file.save(data, {
      resumable: false,
      contentType: 'application/x-test',
      metadata: { metadata: { k: 'v' } },
    });
    expect(gcs.requests.at(-1)?.query.uploadType).toBe('multipart');
    const stored = gcs.getObject('test-bucket', 'dir/multi.bin');
    expect(stored?.bytes).toEqual(data);
    expect(stored?.contentType).toBe('application/x-test');
    expect(file.metadata.generation).toBe(stored?.generation);
    const [meta] = await file.getMetadata();
    expect(meta).toMatchObject({ size: '7', metadata: { k: 'v' } });
  });

  test('takes a streamed resumable upload in one PUT and serves it back with crc32c validation', async () => {
    const data = crypto.randomBytes(3 * 1024 * 1024);
    const from = gcs.requests.length;
    await pipeline(
      Readable.from([data]),
      bucket().file('big/stream.bin').createWriteStream({ resumable: true }),
    );
    const calls = gcs.requests.slice(from).map((r) => `${r.method} ${r.query.uploadType}`);
    expect(calls).toEqual(['POST resumable', 'PUT resumable']);
    expect(gcs.requests.at(-1)?.headers['content-range']).toBe('bytes 0-*/*');
    const back = await readAll(bucket().file('big/stream.bin').createReadStream());
    expect(back.equals(data)).toBe(true);
    expect(gcs.requests.at(-1)?.status).toBe(200);
  });

  test('answers chunked resumable uploads with 308 and the bytes held', async () => {
    const data = crypto.randomBytes(2.5 * 1024 * 1024);
    const from = gcs.requests.length;
    await pipeline(
      Readable.from([data]),
      bucket()
        .file('chunked.bin')
        .createWriteStream({ chunkSize: 1024 * 1024 }),
    );
    const puts = gcs.requests.slice(from).filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.headers['content-range'], r.status])).toEqual([
      ['bytes 0-1048575/*', 308],
      ['bytes 1048576-2097151/*', 308],
      ['bytes 2097152-2621439/2621440', 200],
    ]);
    expect(gcs.getObject('test-bucket', 'chunked.bin')?.bytes.equals(data)).toBe(true);
  });

  test('gives every write a new, larger, microsecond-style generation; an overwritten one is gone', async () => {
    const before = Date.now() * 1000;
    const first = gcs.putObject('test-bucket', 'gen.txt', 'v1');
    const second = gcs.putObject('test-bucket', 'gen.txt', 'v2', { contentType: 'text/plain' });
    expect(Number(first.generation)).toBeGreaterThanOrEqual(before);
    expect(BigInt(second.generation)).toBeGreaterThan(BigInt(first.generation));
    const [current] = await bucket().file('gen.txt', { generation: second.generation }).download();
    expect(current.toString()).toBe('v2');
    expect(gcs.requests.at(-1)?.query).toMatchObject({ generation: second.generation, alt: 'media' });
    const gone = await rejection(bucket().file('gen.txt', { generation: first.generation }).download());
    expect(gone.code).toBe(404);
  });

  test('serves byte ranges and suffix ranges', async () => {
    gcs.putObject('test-bucket', 'r.txt', '0123456789');
    const read = (opts: { start?: number; end?: number }) =>
      readAll(bucket().file('r.txt').createReadStream(opts));
    expect((await read({ start: 2, end: 5 })).toString()).toBe('2345');
    expect((await read({ start: 7 })).toString()).toBe('789');
    expect((await read({ end: -3 })).toString()).toBe('789');
  });

  test('fails with 412 when ifGenerationMatch: 0 meets an existing object, multipart and resumable', async () => {
    const file = bucket().file('once.txt');
    const createOnly = { preconditionOpts: { ifGenerationMatch: 0 } };
    await file.save('first', { resumable: false, ...createOnly });
    expect(gcs.requests.at(-1)?.query.ifGenerationMatch).toBe('0');
    expect(await rejection(file.save('second', { resumable: false, ...createOnly }))).toMatchObject({
      code: 412,
    });
    expect(await rejection(file.save('second', { resumable: true, ...createOnly }))).toMatchObject({
      code: 412,
    });
    expect(gcs.getObject('test-bucket', 'once.txt')?.bytes.toString()).toBe('first');
  });

  test('serves a gzip object raw with decompress: false, and decompressed by default', async () => {
    const text = 'line one\nline two\n'.repeat(100);
    const gzipped = zlib.gzipSync(text);
    gcs.putObject('test-bucket', 'z/part.ndjson.gz', gzipped, {
      contentType: 'application/x-ndjson',
      contentEncoding: 'gzip',
    });
    const [raw] = await bucket().file('z/part.ndjson.gz').download({ decompress: false });
    expect(raw.equals(gzipped)).toBe(true);
    const served = gcs.requests.at(-1);
    expect(served?.headers['accept-encoding']).toBe('gzip');
    const [plain] = await bucket().file('z/part.ndjson.gz').download();
    expect(plain.toString()).toBe(text);
    expect(gcs.getObject('test-bucket', 'z/part.ndjson.gz')?.contentEncoding).toBe('gzip');
  });

  test('fails with 404 for a missing object: getMetadata, exists, download, delete', async () => {
    const file = bucket().file('missing.txt');
    const missing = await rejection(file.getMetadata());
    expect(missing).toMatchObject({ code: 404, message: 'No such object: test-bucket/missing.txt' });
    expect(await file.exists()).toEqual([false]);
    expect(await rejection(file.download())).toMatchObject({ code: 404 });
    expect(await rejection(file.delete())).toMatchObject({ code: 404 });
    await file.delete({ ignoreNotFound: true });
  });

  test('fails with 404 notFound for an unknown bucket', async () => {
    const error = await rejection(
      storage.bucket('no-such-bucket').file('a.txt').save('x', { resumable: false }),
    );
    expect(error).toMatchObject({
      code: 404,
      message: 'The specified bucket does not exist.',
      errors: [{ reason: 'notFound', domain: 'global' }],
    });
  });

  test('fails with 400 for object names GCS refuses', async () => {
    const newline = await rejection(bucket().file('a\nb').save('x', { resumable: false }));
    expect(newline).toMatchObject({ code: 400 });
    const long = await rejection(bucket().file('é'.repeat(513)).save('x', { resumable: false })); // 1026 bytes
    expect(long).toMatchObject({ code: 400 });
    expect(() => gcs.putObject('test-bucket', '', 'x')).toThrow('name');
    expect(gcs.putObject('test-bucket', 'é'.repeat(512), 'x').generation).toMatch(/^\d+$/); // 1024 bytes
  });

  test('lists and deletes objects through its own API', async () => {
    gcs.createBucket('side');
    gcs.putObject('side', 'p/b.json', '{}');
    gcs.putObject('side', 'p/a.json', '{}');
    gcs.putObject('side', 'q.json', '{}');
    expect(gcs.listObjects('side', 'p/')).toEqual(['p/a.json', 'p/b.json']);
    const [files] = await storage.bucket('side').getFiles({ prefix: 'p/' });
    expect(files.map((f) => f.name)).toEqual(['p/a.json', 'p/b.json']);
    expect(gcs.deleteObject('side', 'q.json')).toBe(true);
    expect(gcs.deleteObject('side', 'q.json')).toBe(false);
    expect(gcs.getObject('side', 'q.json')).toBeUndefined();
  });

  test('lists in pages of maxResults with a page token, and within start and end offsets, as GCS does', async () => {
    gcs.createBucket('paged');
    for (const n of ['a', 'b', 'c', 'd', 'e']) gcs.putObject('paged', `h/${n}.avro`, n);
    const [first, next] = await storage
      .bucket('paged')
      .getFiles({ prefix: 'h/', maxResults: 2, autoPaginate: false });
    expect(first.map((f) => f.name)).toEqual(['h/a.avro', 'h/b.avro']);
    expect(next).toMatchObject({ pageToken: 'h/b.avro' });
    const [rest] = await storage.bucket('paged').getFiles({ ...(next as object), autoPaginate: false });
    expect(rest.map((f) => f.name)).toEqual(['h/c.avro', 'h/d.avro']);
    const [all] = await storage.bucket('paged').getFiles({ prefix: 'h/', maxResults: 2 });
    expect(all).toHaveLength(2);
    const pages: string[] = [];
    let query: object | null = { prefix: 'h/', maxResults: 2, autoPaginate: false };
    while (query) {
      const [files, q]: [{ name: string }[], object | null] = (await storage
        .bucket('paged')
        .getFiles(query)) as unknown as [{ name: string }[], object | null];
      pages.push(files.map((f) => f.name).join(','));
      query = q;
    }
    expect(pages).toEqual(['h/a.avro,h/b.avro', 'h/c.avro,h/d.avro', 'h/e.avro']);
    const [ranged] = await storage.bucket('paged').getFiles({ startOffset: 'h/b', endOffset: 'h/d' });
    expect(ranged.map((f) => f.name)).toEqual(['h/b.avro', 'h/c.avro']);
  });

  test('fails with an injected status once, then answers normally', async () => {
    const noRetry = new Storage({
      apiEndpoint: gcs.url,
      projectId: 'test-project',
      retryOptions: { autoRetry: false },
    });
    gcs.putObject('test-bucket', 'flaky.txt', 'ok');
    gcs.faults.push({ match: (r) => r.method === 'GET' && r.path.endsWith('/flaky.txt'), status: 503 });
    const file = noRetry.bucket('test-bucket').file('flaky.txt');
    expect(await rejection(file.getMetadata())).toMatchObject({ code: 503 });
    const [meta] = await file.getMetadata();
    expect(meta.name).toBe('flaky.txt');
  });
});

describe('BigQuery stand-in', () => {
  let bq: BigQueryStandIn;
  let client: BigQuery;
  const inserted: JobResource[] = [];
  const table = 'test-project.ds.events';
  const schema = [
    { name: 'id', type: 'STRING', mode: 'REQUIRED' },
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'amount', type: 'NUMERIC' },
    { name: 'n', type: 'INT64' },
    { name: 'ratio', type: 'FLOAT64' },
    { name: 'ok', type: 'BOOL' },
    { name: 'day', type: 'DATE' },
    { name: 'blob', type: 'BYTES' },
    { name: 'doc', type: 'JSON' },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    {
      name: 'addr',
      type: 'RECORD',
      fields: [
        { name: 'city', type: 'STRING' },
        { name: 'zip', type: 'INTEGER' },
      ],
    },
  ];
  const load = (uri: string, extra: Record<string, unknown> = {}) => ({
    load: {
      sourceUris: [uri],
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      destinationTable: { projectId: 'test-project', datasetId: 'ds', tableId: 'events' },
      ...extra,
    },
  });
  /** Waits for the job as a loader would (job.promise() polls jobs.get), quickly. */
  const done = async (job: Job): Promise<JobMetadata> => {
    Object.assign(job, { pollIntervalMs: 10 });
    const [metadata] = (await job.promise()) as [JobMetadata];
    return metadata;
  };

  beforeAll(async () => {
    bq = await startBigQueryStandIn({
      readObject: (uri) => {
        const [, bucket = '', name = ''] = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
        return gcs.getObject(bucket, name)?.bytes;
      },
      onInsert: (job) => void inserted.push(job),
    });
    client = new BigQuery({
      projectId: 'test-project',
      apiEndpoint: bq.url,
      authClient: new PassThroughClient(),
      retryOptions: { maxRetryDelay: 0.05 }, // seconds: keeps the client's own retries fast
    });
    bq.createTable(table, schema, { location: 'EU' });
    gcs.createBucket('bkt');
    const rows = [
      {
        id: 'a',
        ts: '2024-05-01T12:00:00.123456Z',
        amount: '12345678901234567890.123456789',
        n: '9007199254740993',
        ratio: '0.5',
        ok: 'yes',
        day: '2024-02-29',
        blob: Buffer.from('hi').toString('base64'),
        doc: { k: [1, 2] },
        tags: ['x', 'y'],
        addr: { city: 'Oslo', zip: '0150' },
      },
      { id: 'b', ts: '2024-05-01 14:00:00+02:00', amount: 1.5, doc: '{"not":"parsed"}', tags: null },
      { id: 'c', ts: 1714564800 },
    ];
    gcs.putObject('bkt', 'good.json', `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    gcs.putObject('bkt', 'bad.json', '{"id":"ok"}\n{"id":"z","unknown":1}\n');
  });

  afterAll(async () => {
    await bq.close();
  });

  test('runs a load job with an explicit job id and location, converting values per column type', async () => {
    const [job, response] = await client.createJob({
      jobId: 'load_good',
      location: 'EU',
      configuration: load('gs://bkt/good.json'),
    });
    expect([job.id, job.location, response.status?.state]).toEqual(['load_good', 'EU', 'RUNNING']);
    expect(inserted.at(-1)?.jobReference).toEqual({
      projectId: 'test-project',
      jobId: 'load_good',
      location: 'EU',
    });
    const metadata = await done(job);
    expect(metadata.status).toEqual({ state: 'DONE' });
    expect(metadata.statistics?.load).toMatchObject({ inputFiles: '1', outputRows: '3', badRecords: '0' });
    const rows = bq.rows(table) ?? [];
    expect(rows[0]).toEqual({
      id: 'a',
      ts: '2024-05-01T12:00:00.123456Z',
      amount: '12345678901234567890.123456789',
      n: '9007199254740993',
      ratio: 0.5,
      ok: true,
      day: '2024-02-29',
      blob: 'aGk=',
      doc: { k: [1, 2] },
      tags: ['x', 'y'],
      addr: { city: 'Oslo', zip: '150' },
    });
    expect(rows[1]).toMatchObject({
      ts: '2024-05-01T12:00:00.000000Z',
      amount: '1.5',
      doc: '{"not":"parsed"}',
      tags: [],
    });
    expect(rows[2]).toMatchObject({ ts: '2024-05-01T12:00:00.000000Z', amount: null, n: null, addr: null });
    expect(bq.loads()).toEqual([{ jobId: 'load_good', table, rows }]);
    const [fresh] = await client.job('load_good', { location: 'EU' }).getMetadata();
    expect(fresh.status.state).toBe('DONE');
  });

  test('fails a duplicate job id with 409 reason duplicate and loads nothing twice', async () => {
    const error = await rejection(
      client.createJob({ jobId: 'load_good', location: 'EU', configuration: load('gs://bkt/good.json') }),
    );
    expect(error).toMatchObject({
      code: 409,
      message: 'Already Exists: Job test-project:EU.load_good',
      errors: [{ reason: 'duplicate' }],
    });
    expect(bq.rows(table)).toHaveLength(3);
    expect(bq.loads().map((l) => l.jobId)).toEqual(['load_good']);
  });

  test('fails with 409 after an insert that was applied but answered 503; the job loads exactly once', async () => {
    bq.failNextInsert({ status: 503 });
    const error = await rejection(
      client.createJob({ jobId: 'load_flaky', location: 'EU', configuration: load('gs://bkt/good.json') }),
    );
    expect(error).toMatchObject({ code: 409, errors: [{ reason: 'duplicate' }] });
    const posts = bq.requests.filter(
      (r) => r.method === 'POST' && JSON.stringify(r.body).includes('load_flaky'),
    );
    expect(posts).toHaveLength(2); // the client retried with the same job id
    await done(client.job('load_flaky', { location: 'EU' })); // adopt the job that exists
    expect(bq.loads().map((l) => l.jobId)).toEqual(['load_good', 'load_flaky']);
    expect(bq.rows(table)).toHaveLength(6);
  });

  test('fails a load with a bad row and leaves the table unchanged', async () => {
    const before = structuredClone(bq.rows(table));
    const [job] = await client.createJob({
      jobId: 'load_bad',
      location: 'EU',
      configuration: load('gs://bkt/bad.json'),
    });
    const error = await rejection(done(job));
    expect(error.errors).toEqual([
      expect.objectContaining({ reason: 'invalid', message: expect.stringContaining('too many errors') }),
      expect.objectContaining({ reason: 'invalid' }),
      expect.objectContaining({
        reason: 'invalid',
        message: expect.stringContaining('No such field: unknown.'),
      }),
    ]);
    expect(bq.rows(table)).toEqual(before);
    expect(bq.job('test-project', 'load_bad')?.status.errorResult).toMatchObject({
      reason: 'invalid',
      location: 'gs://bkt/bad.json',
    });
    expect(bq.loads().map((l) => l.jobId)).not.toContain('load_bad');
  });

  test('loads known fields only with ignoreUnknownValues', async () => {
    const configuration = load('gs://bkt/bad.json', { ignoreUnknownValues: true });
    const [job] = await client.createJob({ jobId: 'load_ignore', location: 'EU', configuration });
    expect((await done(job)).statistics?.load?.outputRows).toBe('2');
    expect(
      bq
        .loads()
        .at(-1)
        ?.rows.map((r) => r.id),
    ).toEqual(['ok', 'z']);
  });

  test('fails a job whose source object is missing, like BigQuery: Not found: URI', async () => {
    const [job] = await client.createJob({
      jobId: 'load_missing',
      location: 'EU',
      configuration: load('gs://bkt/nope.json'),
    });
    const error = await rejection(done(job));
    expect(error).toMatchObject({ message: 'Not found: URI gs://bkt/nope.json' });
    expect(bq.job('test-project', 'load_missing')?.status.errorResult).toEqual({
      reason: 'notFound',
      message: 'Not found: URI gs://bkt/nope.json',
    });
    expect(bq.rows(table)).toHaveLength(8);
  });

  test('fails an invalid job id with 400 and a job looked up in the wrong location with 404', async () => {
    const invalid = client.createJob({
      jobId: 'bad.id',
      location: 'EU',
      configuration: load('gs://bkt/good.json'),
    });
    expect(await rejection(invalid)).toMatchObject({ code: 400, errors: [{ reason: 'invalid' }] });
    const elsewhere = await rejection(client.job('load_good', { location: 'US' }).getMetadata());
    expect(elsewhere).toMatchObject({ code: 404, message: 'Not found: Job test-project:US.load_good' });
  });

  test('loads from Storage File objects through table.createLoadJob', async () => {
    const source = storage.bucket('bkt').file('good.json');
    const [job] = await client.dataset('ds', { location: 'EU' }).table('events').createLoadJob([source], {
      jobId: 'load_via_table',
    });
    const metadata = await done(job);
    expect(metadata.configuration?.load).toMatchObject({
      sourceUris: ['gs://bkt/good.json'],
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
    });
    expect(bq.loads().at(-1)).toMatchObject({ jobId: 'load_via_table', table });
    expect(bq.rows(table)).toHaveLength(11);
  });
});
