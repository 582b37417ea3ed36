/**
 * The built loader bundle (dist/runtime/loader/job.js), run as Cloud Run runs a job task: a child process with
 * its environment, using the real @google-cloud/storage and @google-cloud/bigquery clients against the GCS
 * JSON-API and BigQuery stand-ins on 127.0.0.1 (through the clients' emulator variables).
 */
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { rawTableSchema } from '../../../contracts/generators/bigquery';
import { serializeLoaderManifest } from '../../../contracts/loader';
import { buildRuntime, runtimeBundle } from '../../../runtime/build';
import { order } from '../../../stacks/contracts/order';
import { type BigQueryStandIn, startBigQueryStandIn } from './bigquery-stand-in';
import { manifestFor, SHIPMENT_HEADER, shipment, shipmentCsvRow } from './fixtures';
import { type GcsStandIn, startGcsStandIn } from './gcs-stand-in';

const LANDING = 'trb-test-landing';
const ARTIFACTS = 'trb-test-artifacts';
const PROJECT = 'trb-test-project';
const MANIFEST = manifestFor([shipment, order], { maxRejectShare: 0.34 });
const SHIPMENTS = `${PROJECT}.raw.shipment_v1`;
const ORDERS = `${PROJECT}.raw.order_v1`;

let gcs: GcsStandIn;
let bq: BigQueryStandIn;
let bundle: string;
let onInsert: (() => void) | undefined;
let executions = 0;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: Record<string, unknown>[];
  readonly stderr: string;
}

