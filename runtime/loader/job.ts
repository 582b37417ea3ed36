/**
 * The loader job task: reads its configuration and manifest, loads the one object it was started for, and exits.
 *
 * Exit codes tell Cloud Run whether to retry the task:
 * - 0: done, already done, refused (with its result object) or nothing to do; a retry would change nothing.
 * - 1: failed for a reason a retry may not have (a service error, a failed load job); the task is retried and
 *      the retry resumes safely (see app.ts).
 * - 2: the configuration or the manifest is invalid; retrying cannot help.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import { PassThroughClient } from 'google-auth-library';
import { parseLoaderManifest } from '../../contracts/loader';
import { loadUpload } from './app';
import { bigQueryLoadJobs } from './bigquery';
import { loadConfig } from './config';
import { gcsObjectStore } from './gcs';
import { jsonLogger } from './log';

const EXIT_RETRY = 1;
const EXIT_CONFIG = 2;

async function main(): Promise<number> {
  const log = jsonLogger(process.stdout, { component: 'loader' });
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    log.line('CRITICAL', (error as Error).message);
    return EXIT_CONFIG;
  }
  // STORAGE_EMULATOR_HOST is honoured by the storage client itself. An emulator or stand-in does not
  // authenticate, so with BIGQUERY_EMULATOR_HOST no credentials are looked up or sent.
  const storage = new Storage();
  const store = gcsObjectStore(storage);
  const manifestUrl = `gs://${config.manifest.bucket}/${config.manifest.name}`;
  let manifest: ReturnType<typeof parseLoaderManifest>;
  try {
    const text = await store.readText(config.manifest.bucket, config.manifest.name);
    if (text === undefined) throw new Error(`loader manifest ${manifestUrl} does not exist`);
    manifest = parseLoaderManifest(text, manifestUrl);
  } catch (error) {
    // A manifest that cannot be read now (a service error) may be readable on a retry; an invalid one never.
    const invalid = !(error as { code?: unknown }).code;
    log.line('CRITICAL', (error as Error).message, { manifest: manifestUrl });
    return invalid ? EXIT_CONFIG : EXIT_RETRY;
  }
  const pollMs = config.loadJobPollMs;
  // Load jobs run in the manifest's project (the raw tables' project).
  const bigquery = new BigQuery({
    projectId: manifest.project,
    ...(process.env.BIGQUERY_EMULATOR_HOST ? { authClient: new PassThroughClient() } : {}),
  });
  try {
    // Done, already done, refused (with its result) or nothing to load: each logged; a retry would change nothing.
    await loadUpload(
      {
        manifest,
        store,
        jobs: bigQueryLoadJobs(bigquery, { firstMs: pollMs, maxMs: Math.max(pollMs, 10_000) }),
        log,
        execution: config.execution,
      },
      { ...config.object, ...(config.generation ? { generation: config.generation } : {}) },
    );
    return 0;
  } catch (error) {
    const e = error as Error;
    log.error(`failed; the task will be retried: ${e.message}`, {
      object: `gs://${config.object.bucket}/${config.object.name}`,
      ...(e.stack ? { stack: e.stack } : {}),
    });
    return EXIT_RETRY;
  }
}

let settled = false;
// A run whose work stops without settling (a promise nothing will resolve) must not look like success.
process.on('exit', () => {
  if (settled) return;
  process.stdout.write(
    `${JSON.stringify({ severity: 'CRITICAL', timestamp: new Date().toISOString(), component: 'loader', message: 'the run stopped before finishing; the task will be retried' })}\n`,
  );
  process.exitCode = EXIT_RETRY;
});

main().then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error: unknown) => {
    settled = true;
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = EXIT_RETRY;
  },
);
