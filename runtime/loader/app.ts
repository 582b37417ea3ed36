/**
 * The batch loader's logic: one uploaded object (one generation) in, its rows in the stream's raw table and its
 * rejects in quarantine, exactly once.
 *
 * 1. A result object for this generation means it was done: report it and stop (a re-delivered trigger).
 * 2. Earlier load jobs for this generation are looked up by their deterministic ids; a successful one means the
 *    rows are loaded already (a run that crashed before writing its result), so nothing is staged or loaded.
 * 3. The file streams through the reader: each row is validated by the contract validator (the gateway's),
 *    stamped with the platform metadata the Dataflow UDF writes, and written as NDJSON to this run's staging
 *    object, or written with every error to the quarantine object.
 * 4. A file that cannot be read, has a header that does not match, or rejects more than the allowed share of
 *    its rows is refused whole: nothing is loaded, and the result says why.
 * 5. Otherwise one load job (atomic: all rows or none) appends the staged rows, then the result is written.
 *
 * Every object this writes is created only if absent, so concurrent or repeated runs never overwrite each
 * other, and a failed job is followed by the next attempt id only once it has definitely failed.
 */
import type { RowError } from '../../contracts/csv';
import {
  type LoaderManifest,
  type LoaderStream,
  planUpload,
  type UploadedObject,
} from '../../contracts/loader';
import { rawRowBuilder } from '../../contracts/raw-row';
import { compileValidator } from '../../contracts/validator';
import type { Logger } from './log';
import type { LoadJobs, ObjectStore, ObjectWriter } from './ports';
import { FileRefusal, type ReadStats, type RefusalKind, readRowBatches } from './reader';

/** Load attempts per object: each follows only a failed one, so this bounds retries, not loads. */
export const MAX_LOAD_ATTEMPTS = 10;
/** Rejected rows are handed to the writer in pieces of about this many characters. */
const FLUSH_CHARS = 1 << 20;

export type LoadOutcome = 'loaded' | 'empty' | 'refused';

/** The result object: what happened to one generation of one upload. */
export interface LoadResult {
  readonly resultVersion: 1;
  /** `gs://<bucket>/<name>#<generation>` */
  readonly object: string;
  readonly stream: string;
  readonly outcome: LoadOutcome;
  readonly refusal?: { readonly kind: RefusalKind | 'format'; readonly reason: string };
  readonly rows: {
    readonly read: number;
    readonly accepted: number;
    readonly rejected: number;
    readonly loaded: number;
  };
  readonly bytes: { readonly stored: number; readonly decoded: number };
  readonly loadJob?: { readonly project: string; readonly location: string; readonly jobId: string };
  /** Where the rejected rows are, when there are any. */
  readonly quarantine?: string;
  readonly startedAt: string;
  readonly doneAt: string;
  /** The run (Cloud Run execution) that wrote this result. */
  readonly execution: string;
}

export type RunReport =
  | { readonly status: 'done'; readonly result: LoadResult }
  | { readonly status: 'already-done'; readonly result: LoadResult }
  | { readonly status: 'ignored'; readonly reason: string };

export interface LoaderDeps {
  readonly manifest: LoaderManifest;
  readonly store: ObjectStore;
  readonly jobs: LoadJobs;
  readonly log: Logger;
  /** Names this run's staging object, e.g. the Cloud Run execution and task attempt. */
  readonly execution: string;
  /** @default - the system clock */
  readonly now?: () => Date;
}

/** Loads failed for a reason a later attempt may not have (permissions, quota, a table being changed). */
export class LoadFailed extends Error {}

interface Counts {
  read: number;
  accepted: number;
  rejected: number;
}

/** Drops bytes: the staging writer of a run whose rows were loaded by an earlier one. */
const DISCARD: ObjectWriter = { write: async () => {}, end: async () => 'created', abort: async () => {} };

/** Bytes of staged rows handed to the writer at once. */
const STAGING_CHUNK_BYTES = 1 << 20;

/**
 * Staged NDJSON encoded straight into 1 MiB buffers: joining row strings and encoding the result costs several
 * times more than writing each row's UTF-8 into place. Each flush hands over its buffer and starts a new one.
 */
class StagedRows {
  private buffer = Buffer.allocUnsafe(STAGING_CHUNK_BYTES);
  private used = 0;

  constructor(private readonly writer: ObjectWriter) {}

  /** Adds a row, or returns false when it does not fit (flush it then). */
  public add(line: string): boolean {
    // A UTF-16 unit takes at most 3 UTF-8 bytes; the check is exact enough and never splits a row.
    if (this.buffer.length - this.used < line.length * 3 + 1) return false;
    this.used += this.buffer.write(line, this.used);
    this.buffer[this.used++] = 10;
    return true;
  }

  /** Hands over what is buffered, then `line` if given (in a fresh buffer, or alone when it is that long). */
  public async flush(line?: string): Promise<void> {
    if (this.used > 0) {
      await this.writer.write(this.buffer.subarray(0, this.used));
      this.buffer = Buffer.allocUnsafe(STAGING_CHUNK_BYTES);
      this.used = 0;
    }
    if (line !== undefined && !this.add(line)) await this.writer.write(`${line}\n`);
  }
}

