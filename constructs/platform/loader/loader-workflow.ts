/**
 * The workflow between Eventarc and the loader job (Google's pattern: Eventarc cannot start a Cloud Run job).
 * For each finalized object it skips what is not an upload (the loader's own staging, quarantine and result
 * objects, folders, other prefixes), then starts one job execution with the object and its generation as
 * environment overrides and returns without waiting: the job records its own outcome, and polling would only
 * add billable steps and a wider role (`run.operations.get`).
 */
import { stringify } from 'yaml';

export interface LoaderWorkflowOptions {
  /** Stream names: uploads are `<stream>/...` objects. */
  readonly streams: readonly string[];
  /** `projects/<p>/locations/<r>/jobs/<name>` */
  readonly jobPath: string;
}

/** A Workflows expression, `${...}`. */
function expr(body: string): string {
  return `\${${body}}`;
}

export function loaderWorkflowSource(options: LoaderWorkflowOptions): string {
  const streams = [...options.streams].sort();
  for (const s of streams)
    if (!/^[a-z][a-z0-9_]*$/.test(s))
      throw new Error(`stream name ${JSON.stringify(s)} cannot be matched safely`);
  const uploads = `^(${streams.join('|')})/.*[^/]$`;
  const definition = {
    main: {
      params: ['event'],
      steps: [
        {
          init: {
            assign: [
              { bucket: expr('event.data.bucket') },
              { object: expr('event.data.name') },
              // int64 fields arrive as JSON strings; string() also accepts a number.
              { generation: expr('string(event.data.generation)') },
            ],
          },
        },
        {
          only_uploads: {
            switch: [
              {
                condition: expr(`not text.match_regex(object, "${uploads}")`),
                return: expr(
                  '"skipped gs://" + bucket + "/" + object + ": not an upload under a stream prefix"',
                ),
              },
            ],
          },
        },
        {
          run_loader: {
            call: 'googleapis.run.v2.projects.locations.jobs.run',
            args: {
              name: options.jobPath,
              body: {
                overrides: {
                  containerOverrides: [
                    {
                      env: [
                        { name: 'TRIBUTARY_OBJECT', value: expr('"gs://" + bucket + "/" + object') },
                        { name: 'TRIBUTARY_OBJECT_GENERATION', value: expr('generation') },
                      ],
                    },
                  ],
                },
              },
              connector_params: { skip_polling: true },
            },
            result: 'operation',
          },
        },
        { started: { return: expr('operation.name') } },
      ],
    },
  };
  return stringify(definition, { lineWidth: 0 });
}
