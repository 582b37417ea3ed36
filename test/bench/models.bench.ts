/**
 * `npm run bench:models`, on the local warehouse (DuckDB), all measured in this run:
 * - 1,000,000 raw app events over 30 days, staged and aggregated by a full refresh (stg_app_event and
 *   fact_user_activity); then 1% late events (10,000) spread over the last 7 days, processed by an incremental run,
 *   and, on an identical copy, by a full refresh again: rows read and wall time of the incremental run against the
 *   full refresh. Targets: rows read <= 10%, time <= 0.25x.
 * - compile of the whole Dataform project with 200 contracts. Target: < 1 s.
 *
 * Rows read: the rows every table scan of every statement returned, after the filters pushed into it (DuckDB's
 * EXPLAIN ANALYZE, operator cardinality of TABLE_SCAN), the nearest the engine has to BigQuery's pruned reads; the
 * rows DuckDB's scans went through (row groups of ~120,000 rows) are printed beside them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileProject, writeProject } from '../../models/compile';
import type { LocalWarehouse, RunResult } from '../../models/engine/warehouse';
import { warehouseProject } from '../../models/project';
import { parseCommandLine } from '../../scripts/cli';
import { appEvent } from '../../stacks/contracts/app-event';
import { CONTRACTS } from '../../stacks/contracts/index';
import { factUserActivity } from '../../stacks/models/curated';
import { buildProject, warehouse } from '../models/harness';
import { syntheticContracts } from './synthetic-contracts';

const { values } = parseCommandLine(
  process.argv.slice(2),
  { events: { type: 'string', default: '1000000' } },
  'bench:models [--events <n>]',
);
const EVENTS = Number(values.events);
if (!Number.isInteger(EVENTS) || EVENTS < 1000)
  throw new Error(`--events ${values.events}: must be a whole number >= 1000`);
const LATE = Math.round(EVENTS / 100);
const DAY_US = 86_400_000_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const NOW = START + 30 * 86_400_000;

/** Bulk commit in SQL (JS literals would take minutes for a million rows): events over 30 days, committed in order. */
async function load(
  w: LocalWarehouse,
  n: number,
  offset: number,
  fromUs: number,
  spanUs: number,
  ingestUs: number | undefined,
  commitAt: string,
) {
  await w.sql(`
    INSERT INTO raw.app_event_v1 (user_id, event_type, event_timestamp, metadata, ingest_time, event_id, schema_version, ingest_source, _tributary_commit_ts)
    SELECT 'u' || (i % 10000)::VARCHAR,
           ['purchase', 'view', 'click', 'search', 'share'][(i % 5) + 1],
           make_timestamptz(${fromUs}::BIGINT + ((i * 7919) % ${spanUs}::BIGINT)),
           {'amount': ((i % 10000) / 100.0)::DECIMAL(18, 2), 'currency': 'EUR'},
           make_timestamptz(${ingestUs === undefined ? `${fromUs}::BIGINT + ((i * 7919) % ${spanUs}::BIGINT) + 2000000` : `${ingestUs}::BIGINT`}),
           'e' || (i + ${offset})::VARCHAR, '1.0.0', 'web',
           '${commitAt}'::TIMESTAMPTZ
    FROM range(${n}) r(i)`);
}

const sum = (r: RunResult) =>
  r.actions.reduce(
    (a, x) => ({ read: a.read + (x.stats?.rowsRead ?? 0), scanned: a.scanned + (x.stats?.rowsScanned ?? 0) }),
    { read: 0, scanned: 0 },
  );

/** A warehouse with the 30 days built by a first run, then the late events committed. */
async function prepared(built: ReturnType<typeof buildProject>): Promise<LocalWarehouse> {
  const w = await warehouse(built);
  const startUs = START * 1000;
  await load(w, EVENTS, 0, startUs, 30 * DAY_US, undefined, new Date(NOW).toISOString());
  await w.run({ at: new Date(NOW + 3_600_000), assertions: false });
  // Late events: event times over the last 7 days, all ingested and committed now.
  await load(
    w,
    LATE,
    EVENTS,
    startUs + 23 * DAY_US,
    7 * DAY_US,
    (NOW + 2 * 3_600_000) * 1000,
    new Date(NOW + 2 * 3_600_000).toISOString(),
  );
  return w;
}

