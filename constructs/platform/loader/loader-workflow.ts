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
              { bucket: '${event.data.bucket}' },
              { object: '${event.data.name}' },
              // int64 fields arrive as JSON strings; string() also accepts a number.
              { generation: '${string(event.data.generation)}' },
            ],
          },
        },
        {
          only_uploads: {
            switch: [
              {
                condition: `\${not text.match_regex(object, "${uploads}")}`,
                return:
                  '${"skipped gs://" + bucket + "/" + object + ": not an upload under a stream prefix"}',
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
                        { name: 'TRIBUTARY_OBJECT', value: '${"gs://" + bucket + "/" + object}' },
                        { name: 'TRIBUTARY_OBJECT_GENERATION', value: '${generation}' },
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
        { started: { return: '${operation.name}' } },
      ],
    },
  };
  return stringify(definition, { lineWidth: 0 });
}
