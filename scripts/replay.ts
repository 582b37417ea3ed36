/**
 * `npm run replay -- --env <environment> --stream <stream> --from <time> --to <time> [--rate <events/s>]
 *  [--dry-run] [--state <file>] [--lag-minutes <n>]`
 *
 * Republishes archived events from the stream's Cloud Storage archive to its topic: every record whose publish
 * time is in [from, to), with its data byte for byte and the ingest attributes (event_id included, so downstream
 * deduplication absorbs the copies), plus `replay_of` naming the original message id. Rate-limited, and
 * resumable: progress is checkpointed after each batch the topic acknowledged, so a re-run after a kill repeats
 * at most one batch. `--dry-run` lists and counts without publishing or writing state.
 */
import * as path from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { parseCommandLine, runScript, UsageError } from './cli';
import { archivedMessages, hourPrefixes } from './recovery/archive';
import { republishAttributes } from './recovery/attributes';
import { positiveNumber, type RecoveryDeps, requireStream, STREAM_OPTIONS } from './recovery/command';
import { RateLimiter, REAL_CLOCK } from './recovery/rate';
import { readState, writeState } from './recovery/state';
import { streamTargets } from './recovery/targets';

const USAGE =
  'npm run replay -- --env <environment> --stream <stream> --from <ISO time> --to <ISO time> [--rate <events/s>] [--dry-run] [--state <file>] [--lag-minutes <n>]';
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const BATCH = 100;

export interface ReplayState {
  readonly version: 1;
  readonly env: string;
  readonly stream: string;
  readonly from: string;
  readonly to: string;
  /** `object#generation` → records published from it, for objects finished. */
  readonly done: Record<string, number>;
  /** The object in progress and the index of its next record. */
  current?: { readonly object: string; next: number; published: number };
  published: number;
}

function time(flag: string, value: string | undefined): Date {
  if (!value) throw new UsageError(`${flag} is required\nusage: ${USAGE}`);
  const t = new Date(value);
  if (!ISO_WITH_ZONE.test(value) || Number.isNaN(t.getTime()))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: must be an ISO 8601 time with a zone, e.g. 2026-11-30T10:00:00Z`,
    );
  return t;
}

export async function main(
  argv: readonly string[],
  log: (s: string) => unknown = (s) => process.stdout.write(s),
  deps: RecoveryDeps = {},
  cwd = process.cwd(),
): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    {
      ...STREAM_OPTIONS,
      from: { type: 'string' },
      to: { type: 'string' },
      state: { type: 'string' },
      'lag-minutes': { type: 'string' },
    },
    USAGE,
  );
  const { env, stream } = requireStream(values, USAGE);
  const from = time('--from', values.from);
  const to = time('--to', values.to);
  if (from >= to) throw new UsageError(`--from ${values.from} must be before --to ${values.to}`);
  const rate = positiveNumber('--rate', values.rate, 500);
  // Files are named by when they started, and the archive may lag: 60 minutes covers the archive-backlog alert's
  // default bound (30) plus a file's longest duration (10), with margin.
  const lag = positiveNumber('--lag-minutes', values['lag-minutes'], 60);
  const dryRun = values['dry-run'] === true;
  const t = deps.targets ?? streamTargets(env, stream);
  const storage = deps.storage ?? new Storage({ projectId: t.project });
  const stateFile = path.resolve(
    cwd,
    values.state ??
      path.join(
        '.tributary',
        'replay',
        `${env}-${stream}-${from.toISOString()}-${to.toISOString()}.json`.replace(/:/g, ''),
      ),
  );
  const fresh: ReplayState = {
    version: 1,
    env,
    stream,
    from: from.toISOString(),
    to: to.toISOString(),
    done: {},
    published: 0,
  };
  const state = dryRun ? fresh : (readState<ReplayState>(stateFile) ?? fresh);
  for (const k of ['env', 'stream', 'from', 'to'] as const)
    if (state[k] !== fresh[k])
      throw new Error(
        `${stateFile}: state of another replay (${k} ${state[k]}, not ${fresh[k]}); pass another --state`,
      );

  // Every object of the hours that can hold the window, in name order (the order Pub/Sub wrote them in).
  const objects: { name: string; generation: string }[] = [];
  for (const prefix of hourPrefixes(t.archivePrefix, from, to, lag)) {
    const [files] = await storage.bucket(t.archiveBucket).getFiles({ prefix, autoPaginate: true });
    for (const f of files)
      if (f.name.endsWith('.avro')) objects.push({ name: f.name, generation: String(f.metadata.generation) });
  }
  const client = dryRun ? undefined : (deps.pubsub ?? new PubSub({ projectId: t.project }));
  const topic = client?.topic(t.topic);
  const limiter = new RateLimiter(rate, deps.clock ?? REAL_CLOCK);
  const [lo, hi] = [from.getTime() * 1000, to.getTime() * 1000];
  let [records, inWindow, resumedObjects] = [0, 0, 0];
  for (const o of objects) {
    const key = `${o.name}#${o.generation}`;
    if (state.done[key] !== undefined) {
      resumedObjects++;
      continue;
    }
    const resumed = state.current?.object === key ? state.current : undefined;
    const start = resumed?.next ?? 0;
    const file = storage.bucket(t.archiveBucket).file(o.name, { generation: Number(o.generation) });
    let [index, fromObject] = [0, resumed?.published ?? 0];
    let batch: { data: Buffer; attributes: Record<string, string> }[] = [];
    const flush = async () => {
      if (batch.length === 0 || !topic) return;
      await limiter.take(batch.length);
      // Every publish is awaited: only what the topic acknowledged is checkpointed.
      await Promise.all(batch.map((m) => topic.publishMessage(m)));
      fromObject += batch.length;
      state.published += batch.length;
      state.current = { object: key, next: index, published: fromObject };
      writeState(stateFile, state);
      batch = [];
    };
    for await (const m of archivedMessages(file.createReadStream(), `gs://${t.archiveBucket}/${key}`)) {
      records++;
      index++;
      if (index <= start || m.publishTimeMicros < lo || m.publishTimeMicros >= hi) continue;
      inWindow++;
      if (dryRun) continue;
      batch.push({
        data: m.data,
        attributes: republishAttributes(m.attributes, { key: 'replay_of', value: m.messageId }),
      });
      if (batch.length >= Math.min(BATCH, Math.max(1, Math.floor(rate)))) await flush();
    }
    await flush();
    if (!dryRun) {
      state.done[key] = fromObject;
      state.current = undefined;
      writeState(stateFile, state);
    }
    log(
      `${JSON.stringify({ object: `gs://${t.archiveBucket}/${key}`, published: dryRun ? 0 : fromObject })}\n`,
    );
  }
  if (client && !deps.pubsub) await client.close();
  log(
    `${JSON.stringify({
      event: dryRun ? 'tributary.replay_dry_run' : 'tributary.replay_done',
      stream,
      topic: t.topic,
      from: fresh.from,
      to: fresh.to,
      objects: objects.length,
      objectsAlreadyDone: resumedObjects,
      records,
      inWindow,
      published: dryRun ? 0 : state.published,
      ...(dryRun ? {} : { state: stateFile }),
    })}\n`,
  );
  return 0;
}

if (require.main === module) void runScript('replay', () => main(process.argv.slice(2)));
