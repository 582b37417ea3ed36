/**
 * Columns the platform adds to every raw table, defined once. The first four are the columns Pub/Sub's
 * BigQuery subscriptions fill with `write_metadata`; the others are stamped by the Dataflow UDF and the batch
 * loader. All are NULLABLE so either path can leave the ones it does not know empty.
 */
export interface MetadataColumn {
  readonly name: string;
  readonly type: 'STRING' | 'TIMESTAMP' | 'JSON';
  readonly description: string;
}

export const METADATA_COLUMNS: readonly MetadataColumn[] = [
  {
    name: 'subscription_name',
    type: 'STRING',
    description: 'Platform metadata: Pub/Sub subscription that delivered the event.',
  },
  { name: 'message_id', type: 'STRING', description: 'Platform metadata: Pub/Sub message id.' },
  {
    name: 'publish_time',
    type: 'TIMESTAMP',
    description: 'Platform metadata: when Pub/Sub accepted the message.',
  },
  {
    name: 'attributes',
    type: 'JSON',
    description: 'Platform metadata: Pub/Sub message attributes (stream, schema_version, event_id, source).',
  },
  {
    name: 'ingest_time',
    type: 'TIMESTAMP',
    description: 'Platform metadata: when the platform validated and stamped the event.',
  },
  {
    name: 'schema_version',
    type: 'STRING',
    description: 'Platform metadata: contract version the event was validated against.',
  },
  {
    name: 'ingest_source',
    type: 'STRING',
    description: 'Platform metadata: where the event entered (web, mobile, partner:<id>, batch).',
  },
  {
    name: 'event_id',
    type: 'STRING',
    description: 'Platform metadata: event id from the key fields, or assigned at ingest.',
  },
  {
    name: 'dropped_fields',
    type: 'JSON',
    description: 'Platform metadata: undeclared properties removed under the drop policy (paths).',
  },
];

export const METADATA_COLUMN_NAMES: readonly string[] = METADATA_COLUMNS.map((c) => c.name);

/** Joins the key values of an event into its event id (ids are compared, never split back). */
export const EVENT_ID_SEPARATOR = '|';