async function main() {
  const built = buildProject({ contracts: [appEvent], curated: [factUserActivity] });
  const runAt = new Date(NOW + 3 * 3_600_000);
  const trace =
    process.env.BENCH_TRACE === '1'
      ? (a: string, i: number, ms: number, sql: string) =>
          process.stdout.write(`  ${a} #${i} ${ms.toFixed(0)} ms ${sql.split('\n')[0]?.slice(0, 80)}\n`)
      : undefined;
  // Rows read: each run under EXPLAIN ANALYZE, on its own copy of the same data.
  const [a, b] = [await prepared(built), await prepared(built)] as [LocalWarehouse, LocalWarehouse];
  process.stdout.write(
    `built ${EVENTS.toLocaleString('en')} events, then committed ${LATE.toLocaleString('en')} late ones (each copy)\n`,
  );
  const measuredInc = await a.run({
    at: runAt,
    assertions: false,
    measure: true,
    ...(trace ? { trace } : {}),
  });
  const measuredFull = await b.run({ at: runAt, fullRefresh: true, assertions: false, measure: true });
  a.close();
  b.close();
  // Wall time: the same runs, unmeasured, on two more copies.
  const [c, d] = [await prepared(built), await prepared(built)] as [LocalWarehouse, LocalWarehouse];
  const incremental = await c.run({ at: runAt, assertions: false });
  const refresh = await d.run({ at: runAt, fullRefresh: true, assertions: false });
  c.close();
  d.close();
  fs.rmSync(built.dir, { recursive: true, force: true });
  const x = sum(measuredInc);
  const y = sum(measuredFull);
  const per = (r: RunResult) =>
    r.actions
      .map((z) => `${z.name} ${z.mode} ${(z.stats?.rowsRead ?? 0).toLocaleString('en')} rows`)
      .join('; ');
  const time = (r: RunResult) => r.actions.map((z) => `${z.name} ${(z.ms / 1000).toFixed(2)} s`).join('; ');
  process.stdout.write(
    `rows read: incremental ${x.read.toLocaleString('en')} (${per(measuredInc)}) vs full refresh ${y.read.toLocaleString('en')} (${per(measuredFull)}) = ${(x.read / y.read).toFixed(3)} (target <= 0.10); rows the scans went through: ${x.scanned.toLocaleString('en')} vs ${y.scanned.toLocaleString('en')}\n` +
      `wall time: incremental ${(incremental.ms / 1000).toFixed(2)} s (${time(incremental)}) vs full refresh ${(refresh.ms / 1000).toFixed(2)} s (${time(refresh)}) = ${(incremental.ms / refresh.ms).toFixed(3)} (target <= 0.25)\n`,
  );

  // Compile of the whole project at 200 contracts (4 examples + 196 generated), median of 5.
  const contracts = [...CONTRACTS, ...syntheticContracts(196)];
  const project = warehouseProject({
    project: 'p',
    location: 'EU',
    datasets: { raw: 'raw', staging: 'staging', curated: 'curated', assertions: 'assertions' },
    contracts,
    timeTravelHours: 168,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-models-'));
  writeProject(project.files, dir);
  const times: number[] = [];
  let actions = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const g = compileProject(dir);
    times.push(performance.now() - t0);
    actions = (g.tables?.length ?? 0) + (g.assertions?.length ?? 0);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const median = [...times].sort((x, y) => x - y)[2] as number;
  process.stdout.write(
    `compile at 200 contracts: ${actions} actions, median ${median.toFixed(0)} ms of 5 (${times.map((t) => t.toFixed(0)).join(', ')}) (target < 1000 ms)\n`,
  );
}

void main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
