/**
 * The loader job's configuration, from the environment: the constructs set the manifest, and each run names
 * its object (the workflow sets TRIBUTARY_OBJECT and TRIBUTARY_OBJECT_GENERATION as execution overrides; a
 * person re-running a file sets them with `gcloud run jobs execute --update-env-vars`). Every problem is
 * reported at once, naming the variable, the value and the rule.
 */
import { BUCKET_NAME } from '../../core/gcp';
import { Checks } from '../../core/validation';

export interface GcsUrl {
  readonly bucket: string;
  readonly name: string;
}

export interface LoaderConfig {
  /** The loader manifest written by the constructs. */
  readonly manifest: GcsUrl;
  /** The object to load. */
  readonly object: GcsUrl;
  /** The generation to load. @default - the live generation */
  readonly generation?: string;
  /** Names this run's staging object. */
  readonly execution: string;
  /** The first wait between load-job polls (they double up to 10 s). @default 1000 */
  readonly loadJobPollMs: number;
}

const GCS_URL = /^gs:\/\/([^/]+)\/(.+)$/;

export function parseGcsUrl(url: string): GcsUrl | undefined {
  const m = GCS_URL.exec(url);
  if (!m || !BUCKET_NAME.test(m[1] as string)) return undefined;
  return { bucket: m[1] as string, name: m[2] as string };
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): LoaderConfig {
  const c = new Checks('batch loader configuration (environment variables)');
  const url = (name: string): GcsUrl | undefined => {
    const v = env[name];
    c.require(name, v);
    if (v === undefined || v === '') return undefined;
    const u = parseGcsUrl(v);
    if (!u) c.fail(name, v, 'must be gs://<bucket>/<object name>');
    return u;
  };
  const manifest = url('TRIBUTARY_LOADER_MANIFEST');
  const object = url('TRIBUTARY_OBJECT');
  const generation = env.TRIBUTARY_OBJECT_GENERATION || undefined;
  c.rule(
    'TRIBUTARY_OBJECT_GENERATION',
    generation,
    'must be the object generation, a positive decimal integer',
    (g) => /^[1-9]\d{0,19}$/.test(g),
  );
  // Cloud Run sets these for every job task; a local run gets a name of its own.
  const executionName = env.CLOUD_RUN_EXECUTION ?? `local-${process.pid}-${Date.now()}`;
  const attempt = env.CLOUD_RUN_TASK_ATTEMPT ?? '0';
  const execution = `${executionName}-${attempt}`;
  c.rule('CLOUD_RUN_EXECUTION', execution, 'must be letters, digits, _ and - (at most 63)', (e) =>
    /^[A-Za-z0-9_-]{1,63}$/.test(e),
  );
  const poll = env.TRIBUTARY_LOAD_JOB_POLL_MS;
  c.rule(
    'TRIBUTARY_LOAD_JOB_POLL_MS',
    poll,
    'must be milliseconds, an integer from 10 to 60000',
    (p) => /^\d{2,5}$/.test(p) && Number(p) >= 10 && Number(p) <= 60_000,
  );
  c.throwIfAny();
  return {
    loadJobPollMs: poll ? Number(poll) : 1000,
    manifest: manifest as GcsUrl,
    object: object as GcsUrl,
    ...(generation ? { generation } : {}),
    execution,
  };
}
