import fc from 'fast-check';
import { LoadFailed, type LoadResult, loadUpload, type RunReport } from '../../../runtime/loader/app';
import type { Logger } from '../../../runtime/loader/log';
import { order } from '../../../stacks/contracts/order';
import { manifestFor, SHIPMENT_HEADER, shipmentCsvRow } from './fixtures';
import { MemoryJobs, MemoryStore } from './memory-ports';

const BUCKET = 'trb-test-landing';
const NOW = new Date('2026-11-29T12:00:00.000Z');

function setup(manifest = manifestFor()) {
  const store = new MemoryStore();
  const jobs = new MemoryJobs(store);
  const lines: { severity: string; message: string; fields: Record<string, unknown> }[] = [];
  const log: Logger = {
    info: (message, fields = {}) => lines.push({ severity: 'INFO', message, fields: { ...fields } }),
    warn: (message, fields = {}) => lines.push({ severity: 'WARNING', message, fields: { ...fields } }),
    error: (message, fields = {}) => lines.push({ severity: 'ERROR', message, fields: { ...fields } }),
  };
  let runs = 0;
  const run = (name: string, generation?: string): Promise<RunReport> =>
    loadUpload(
      { manifest, store, jobs, log, execution: `exec-${++runs}`, now: () => NOW },
      { bucket: BUCKET, name, ...(generation ? { generation } : {}) },
    );
  const result = (report: RunReport): LoadResult => {
    if (report.status === 'ignored') throw new Error(`ignored: ${report.reason}`);
    return report.result;
  };
  return { store, jobs, lines, run, result };
}

const orderLine = (id: string, total = '10.00') =>
  JSON.stringify({
    order_id: id,
    customer_id: 'c-1',
    status: 'PAID',
    currency: 'EUR',
    line_items: [{ product_id: 'p', quantity: 1, unit_price: total }],
    total_amount: total,
    order_time: '2026-11-29T09:00:00+01:00',
  });