/** Validator errors for a path a syntax error already covers only repeat it. */
function mergeErrors(read: readonly RowError[], validated: readonly RowError[]): RowError[] {
  if (read.length === 0) return [...validated];
  const covered = new Set(read.map((e) => e.field));
  return [...read, ...validated.filter((e) => !covered.has(e.field))];
}

class Loader {
  private readonly byStream = new Map<string, LoaderStream>();
  private readonly now: () => Date;

  constructor(private readonly deps: LoaderDeps) {
    for (const s of deps.manifest.streams) this.byStream.set(s.name, s);
    this.now = deps.now ?? (() => new Date());
  }

  public async run(target: Omit<UploadedObject, 'generation'> & { generation?: string }): Promise<RunReport> {
    const { manifest, store, log } = this.deps;
    const startedAt = this.now();
    const info = await store.stat(target.bucket, target.name, target.generation);
    const label = `gs://${target.bucket}/${target.name}${target.generation ? `#${target.generation}` : ''}`;
    if (!info) {
      const reason = `${label} does not exist (deleted or replaced since the upload); nothing to load`;
      log.warn(reason, { object: label });
      return { status: 'ignored', reason };
    }
    const object: UploadedObject = { bucket: target.bucket, name: target.name, generation: info.generation };
    const plan = planUpload(object, info.timeCreated, new Set(this.byStream.keys()));
    if ('problem' in plan) {
      log.warn(`${plan.problem}; nothing to load`, { object: label });
      return { status: 'ignored', reason: plan.problem };
    }
    const objectUrl = `gs://${object.bucket}/${object.name}#${object.generation}`;
    const stream = this.byStream.get(plan.stream) as LoaderStream;
    const fields = { stream: stream.name, object: objectUrl };

    const previous = await store.readText(object.bucket, plan.resultObject);
    if (previous !== undefined) {
      const result = JSON.parse(previous) as LoadResult;
      log.info(`already done (${result.outcome}); nothing to do`, { ...fields, outcome: result.outcome });
      return { status: 'already-done', result };
    }

    const { attempt, loaded } = await this.earlierJobs(plan.jobId);
    const counts: Counts = { read: 0, accepted: 0, rejected: 0 };
    const stats: ReadStats = { storedBytes: 0, bytes: 0 };
    const quarantineUrl = `gs://${object.bucket}/${plan.quarantineObject}`;
    const base = {
      resultVersion: 1 as const,
      object: objectUrl,
      stream: stream.name,
      startedAt: startedAt.toISOString(),
      execution: this.deps.execution,
    };
    const finish = async (rest: Pick<LoadResult, 'outcome' | 'refusal' | 'loadJob'> & { loaded: number }) => {
      const { loaded: loadedRows, ...shown } = rest;
      const result: LoadResult = {
        ...base,
        ...shown,
        rows: { read: counts.read, accepted: counts.accepted, rejected: counts.rejected, loaded: loadedRows },
        bytes: { stored: stats.storedBytes, decoded: stats.bytes },
        ...(counts.rejected > 0 ? { quarantine: quarantineUrl } : {}),
        doneAt: this.now().toISOString(),
      };
      const writer = store.create(object.bucket, plan.resultObject, 'application/json');
      await writer.write(`${JSON.stringify(result, null, 2)}\n`);
      await writer.end();
      const summary = {
        ...fields,
        outcome: result.outcome,
        rowsRead: counts.read,
        rowsAccepted: counts.accepted,
        rowsRejected: counts.rejected,
        rowsLoaded: loadedRows,
        ...(result.loadJob ? { loadJobId: result.loadJob.jobId } : {}),
        ...(result.refusal ? { refusal: result.refusal.kind, reason: result.refusal.reason } : {}),
        ...(result.quarantine ? { quarantine: result.quarantine } : {}),
      };
      if (result.outcome === 'refused') log.error(`refused: ${result.refusal?.reason}`, summary);
      else log.info(`${result.outcome}: ${loadedRows} rows loaded, ${counts.rejected} rejected`, summary);
      return { status: 'done' as const, result };
    };

    if (plan.format === undefined)
      return finish({
        outcome: 'refused',
        refusal: { kind: 'format', reason: plan.formatProblem ?? '' },
        loaded: 0,
      });

    const staging = loaded
      ? DISCARD
      : store.create(object.bucket, plan.stagingObject(this.deps.execution), 'application/x-ndjson');
    let quarantine: ObjectWriter | undefined;
    const abortAll = async () => {
      await Promise.allSettled([staging.abort(), quarantine?.abort()]);
    };
    const validator = compileValidator(stream.contract);
    const rows = rawRowBuilder(stream.contract, 'value');
    const meta = { ingestTime: startedAt.toISOString(), ingestSource: plan.source, dropped: [] as string[] };
    const staged = new StagedRows(staging);
    let rejects = '';
    try {
      const input =
        info.size === 0
          ? undefined
          : readRowBatches(
              store.read(object.bucket, object.name, object.generation),
              {
                format: plan.format,
                gzip: plan.gzip || info.contentEncoding === 'gzip',
                contract: stream.contract,
                maxRowBytes: manifest.maxRowBytes,
              },
              stats,
            );
      for await (const batch of input ?? []) {
        for (const r of batch) {
          counts.read++;
          const v = r.event === undefined ? undefined : validator.validate(r.event);
          if (v?.ok && r.errors.length === 0) {
            counts.accepted++;
            const dropped = r.dropped.length > 0 ? [...r.dropped, ...v.dropped] : v.dropped;
            const rowMeta = dropped.length === 0 ? meta : { ...meta, dropped };
            const line = JSON.stringify(rows.row(v.event, rowMeta));
            if (!staged.add(line)) await staged.flush(line);
            continue;
          }
          counts.rejected++;
          const errors = mergeErrors(r.errors, v && !v.ok ? v.errors : []);
          rejects += `${JSON.stringify({ row: r.row, errors, text: r.text })}\n`;
        }
        if (rejects.length >= FLUSH_CHARS) {
          quarantine ??= store.create(object.bucket, plan.quarantineObject, 'application/x-ndjson');
          await quarantine.write(rejects);
          rejects = '';
        }
      }
      if (rejects.length > 0) {
        quarantine ??= store.create(object.bucket, plan.quarantineObject, 'application/x-ndjson');
        await quarantine.write(rejects);
      }
      if (quarantine && (await quarantine.end()) === 'exists')
        log.info('quarantine object exists from an earlier run of this generation; kept as it is', fields);
      const share = counts.read === 0 ? 0 : counts.rejected / counts.read;
      if (share > manifest.maxRejectShare)
        throw new FileRefusal(
          'reject-share',
          `${counts.rejected} of ${counts.read} rows were rejected (${(share * 100).toFixed(2)}%), more than maxRejectShare ${manifest.maxRejectShare * 100}%; see ${quarantineUrl}`,
        );
    } catch (error) {
      await abortAll();
      if (error instanceof FileRefusal)
        return finish({ outcome: 'refused', refusal: { kind: error.kind, reason: error.reason }, loaded: 0 });
      throw error;
    }

    if (counts.accepted === 0) {
      await staging.abort();
      return finish({ outcome: 'empty', loaded: 0 });
    }
    const loadJob = { project: manifest.project, location: manifest.location };
    if (loaded) {
      if (loaded.outputRows !== counts.accepted)
        log.error(
          `load job ${loaded.jobId} loaded ${loaded.outputRows} rows, but this run accepted ${counts.accepted}: the file or the contract changed since`,
          fields,
        );
      return finish({
        outcome: 'loaded',
        loadJob: { ...loadJob, jobId: loaded.jobId },
        loaded: loaded.outputRows,
      });
    }
    await staged.flush();
    await staging.end();
    const jobId = plan.jobId(attempt);
    const inserted = await this.deps.jobs.insert({
      jobId,
      ...loadJob,
      sourceUri: `gs://${object.bucket}/${plan.stagingObject(this.deps.execution)}`,
      table: stream.table,
      labels: { tributary_stream: stream.name, tributary_loader: 'batch' },
    });
    if (inserted === 'exists')
      log.info(`load job ${jobId} was started by a concurrent run; waiting for it`, fields);
    const done = await this.deps.jobs.wait(loadJob.project, loadJob.location, jobId);
    if (done.error) throw new LoadFailed(`load job ${jobId} failed: ${done.error}`);
    return finish({ outcome: 'loaded', loadJob: { ...loadJob, jobId }, loaded: done.outputRows });
  }

