/**
 * Google-provided Flex Templates Tributary launches, described as typed parameter definitions. Parameter names,
 * formats and defaults follow Google's template reference pages.
 */
import { defineFlexTemplate } from './template-parameters';

/** Where Google publishes its Flex Templates: a public bucket per region, one folder per release. */
export function googleTemplatePath(region: string, template: string, version = 'latest'): string {
  return `gs://dataflow-templates-${region}/${version}/flex/${template}`;
}

const TABLE_SPEC = 'formatted as <project>:<dataset>.<table>';

/**
 * Pub/Sub to BigQuery: reads JSON messages, runs an optional JavaScript UDF on each payload, and writes the
 * returned JSON to a table. Messages the UDF throws on, or that BigQuery refuses, go to the dead-letter table
 * with the error message and stack trace.
 */
export const PUBSUB_TO_BIGQUERY = defineFlexTemplate({
  name: 'PubSub_to_BigQuery_Flex',
  description: 'Streams JSON messages from Pub/Sub through an optional JavaScript UDF into a BigQuery table.',
  streaming: true,
  parameters: [
    {
      name: 'outputTableSpec',
      label: 'BigQuery output table',
      helpText: `The table to write to, ${TABLE_SPEC}.`,
      type: 'BIGQUERY_TABLE',
    },
    {
      name: 'inputTopic',
      label: 'Input Pub/Sub topic',
      helpText: 'The topic to read from, projects/<project>/topics/<topic>. Set this or inputSubscription.',
      type: 'PUBSUB_TOPIC',
      optional: true,
    },
    {
      name: 'inputSubscription',
      label: 'Input Pub/Sub subscription',
      helpText:
        'The subscription to read from, projects/<project>/subscriptions/<name>. Set this or inputTopic.',
      type: 'PUBSUB_SUBSCRIPTION',
      optional: true,
    },
    {
      name: 'outputDeadletterTable',
      label: 'Dead-letter table',
      helpText: `Table for messages that failed the UDF or the write, ${TABLE_SPEC}. Default <outputTableSpec>_error_records.`,
      type: 'BIGQUERY_TABLE',
      optional: true,
    },
    {
      name: 'useStorageWriteApi',
      label: 'Use the Storage Write API',
      helpText: 'Write with the BigQuery Storage Write API instead of streaming inserts. Default false.',
      type: 'BOOLEAN',
      optional: true,
    },
    {
      name: 'useStorageWriteApiAtLeastOnce',
      label: 'At-least-once Storage Write API semantics',
      helpText:
        'At-least-once instead of exactly-once writes; applies only with useStorageWriteApi. Default false.',
      type: 'BOOLEAN',
      optional: true,
    },
    {
      name: 'numStorageWriteApiStreams',
      label: 'Storage Write API streams',
      helpText: 'Write streams for exactly-once Storage Write API writes.',
      type: 'NUMBER',
      optional: true,
      min: 1,
    },
    {
      name: 'storageWriteApiTriggeringFrequencySec',
      label: 'Storage Write API triggering frequency (seconds)',
      helpText: 'How often exactly-once Storage Write API writes commit, in seconds.',
      type: 'NUMBER',
      optional: true,
      min: 1,
    },
    {
      name: 'javascriptTextTransformGcsPath',
      label: 'JavaScript UDF path',
      helpText: 'Cloud Storage URL of the .js file defining the UDF.',
      type: 'JAVASCRIPT_UDF_FILE',
      optional: true,
    },
    {
      name: 'javascriptTextTransformFunctionName',
      label: 'JavaScript UDF function name',
      helpText: 'Name of the UDF function in the file, for example transform.',
      type: 'TEXT',
      optional: true,
      regexes: ['^[A-Za-z_$][A-Za-z0-9_$]*$'],
    },
    {
      name: 'javascriptTextTransformReloadIntervalMinutes',
      label: 'UDF reload interval (minutes)',
      helpText: 'How often workers reload the UDF file; 0 disables reloading. Default 0.',
      type: 'NUMBER',
      optional: true,
    },
  ],
  exactlyOneOf: [['inputTopic', 'inputSubscription']],
  rules: [
    (v) =>
      (v.javascriptTextTransformGcsPath === undefined) !==
      (v.javascriptTextTransformFunctionName === undefined)
        ? {
            field: 'javascriptTextTransformFunctionName',
            value: v.javascriptTextTransformFunctionName,
            rule: 'javascriptTextTransformGcsPath and javascriptTextTransformFunctionName are set together',
          }
        : undefined,
    (v) =>
      v.useStorageWriteApi === true &&
      v.useStorageWriteApiAtLeastOnce !== true &&
      (v.numStorageWriteApiStreams === undefined || v.storageWriteApiTriggeringFrequencySec === undefined)
        ? {
            field: 'numStorageWriteApiStreams',
            value: v.numStorageWriteApiStreams,
            rule: 'exactly-once Storage Write API writes from a streaming job need numStorageWriteApiStreams and storageWriteApiTriggeringFrequencySec',
          }
        : undefined,
    (v) =>
      v.useStorageWriteApi !== true && v.useStorageWriteApiAtLeastOnce === true
        ? {
            field: 'useStorageWriteApiAtLeastOnce',
            value: true,
            rule: 'applies only with useStorageWriteApi: true',
          }
        : undefined,
  ],
});