describe('loadUpload', () => {
  test('loads a valid CSV once, with the platform metadata on every row, and records the result', async () => {
    const { store, jobs, run, result, lines } = setup();
    const gen = store.put(
      BUCKET,
      'shipment/a.csv',
      `${SHIPMENT_HEADER}\n${shipmentCsvRow(1)}\n${shipmentCsvRow(2)}\n`,
    );
    const r = result(await run('shipment/a.csv'));
    expect(r).toMatchObject({
      resultVersion: 1,
      object: `gs://${BUCKET}/shipment/a.csv#${gen}`,
      stream: 'shipment',
      outcome: 'loaded',
      rows: { read: 2, accepted: 2, rejected: 0, loaded: 2 },
      loadJob: { project: 'trb-test-project', location: 'EU', jobId: expect.stringMatching(/_1$/) },
      startedAt: NOW.toISOString(),
      execution: 'exec-1',
    });
    expect(r).not.toHaveProperty('quarantine');
    const rows = jobs.rows('trb-test-project.raw.shipment_v1');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      shipment_id: 'S-1',
      shipped_at: '2026-11-29T09:00:00.25Z',
      carrier_payload: { carrier: 'DHL', n: [1, 2] },
      schema_version: '2.1.0',
      ingest_time: NOW.toISOString(),
      ingest_source: `batch:gs://${BUCKET}/shipment/a.csv#${gen}`,
      event_id: 'S-1|eu',
    });
    const stored = JSON.parse(store.text(BUCKET, `results/shipment/2026-11-29/a.csv.${gen}.json`) ?? '{}');
    expect(stored).toEqual(r);
    const last = lines.at(-1);
    expect(last?.fields).toMatchObject({
      outcome: 'loaded',
      rowsRead: 2,
      rowsAccepted: 2,
      rowsRejected: 0,
      rowsLoaded: 2,
    });
  });

  test('quarantines every rejected row with its number, its text and every error; loads the rest', async () => {
    const { store, jobs, run, result } = setup(manifestFor(undefined, { maxRejectShare: 0.5 }));
    const bad = shipmentCsvRow(2).replace(',12.5,', ',heavy,').replace(',ROAD,', ',SHIP,');
    const gen = store.put(
      BUCKET,
      'shipment/b.csv',
      `${SHIPMENT_HEADER}\n${shipmentCsvRow(1)}\n${bad}\n${shipmentCsvRow(3)}\n`,
    );
    const r = result(await run('shipment/b.csv'));
    expect(r.rows).toEqual({ read: 3, accepted: 2, rejected: 1, loaded: 2 });
    expect(r.quarantine).toBe(`gs://${BUCKET}/quarantine/shipment/2026-11-29/b.csv.${gen}.rejects.ndjson`);
    const rejects = (store.text(BUCKET, `quarantine/shipment/2026-11-29/b.csv.${gen}.rejects.ndjson`) ?? '')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects).toEqual([
      {
        row: 3,
        text: bad,
        errors: [
          {
            field: 'weight_kg',
            rule: 'must be a float64 written as a decimal number, e.g. 4.25',
            code: 'syntax',
          },
          { field: 'mode', rule: expect.stringContaining('ROAD'), code: expect.any(String) },
        ],
      },
    ]);
    expect(jobs.rows().map((row) => row.shipment_id)).toEqual(['S-1', 'S-3']);
  });

  test('refuses a file whose rejects exceed maxRejectShare: nothing loaded, rejects kept, the reason recorded', async () => {
    const { store, jobs, run, result, lines } = setup();
    store.put(BUCKET, 'order/c.ndjson', `${orderLine('a')}\n{"order_id":"b"}\n`);
    const r = result(await run('order/c.ndjson'));
    expect(r.outcome).toBe('refused');
    expect(r.refusal).toEqual({
      kind: 'reject-share',
      reason: expect.stringMatching(
        /^1 of 2 rows were rejected \(50\.00%\), more than maxRejectShare 10%; see gs:\/\//,
      ),
    });
    expect(r.rows).toEqual({ read: 2, accepted: 1, rejected: 1, loaded: 0 });
    expect(jobs.loads).toEqual([]);
    expect(store.names(`${BUCKET}/staging/`)).toEqual([]);
    expect(store.names(`${BUCKET}/quarantine/`)).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({
      severity: 'ERROR',
      fields: { outcome: 'refused', refusal: 'reject-share' },
    });
  });

  test('refuses a header that does not match, an unknown ending and non-UTF-8 bytes, naming why', async () => {
    const { store, jobs, run, result } = setup();
    store.put(BUCKET, 'order/h.csv', 'order_id,colour\n1,red\n');
    store.put(BUCKET, 'order/x.xlsx', 'PK');
    store.put(
      BUCKET,
      'order/l.ndjson',
      Buffer.concat([Buffer.from(`${orderLine('a')}\n`), Buffer.from([0xc3, 0x28])]),
    );
    expect(result(await run('order/h.csv')).refusal).toEqual({
      kind: 'header',
      reason: expect.stringContaining('column "colour": colour is not a field of order v1.0.0'),
    });
    expect(result(await run('order/x.xlsx')).refusal?.kind).toBe('format');
    const enc = result(await run('order/l.ndjson'));
    expect(enc.refusal).toEqual({
      kind: 'encoding',
      reason: expect.stringMatching(/^byte \d+ is not valid UTF-8/),
    });
    expect(enc.refusal?.reason).toContain(`byte ${orderLine('a').length + 1} `);
    expect(jobs.loads).toEqual([]);
  });

  test('a 0-byte file and a file of only a header are done as empty, with no load job', async () => {
    const { store, jobs, run, result } = setup();
    store.put(BUCKET, 'order/empty.ndjson', '');
    store.put(BUCKET, 'shipment/header-only.csv', `${SHIPMENT_HEADER}\r\n`);
    expect(result(await run('order/empty.ndjson'))).toMatchObject({ outcome: 'empty', rows: { read: 0 } });
    expect(result(await run('shipment/header-only.csv'))).toMatchObject({
      outcome: 'empty',
      rows: { read: 0 },
    });
    expect(jobs.jobs.size).toBe(0);
  });

  test('a re-delivered trigger finds the result and does nothing', async () => {
    const { store, jobs, run } = setup();
    const gen = store.put(BUCKET, 'order/d.ndjson', `${orderLine('a')}\n`);
    const first = await run('order/d.ndjson', gen);
    const again = await run('order/d.ndjson', gen);
    expect(first.status).toBe('done');
    expect(again).toMatchObject({
      status: 'already-done',
      result: { outcome: 'loaded', execution: 'exec-1' },
    });
    expect(jobs.loads).toHaveLength(1);
  });

  test('a crash after the load and before the result: the re-run loads nothing twice and writes the result', async () => {
    const { store, jobs, run, result } = setup();
    store.put(BUCKET, 'order/e.ndjson', `${orderLine('a')}\n${orderLine('b')}\n`);
    store.beforeWrite = (name) => {
      if (name.startsWith('results/')) throw new Error('killed');
    };
    await expect(run('order/e.ndjson')).rejects.toThrow('killed');
    expect(jobs.loads).toHaveLength(1);
    store.beforeWrite = () => {};
    const r = result(await run('order/e.ndjson'));
    expect(r).toMatchObject({
      outcome: 'loaded',
      rows: { accepted: 2, loaded: 2 },
      loadJob: { jobId: jobs.loads[0]?.jobId },
    });
    expect(jobs.loads).toHaveLength(1);
  });

  test('a failed load job fails the run; the retry uses the next job id and loads once', async () => {
    const { store, jobs, run, result, lines } = setup();
    store.put(BUCKET, 'order/f.ndjson', `${orderLine('a')}\n`);
    jobs.failNext = 1;
    await expect(run('order/f.ndjson')).rejects.toThrow(LoadFailed);
    const r = result(await run('order/f.ndjson'));
    expect(r.loadJob?.jobId).toMatch(/_2$/);
    expect(jobs.loads).toHaveLength(1);
    expect(
      lines.some(
        (l) => l.severity === 'WARNING' && l.message.includes('failed: invalid: table is being changed'),
      ),
    ).toBe(true);
  });

  test('gives up after the attempts are used, saying what to do', async () => {
    const { store, jobs, run } = setup();
    store.put(BUCKET, 'order/g.ndjson', `${orderLine('a')}\n`);
    jobs.failNext = 100;
    for (let i = 0; i < 10; i++) await expect(run('order/g.ndjson')).rejects.toThrow(LoadFailed);
    await expect(run('order/g.ndjson')).rejects.toThrow(
      'all 10 load attempts for this object failed; fix the cause',
    );
  });

  test('reads objects stored with Content-Encoding gzip', async () => {
    const { gzipSync } = await import('node:zlib');
    const { store, jobs, run, result } = setup();
    store.put(BUCKET, 'order/z.ndjson', gzipSync(`${orderLine('a')}\n`), 'gzip');
    expect(result(await run('order/z.ndjson')).rows.loaded).toBe(1);
    expect(jobs.rows()[0]?.order_time).toBe('2026-11-29T08:00:00Z');
  });

  test('ignores objects outside the streams, folders, and generations that are gone, logging why', async () => {
    const { store, run, lines } = setup();
    const gen = store.put(BUCKET, 'order/h.ndjson', `${orderLine('a')}\n`);
    store.put(BUCKET, 'order/h.ndjson', `${orderLine('b')}\n`);
    store.put(BUCKET, 'misc/a.csv', 'x');
    expect(await run('misc/a.csv')).toEqual({
      status: 'ignored',
      reason: expect.stringContaining("not under a stream's prefix"),
    });
    expect(await run('order/h.ndjson', gen)).toEqual({
      status: 'ignored',
      reason: `gs://${BUCKET}/order/h.ndjson#${gen} does not exist (deleted or replaced since the upload); nothing to load`,
    });
    expect(await run('order/missing.csv')).toMatchObject({ status: 'ignored' });
    expect(lines.filter((l) => l.severity === 'WARNING')).toHaveLength(3);
  });
});

