/**
 * The loader's LoadJobs on BigQuery, with the official client. The job id is the caller's (derived from the
 * object), so BigQuery itself refuses a second job for the same object: a 409 `duplicate` on insert means a
 * job with that id exists, and it is waited for, never run again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BigQuery, JobMetadata } from '@google-cloud/bigquery';
import { statusOf } from './gcs';
import type { LoadJobSpec, LoadJobState, LoadJobs } from './ports';

export interface PollOptions {
  /** The first wait between job polls. @default 1000 */
  readonly firstMs?: number;
  /** The longest wait between job polls; waits double up to it. @default 10000 */
  readonly maxMs?: number;
}

function stateOf(m: JobMetadata): LoadJobState {
  const state = m.status?.state;
  if (state !== 'DONE') return { state: state === 'PENDING' ? 'PENDING' : 'RUNNING' };
  const error = m.status?.errorResult;
  const details = (m.status?.errors ?? [])
    .map((e) => e.message)
    .filter((msg): msg is string => typeof msg === 'string' && msg !== error?.message)
    .slice(0, 5);
  return {
    state: 'DONE',
    outputRows: Number(m.statistics?.load?.outputRows ?? 0),
    ...(error
      ? { error: [`${error.reason ?? 'error'}: ${error.message ?? ''}`, ...details].join('; ') }
      : {}),
  };
}

export function bigQueryLoadJobs(bigquery: BigQuery, poll: PollOptions = {}): LoadJobs {
  const firstMs = poll.firstMs ?? 1000;
  const maxMs = poll.maxMs ?? 10_000;
  const get = async (project: string, location: string, jobId: string) => {
    try {
      const [m] = await bigquery.job(jobId, { location, projectId: project }).getMetadata();
      return stateOf(m);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  };
  return {
    get,
    async insert(spec: LoadJobSpec) {
      const [projectId, datasetId, tableId] = spec.table.split('.');
      try {
        await bigquery.createJob({
          jobId: spec.jobId,
          location: spec.location,
          configuration: {
            labels: { ...spec.labels },
            load: {
              sourceUris: [spec.sourceUri],
              sourceFormat: 'NEWLINE_DELIMITED_JSON',
              destinationTable: { projectId, datasetId, tableId },
              // The table and its schema come from the contract's deployment; a load never changes them.
              createDisposition: 'CREATE_NEVER',
              writeDisposition: 'WRITE_APPEND',
              // Every staged row passed the contract's validator: one BigQuery refuses fails the whole job.
              maxBadRecords: 0,
              ignoreUnknownValues: false,
            },
          },
        });
        return 'inserted';
      } catch (error) {
        if (statusOf(error) === 409) return 'exists';
        throw error;
      }
    },
    async wait(project, location, jobId) {
      for (let delay = firstMs; ; delay = Math.min(delay * 2, maxMs)) {
        const state = await get(project, location, jobId);
        if (!state) throw new Error(`load job ${project}:${location}.${jobId} does not exist`);
        if (state.state === 'DONE') return state;
        await sleep(delay);
      }
    },
  };
}
