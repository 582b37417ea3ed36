/**
 * Test harness for the warehouse models: a generated project compiled offline, local warehouses that run it, and
 * raw rows as each writer produces them (the Dataflow UDF stamps ingest_time, event_id and schema_version; the
 * BigQuery subscription writes Pub/Sub's message_id, publish_time and attributes instead).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineContract, field, t } from '../../contracts/dsl';
import type { Contract } from '../../contracts/model';
import { type CompiledGraph, compileProject, writeProject } from '../../models/compile';
import type { CuratedModel } from '../../models/curated';
import { LocalWarehouse } from '../../models/engine/warehouse';
import { type WarehouseProject, type WarehouseSpec, warehouseProject } from '../../models/project';

export const DATASETS = {
  raw: 'raw',
  staging: 'staging',
  curated: 'curated',
  assertions: 'assertions',
} as const;

export interface BuiltProject {
  readonly project: WarehouseProject;
  readonly graph: CompiledGraph;
  readonly raw: ReadonlyMap<string, Contract>;
  readonly dir: string;
}

export function buildProject(options: {
  readonly contracts: readonly Contract[];
  readonly retired?: readonly Contract[];
  readonly curated?: readonly CuratedModel[];
  readonly custom?: Readonly<Record<string, string>>;
  readonly timeTravelHours?: number;
  readonly vars?: Readonly<Record<string, string>>;
}): BuiltProject {
  const spec: WarehouseSpec = {
    project: 'trb-test',
    location: 'EU',
    datasets: DATASETS,
    contracts: options.contracts,
    retired: options.retired ?? [],
    curated: options.curated ?? [],
    custom: options.custom ?? {},
    timeTravelHours: options.timeTravelHours ?? 168,
  };
  const project = warehouseProject(spec);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-models-'));
  writeProject(project.files, dir);
  const graph = compileProject(dir, { vars: options.vars ?? {} });
  const raw = new Map(project.staging.flatMap((s) => s.sources.map((x) => [x.table, x.contract] as const)));
  return { project, graph, raw, dir };
}

export async function warehouse(built: BuiltProject): Promise<LocalWarehouse> {
  return LocalWarehouse.create(built.graph, built.raw);
}

/** Columns that legitimately differ between an incremental run and a full refresh (when the models wrote them). */
export const RUN_STAMPS = ['_tributary_changed_at', '_tributary_changes_through'];

/** The model tables (not views, not assertions) of a project, as `dataset.table`. */
export function modelTables(built: BuiltProject): string[] {
  return (built.graph.tables ?? [])
    .filter((t) => t.type !== 'view')
    .map((t) => `${t.target.schema}.${t.target.name}`)
    .sort();
}

/** Every model table of `a` equals the same table of `b` (run stamps aside). Returns the differing tables. */
export async function differences(
  a: LocalWarehouse,
  b: LocalWarehouse,
  tables: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const t of tables) {
    const [x, y] = [await a.rows(t, { exclude: RUN_STAMPS }), await b.rows(t, { exclude: RUN_STAMPS })];
    if (JSON.stringify(x) !== JSON.stringify(y))
      out.push(
        `${t}: incremental ${JSON.stringify(x).slice(0, 600)}\n  full refresh ${JSON.stringify(y).slice(0, 600)}`,
      );
  }
  return out;
}

export const at = (iso: string) => new Date(iso);
const iso = (d: string) => new Date(d).toISOString();

/** An app_event row as the Dataflow writer commits it. */
export function appEventRow(e: {
  user: string;
  type?: string;
  at: string;
  amount?: string | null;
  ingest: string;
  source?: string;
}): Record<string, unknown> {
  const type = e.type ?? 'purchase';
  return {
    user_id: e.user,
    event_type: type,
    event_timestamp: iso(e.at),
    metadata: e.amount === null ? null : { amount: e.amount ?? '1.00', currency: 'EUR' },
    ingest_time: iso(e.ingest),
    event_id: `${e.user}|${type}|${iso(e.at)}`,
    schema_version: '1.0.0',
    ingest_source: e.source ?? 'web',
  };
}

/** The same event as the BigQuery subscription writes it: Pub/Sub metadata, no UDF stamps. */
export function appEventSubscriptionRow(e: {
  user: string;
  type?: string;
  at: string;
  amount?: string;
  published: string;
  messageId: string;
}): Record<string, unknown> {
  const type = e.type ?? 'purchase';
  return {
    user_id: e.user,
    event_type: type,
    event_timestamp: iso(e.at),
    metadata: { amount: e.amount ?? '1.00', currency: 'EUR' },
    subscription_name: 'projects/trb-test/subscriptions/app-event-bq',
    message_id: e.messageId,
    publish_time: iso(e.published),
    attributes: {
      stream: 'app_event',
      schema_version: '1.0.0',
      event_id: `${e.user}|${type}|${iso(e.at)}`,
      source: 'mobile',
    },
  };
}

export function orderRow(o: {
  id: string;
  customer: string;
  status?: string;
  at: string;
  total: string;
  currency?: string;
  quantities?: number[];
  ingest: string;
}): Record<string, unknown> {
  return {
    order_id: o.id,
    customer_id: o.customer,
    status: o.status ?? 'PAID',
    currency: o.currency ?? 'EUR',
    line_items: (o.quantities ?? [1]).map((q, i) => ({
      product_id: `p${i}`,
      quantity: q,
      unit_price: '1.00',
    })),
    shipping_address: null,
    total_amount: o.total,
    order_time: iso(o.at),
    ingest_time: iso(o.ingest),
    event_id: o.id,
    schema_version: '1.0.0',
    ingest_source: 'web',
  };
}

export function inventoryRow(c: {
  id: string;
  product: string;
  warehouse: string;
  change: number;
  at: string;
  ingest: string;
}): Record<string, unknown> {
  return {
    change_id: c.id,
    product_id: c.product,
    warehouse_id: c.warehouse,
    quantity_change: c.change,
    reason: c.change >= 0 ? 'RECEIVED' : 'SOLD',
    change_time: iso(c.at),
    ingest_time: iso(c.ingest),
    event_id: c.id,
    schema_version: '1.0.0',
    ingest_source: 'partner:acme',
  };
}

/** app_event raised to table version 2 with a new optional field: old rows have no value for it. */
export function appEventV2(base: Contract): Contract {
  return defineContract({
    name: base.name,
    version: '2.0.0',
    tableVersion: 2,
    description: base.description,
    owner: base.owner,
    fields: [
      ...base.fields,
      field('app_version', 'App version that sent the event.', t.string({ maxLength: 32 }), {
        optional: true,
      }),
    ],
    key: base.key,
    eventTime: base.eventTime,
    clustering: base.clustering,
  });
}