describe('loadUpload invariants', () => {
  const good = fc.constantFrom(...['a', 'b', 'c', 'd'].map((id) => orderLine(id)));
  const badRow = fc.constantFrom(
    '{"order_id": 1}',
    'not json',
    JSON.stringify({ ...JSON.parse(orderLine('z')), status: 'LOST' }),
    JSON.stringify({ ...JSON.parse(orderLine('y')), total_amount: '-1.00' }),
  );
  const file = fc.array(fc.oneof({ arbitrary: good, weight: 3 }, { arbitrary: badRow, weight: 1 }), {
    maxLength: 30,
  });

  test('every row is loaded or quarantined with a reason, or the file is refused with one; counts add up; nothing loads twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        file,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom('none', 'result', 'quarantine'),
        fc.nat({ max: 2 }),
        async (lines, share, crashAt, redeliveries) => {
          const { store, jobs, run, result } = setup(manifestFor([order], { maxRejectShare: share }));
          const gen = store.put(BUCKET, 'order/p.ndjson', lines.map((l) => `${l}\n`).join(''));
          if (crashAt !== 'none') {
            store.beforeWrite = (name) => {
              if (name.startsWith(`${crashAt}s/`) || name.startsWith(`${crashAt}/`))
                throw new Error('killed');
            };
            await run('order/p.ndjson', gen).catch(() => undefined);
            store.beforeWrite = () => {};
          }
          const r = result(await run('order/p.ndjson', gen));
          for (let i = 0; i < redeliveries; i++)
            expect((await run('order/p.ndjson', gen)).status).toBe('already-done');
          const rejects = (
            store.text(BUCKET, `quarantine/order/2026-11-29/p.ndjson.${gen}.rejects.ndjson`) ?? ''
          )
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as { row: number; errors: unknown[]; text: string });
          const loaded = jobs.rows();
          expect(r.rows.read).toBe(lines.length);
          expect(r.rows.accepted + r.rows.rejected).toBe(r.rows.read);
          expect(rejects).toHaveLength(r.rows.rejected);
          for (const q of rejects) {
            expect(q.errors.length).toBeGreaterThan(0);
            expect(q.text).toBe(lines[q.row - 1]);
          }
          if (r.outcome === 'refused') {
            expect(r.rows.rejected / r.rows.read).toBeGreaterThan(share);
            expect(loaded).toEqual([]);
          } else {
            expect(loaded).toHaveLength(r.rows.accepted);
            expect(r.rows.loaded).toBe(r.rows.accepted);
            const rejected = new Set(rejects.map((q) => q.row));
            const expectedIds = lines.flatMap((l, i) =>
              rejected.has(i + 1) ? [] : [JSON.parse(l).order_id],
            );
            expect(loaded.map((row) => row.order_id)).toEqual(expectedIds);
          }
          expect(jobs.loads.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 120 },
    );
  });
});
