/**
 * The rebuild DAG's semantics on the embedded warehouse (DuckDB, from the models work): a rebuild compiles the
 * project with the range variables and runs the selected models and their dependents incrementally, which
 * recomputes exactly the grains of those event dates from staging. Curated rows outside the range are left as
 * they are (damaged on purpose here, to see that they are not touched), and running the rebuild again changes
 * nothing.
 */
import * as fs from 'node:fs';
import { compileProject } from '../../models/compile';
import { REBUILD_VARS } from '../../models/curated-sql';
import { orchestrationGraph } from '../../orchestration/graph';
import { appEvent } from '../../stacks/contracts/app-event';
import { factUserActivity } from '../../stacks/models/curated';
import { appEventRow, at, type BuiltProject, buildProject, warehouse } from '../models/harness';

jest.setTimeout(60_000);

let built: BuiltProject;
beforeAll(() => {
  built = buildProject({ contracts: [appEvent], curated: [factUserActivity] });
});
afterAll(() => fs.rmSync(built.dir, { recursive: true, force: true }));

const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'];
const FACT = 'curated.fact_user_activity';

async function seeded() {
  const w = await warehouse(built);
  await w.commit(
    'app_event_v1',
    DAYS.flatMap((d, i) =>
      ['u1', 'u2'].map((user) =>
        appEventRow({ user, at: `${d}T1${i}:00:00Z`, amount: `${i + 1}.00`, ingest: `${d}T1${i}:00:01Z` }),
      ),
    ),
    at('2026-03-05T00:00:00Z'),
  );
  await w.run({ at: at('2026-03-05T01:00:00Z'), assertions: false });
  return w;
}

const byDay = async (w: Awaited<ReturnType<typeof seeded>>) =>
  (await w.rows(FACT, { exclude: ['_tributary_changes_through'] })).map((r) => [
    String(r.event_date),
    String(r.total_amount),
    Number(r.total_events),
  ]);

test('the rebuild DAG compiles with the range variables the models read', () => {
  const rebuild = orchestrationGraph({
    project: 'p',
    region: 'europe-west1',
    namePrefix: 'trb-tst',
    dataform: { repository: 'r', gitCommitish: 'main', vars: {} },
    contracts: [appEvent],
  }).find((d) => d.dagId === 'trb_tst_rebuild');
  const compile = rebuild?.tasks.find((t) => t.kind === 'dataform-compile');
  expect(compile && 'vars' in compile ? Object.keys(compile.vars ?? {}) : []).toEqual([
    REBUILD_VARS.from,
    REBUILD_VARS.to,
  ]);
});

test('a rebuild of a date range recomputes exactly those dates, downstream included, and re-running changes nothing', async () => {
  const w = await seeded();
  const good = await byDay(w);
  expect(good).toHaveLength(DAYS.length * 2);
  // Damage every day: the rebuild must repair 03-02 and 03-03 and leave the others as they are.
  await w.sql(`UPDATE ${FACT} SET total_amount = 999, total_events = 99`);
  const damaged = await byDay(w);

  const range = compileProject(built.dir, {
    vars: { [REBUILD_VARS.from]: '2026-03-02', [REBUILD_VARS.to]: '2026-03-03' },
  });
  const targets = ['staging.stg_app_event'];
  const first = await w.run({ at: at('2026-03-05T02:00:00Z'), assertions: false, graph: range, targets });
  // The selected model and everything downstream ran, incrementally.
  expect(first.actions.map((a) => [a.name, a.mode])).toEqual([
    ['stg_app_event', 'incremental'],
    ['fact_user_activity', 'incremental'],
    // The model's feature and training views are downstream too.
    ['fact_user_activity__features', 'view'],
    ['fact_user_activity__training', 'view'],
  ]);
  const rebuilt = await byDay(w);
  const inRange = (row: (string | number)[]) =>
    ['2026-03-02', '2026-03-03'].includes(String(row[0]).slice(0, 10));
  expect(rebuilt.filter(inRange)).toEqual(good.filter(inRange));
  expect(rebuilt.filter((r) => !inRange(r))).toEqual(damaged.filter((r) => !inRange(r)));

  await w.run({ at: at('2026-03-05T03:00:00Z'), assertions: false, graph: range, targets });
  expect(await byDay(w)).toEqual(rebuilt);
  w.close();
});

test('without range variables an incremental run recomputes nothing it was not told about', async () => {
  const w = await seeded();
  await w.sql(`UPDATE ${FACT} SET total_amount = 999`);
  const damaged = await byDay(w);
  await w.run({ at: at('2026-03-05T02:00:00Z'), assertions: false });
  expect(await byDay(w)).toEqual(damaged);
  w.close();
});

test('fails a rebuild naming a target the project does not have', async () => {
  const w = await seeded();
  await expect(
    w.run({ at: at('2026-03-05T02:00:00Z'), assertions: false, targets: ['curated.nope'] }),
  ).rejects.toThrow('unknown targets curated.nope (known: ');
  w.close();
});