  /** The first attempt number free to use, and the job that loaded the rows if one did. */
  private async earlierJobs(
    jobId: (attempt: number) => string,
  ): Promise<{ attempt: number; loaded?: { jobId: string; outputRows: number } }> {
    const { jobs, manifest, log } = this.deps;
    for (let attempt = 1; attempt <= MAX_LOAD_ATTEMPTS; attempt++) {
      const id = jobId(attempt);
      const state = await jobs.get(manifest.project, manifest.location, id);
      if (!state) return { attempt };
      const done = state.state === 'DONE' ? state : await jobs.wait(manifest.project, manifest.location, id);
      if (!done.error) return { attempt, loaded: { jobId: id, outputRows: done.outputRows } };
      log.warn(`earlier load job ${id} failed: ${done.error}`, { loadJobId: id });
    }
    throw new LoadFailed(
      `all ${MAX_LOAD_ATTEMPTS} load attempts for this object failed; fix the cause (see the warnings above), then upload the file again`,
    );
  }
}

/** Processes one upload; resolves with what happened, rejects when the run should be retried. */
export function loadUpload(
  deps: LoaderDeps,
  target: Omit<UploadedObject, 'generation'> & { generation?: string },
): Promise<RunReport> {
  return new Loader(deps).run(target);
}