/** Runs one job task for `object`; `killOnInsert` kills it the moment its load job is accepted. */
function runJob(object: string, env: Record<string, string> = {}, killOnInsert = false): Promise<Run> {
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH ?? '',
      TRIBUTARY_LOADER_MANIFEST: `gs://${ARTIFACTS}/loader/manifest.json`,
      TRIBUTARY_OBJECT: `gs://${LANDING}/${object}`,
      TRIBUTARY_LOAD_JOB_POLL_MS: '20',
      STORAGE_EMULATOR_HOST: gcs.url,
      BIGQUERY_EMULATOR_HOST: bq.url,
      CLOUD_RUN_EXECUTION: `trb-test-loader-${++executions}`,
      CLOUD_RUN_TASK_ATTEMPT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  onInsert = killOnInsert ? () => child.kill('SIGKILL') : undefined;
  return new Promise((resolve) => {
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stderr: err,
        lines: out
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
}

function put(name: string, bytes: Buffer | string, contentEncoding?: string): string {
  return gcs.putObject(LANDING, name, bytes, contentEncoding ? { contentEncoding } : {}).generation;
}

function result(name: string, generation: string): Record<string, unknown> {
  const stored = gcs.getObject(
    LANDING,
    `results/${name.split('/')[0]}/${today()}/${name.slice(name.indexOf('/') + 1)}.${generation}.json`,
  );
  if (!stored)
    throw new Error(`no result for ${name}#${generation}; objects: ${gcs.listObjects(LANDING).join(', ')}`);
  return JSON.parse(stored.bytes.toString('utf8'));
}

/** The stand-in stamps objects with the current time, so derived names carry today's UTC date. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

const orderLine = (id: string) =>
  JSON.stringify({
    order_id: id,
    customer_id: 'c-1',
    status: 'PAID',
    currency: 'EUR',
    line_items: [{ product_id: 'p', quantity: 2, unit_price: '5.00' }],
    total_amount: '10.00',
    order_time: '2026-11-29T09:00:00-05:00',
  });

beforeAll(async () => {
  const built = await buildRuntime('loader');
  bundle = built.file;
  expect(bundle).toBe(runtimeBundle('loader'));
  gcs = await startGcsStandIn({ buckets: [LANDING, ARTIFACTS] });
  bq = await startBigQueryStandIn({
    defaultLocation: 'EU',
    readObject: (uri) => {
      const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
      return m ? gcs.getObject(m[1] as string, m[2] as string)?.bytes : undefined;
    },
    onInsert: () => onInsert?.(),
  });
  for (const c of [shipment, order])
    bq.createTable(`${PROJECT}.raw.${c.name}_v1`, rawTableSchema(c) as never, { location: 'EU' });
  gcs.putObject(ARTIFACTS, 'loader/manifest.json', serializeLoaderManifest(MANIFEST));
}, 60_000);

afterAll(async () => {
  await gcs?.close();
  await bq?.close();
});

describe('the loader bundle', () => {
  test('loads a CSV with every type and nesting, with the streaming path’s metadata, and logs its counts', async () => {
    const name = 'shipment/2026/all-types.csv';
    const gen = put(name, `${SHIPMENT_HEADER}\n${shipmentCsvRow(1)}\n${shipmentCsvRow(2)}\n`);
    const run = await runJob(name);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = bq.rows(SHIPMENTS) ?? [];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      shipment_id: 'S-1',
      parcels: '1',
      insured: false,
      value: '1024.5',
      shipped_at: expect.stringMatching(/^2026-11-29T09:00:00\.25/),
      due_on: '2026-12-01',
      carrier_payload: { carrier: 'DHL', n: [1, 2] },
      tags: ['fragile', 'gift'],
      destination: { city: 'Oslo', geo: { lat: 59.91, lon: 10.75 } },
      stops: [{ city: 'Hamburg' }],
      schema_version: '2.1.0',
      ingest_source: `batch:gs://${LANDING}/${name}#${gen}`,
      event_id: 'S-1|eu',
    });
    expect(result(name, gen)).toMatchObject({
      outcome: 'loaded',
      rows: { read: 2, accepted: 2, rejected: 0, loaded: 2 },
      loadJob: {
        project: PROJECT,
        location: 'EU',
        jobId: expect.stringMatching(/^tributary_load_shipment_[0-9a-f]{40}_1$/),
      },
    });
    for (const line of run.lines) expect(Object.keys(line).slice(0, 2)).toEqual(['severity', 'timestamp']);
    expect(run.lines.at(-1)).toMatchObject({
      severity: 'INFO',
      component: 'loader',
      outcome: 'loaded',
      rowsRead: 2,
      rowsAccepted: 2,
      rowsRejected: 0,
      rowsLoaded: 2,
      message: 'loaded: 2 rows loaded, 0 rejected',
    });
  });

  test('loads gzip NDJSON (.jsonl.gz and Content-Encoding gzip), quarantining invalid rows with every error', async () => {
    const lines = [orderLine('o-1'), '{"order_id":"o-2","status":"LOST"}', orderLine('o-3')].join('\n');
    const a = put('order/a.jsonl.gz', gzipSync(`${lines}\n`));
    const b = put('order/b.ndjson', gzipSync(`${orderLine('o-4')}\n`), 'gzip');
    expect((await runJob('order/a.jsonl.gz')).code).toBe(0);
    expect((await runJob('order/b.ndjson', { TRIBUTARY_OBJECT_GENERATION: b })).code).toBe(0);
    expect((bq.rows(ORDERS) ?? []).map((r) => r.order_id)).toEqual(['o-1', 'o-3', 'o-4']);
    expect((bq.rows(ORDERS) ?? [])[0]?.order_time).toMatch(/^2026-11-29T14:00:00/);
    const res = result('order/a.jsonl.gz', a);
    expect(res).toMatchObject({ outcome: 'loaded', rows: { read: 3, accepted: 2, rejected: 1, loaded: 2 } });
    const quarantine = gcs.getObject(LANDING, `quarantine/order/${today()}/a.jsonl.gz.${a}.rejects.ndjson`);
    const reject = JSON.parse(quarantine?.bytes.toString('utf8') ?? '{}');
    expect(reject.row).toBe(2);
    expect(reject.text).toBe('{"order_id":"o-2","status":"LOST"}');
    expect(reject.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['status', 'customer_id', 'line_items', 'total_amount', 'order_time']),
    );
    expect(res.quarantine).toBe(`gs://${LANDING}/quarantine/order/${today()}/a.jsonl.gz.${a}.rejects.ndjson`);
  });

  test('refuses a header that does not match and a reject share over the bound, loading nothing', async () => {
    const before = bq.loads().length;
    const h = put('shipment/bad-header.csv', 'shipment_id,colour\nS-1,red\n');
    const s = put('order/mostly-bad.ndjson', `${orderLine('o-9')}\n{}\n[]\n`);
    const header = await runJob('shipment/bad-header.csv');
    expect({ code: header.code, stderr: header.stderr, lines: header.lines }).toMatchObject({
      code: 0,
      stderr: '',
    });
    const refused = await runJob('order/mostly-bad.ndjson');
    expect(refused.code).toBe(0);
    expect(result('shipment/bad-header.csv', h)).toMatchObject({
      outcome: 'refused',
      refusal: {
        kind: 'header',
        reason: expect.stringContaining('column "colour": colour is not a field of shipment'),
      },
    });
    expect(result('order/mostly-bad.ndjson', s)).toMatchObject({
      outcome: 'refused',
      refusal: {
        kind: 'reject-share',
        reason: expect.stringContaining('2 of 3 rows were rejected (66.67%)'),
      },
      rows: { loaded: 0 },
    });
    expect(refused.lines.at(-1)).toMatchObject({
      severity: 'ERROR',
      outcome: 'refused',
      refusal: 'reject-share',
    });
    expect(bq.loads().length).toBe(before);
  });

  test('a crash after the load and before the result: the re-run loads nothing twice', async () => {
    const gen = put('order/crash.ndjson', `${orderLine('c-1')}\n${orderLine('c-2')}\n`);
    const before = bq.loads().length;
    const crashed = await runJob('order/crash.ndjson', {}, true);
    expect(crashed.signal).toBe('SIGKILL');
    // The job was accepted (BigQuery runs it whether or not its client lives); no result was written.
    const inserts = bq.requests.filter((r) => r.method === 'POST' && /\/jobs$/.test(r.path));
    const jobId = (inserts.at(-1)?.body as { jobReference?: { jobId?: string } } | undefined)?.jobReference
      ?.jobId;
    expect(jobId).toMatch(/^tributary_load_order_[0-9a-f]{40}_1$/);
    expect(gcs.getObject(LANDING, `results/order/${today()}/crash.ndjson.${gen}.json`)).toBeUndefined();
    const rerun = await runJob('order/crash.ndjson');
    expect(rerun.code).toBe(0);
    expect(bq.loads().length).toBe(before + 1);
    expect(bq.loads().filter((l) => l.jobId === jobId)).toHaveLength(1);
    expect(result('order/crash.ndjson', gen)).toMatchObject({
      outcome: 'loaded',
      rows: { accepted: 2, loaded: 2 },
    });
    expect((bq.rows(ORDERS) ?? []).filter((r) => String(r.order_id).startsWith('c-'))).toHaveLength(2);
  });

  test('a re-delivered trigger finds the result and does nothing', async () => {
    const gen = put('order/twice.ndjson', `${orderLine('t-1')}\n`);
    expect((await runJob('order/twice.ndjson', { TRIBUTARY_OBJECT_GENERATION: gen })).code).toBe(0);
    const loads = bq.loads().length;
    const again = await runJob('order/twice.ndjson', { TRIBUTARY_OBJECT_GENERATION: gen });
    expect(again.code).toBe(0);
    expect(again.lines.at(-1)).toMatchObject({ message: 'already done (loaded); nothing to do' });
    expect(bq.loads().length).toBe(loads);
  });

  test('a 0-byte file is done as empty; BOM, CRLF and quoted newlines are read as written', async () => {
    const empty = put('order/empty.ndjson', '');
    expect((await runJob('order/empty.ndjson')).code).toBe(0);
    expect(result('order/empty.ndjson', empty)).toMatchObject({ outcome: 'empty', rows: { read: 0 } });
    const row = shipmentCsvRow(7).replace(',Oslo,', ',"Oslo\r\nsentrum",');
    const gen = put('shipment/bom.csv', `\uFEFF${SHIPMENT_HEADER}\r\n${row}\r\n`);
    expect((await runJob('shipment/bom.csv')).code).toBe(0);
    expect(result('shipment/bom.csv', gen)).toMatchObject({ outcome: 'loaded', rows: { loaded: 1 } });
    const loaded = (bq.rows(SHIPMENTS) ?? []).find((r) => r.shipment_id === 'S-7');
    expect(loaded?.destination).toMatchObject({ city: 'Oslo\r\nsentrum' });
  });

  test('refuses non-UTF-8 input with the offset of the first bad byte, leaving the upload unaltered', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${SHIPMENT_HEADER}\n`),
      Buffer.from('S-8,G\xf6teborg', 'latin1'),
    ]);
    const gen = put('shipment/latin1.csv', bytes);
    expect((await runJob('shipment/latin1.csv')).code).toBe(0);
    expect(result('shipment/latin1.csv', gen)).toMatchObject({
      outcome: 'refused',
      refusal: {
        kind: 'encoding',
        reason: expect.stringMatching(new RegExp(`^byte ${SHIPMENT_HEADER.length + 6} is not valid UTF-8`)),
      },
    });
    expect(gcs.getObject(LANDING, 'shipment/latin1.csv')?.bytes.equals(bytes)).toBe(true);
  });

  test('fails a run without its object or with a bad manifest, naming the variable or the object (exit 2)', async () => {
    const missing = await runJob('order/x.csv', { TRIBUTARY_OBJECT: 'order/x.csv' });
    expect(missing.code).toBe(2);
    expect(String(missing.lines[0]?.message)).toContain(
      'TRIBUTARY_OBJECT = "order/x.csv": must be gs://<bucket>/<object name>',
    );
    gcs.putObject(ARTIFACTS, 'loader/broken.json', '{"manifestVersion":1,"streams":[]}');
    const broken = await runJob('order/x.csv', {
      TRIBUTARY_LOADER_MANIFEST: `gs://${ARTIFACTS}/loader/broken.json`,
    });
    expect(broken.code).toBe(2);
    expect(broken.lines[0]).toMatchObject({
      severity: 'CRITICAL',
      message: expect.stringContaining('streams'),
    });
  });
});
