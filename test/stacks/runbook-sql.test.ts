/**
 * The runbooks' BigQuery checks are queries an on-call engineer runs as written: ZetaSQL, BigQuery's analyzer,
 * must accept each one against the tables it reads (raw tables from the contracts, dead-letter tables, and the
 * Avro archive as BigQuery reads it: a map becomes repeated key/value records, timestamp-micros a plain INT64).
 */
import { Testing } from 'cdktf';
import { rawTableSchema } from '../../contracts/generators/bigquery';
import { type SchemaField, WarehouseAnalyzer } from '../../models/analyzer/analyze';
import { EnvironmentStack } from '../../stacks/environment-stack';
import { ENVIRONMENTS } from '../../stacks/environments/index';

jest.setTimeout(120_000);

const ARCHIVE: SchemaField[] = [
  { name: 'subscription_name', type: 'STRING', mode: 'REQUIRED' },
  { name: 'message_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'publish_time', type: 'INTEGER', mode: 'REQUIRED' },
  {
    name: 'attributes',
    type: 'RECORD',
    mode: 'REPEATED',
    fields: [
      { name: 'key', type: 'STRING', mode: 'REQUIRED' },
      { name: 'value', type: 'STRING', mode: 'REQUIRED' },
    ],
  },
  { name: 'data', type: 'BYTES', mode: 'REQUIRED' },
];
const DEAD_LETTER: SchemaField[] = [
  { name: 'timestamp', type: 'TIMESTAMP', mode: 'REQUIRED' },
  { name: 'payloadString', type: 'STRING', mode: 'NULLABLE' },
  { name: 'payloadBytes', type: 'BYTES', mode: 'NULLABLE' },
  {
    name: 'attributes',
    type: 'RECORD',
    mode: 'REPEATED',
    fields: [
      { name: 'key', type: 'STRING', mode: 'NULLABLE' },
      { name: 'value', type: 'STRING', mode: 'NULLABLE' },
    ],
  },
  { name: 'errorMessage', type: 'STRING', mode: 'NULLABLE' },
  { name: 'stacktrace', type: 'STRING', mode: 'NULLABLE' },
];

let analyzer: WarehouseAnalyzer;
beforeAll(async () => {
  analyzer = await WarehouseAnalyzer.start();
}, 60_000);
afterAll(() => analyzer.stop());

/** The SQL of a `bq query … '<sql>'` command, with the runbook's placeholders filled in. */
const sqlOf = (command: string) =>
  (/'([^']+)'$/.exec(command)?.[1] ?? '')
    .replace(/<start>/g, '2026-11-30T10:00:00Z')
    .replace(/<end>/g, '2026-11-30T11:00:00Z');

test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
  '%s: every runbook bq query on raw data is accepted by ZetaSQL',
  async (_name, env) => {
    const platform = new EnvironmentStack(Testing.app(), env).platform;
    const ops = platform.operations;
    expect(ops).toBeDefined();
    const tables: Record<string, SchemaField[]> = { archive: ARCHIVE };
    for (const s of Object.values(platform.streams.streams)) {
      tables[`${env.foundation.project}.${platform.datasets.raw.datasetId}.${s.table.tableId}`] =
        rawTableSchema(s.contract) as SchemaField[];
      if (s.deadLetterTable)
        tables[`${env.foundation.project}.${platform.datasets.raw.datasetId}.${s.deadLetterTable.tableId}`] =
          DEAD_LETTER;
    }
    const queries = new Set<string>();
    for (const spec of ops?.specs ?? [])
      for (const step of [...spec.runbook.checks, ...spec.runbook.recover, ...spec.runbook.confirm])
        if (
          typeof step !== 'string' &&
          step.command.startsWith('bq query') &&
          !step.command.includes('INFORMATION_SCHEMA')
        )
          queries.add(step.command);
    // The newest-row check, the archive-against-raw check and the dead-letter checks at least.
    expect(queries.size).toBeGreaterThanOrEqual(8);
    const problems: string[] = [];
    for (const q of queries) {
      const problem = await analyzer.analyzeQuery(sqlOf(q), tables);
      if (problem) problems.push(`${problem}\n  in: ${q}`);
    }
    expect(problems).toEqual([]);
  },
);
