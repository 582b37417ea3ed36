/**
 * `npm run dlq:redrive -- --env <environment> --stream <stream> [--rate <messages/s>] [--max <n>]
 *  [--source delivery|archive|any] [--export <file>] [--dry-run]`
 *
 * Moves dead-lettered messages back to the stream's topic after a fix: pulls the dead-letter subscription,
 * republishes each message (its data byte for byte, the ingest attributes, and `redrive_of` naming the
 * dead-lettered copy) and acknowledges it only after the topic acknowledged the republish. A failed republish is
 * nacked, so the message stays in the dead-letter subscription. `--export` writes the messages to an NDJSON file
 * (fsynced before the ack) instead of republishing. `--source` keeps messages that one subscription dead-lettered
 * (both the delivery and the archive subscription dead-letter into the same topic); others are nacked untouched.
 * `--dry-run` pulls a page, reports it and nacks it. Rate-limited. A kill leaves unacknowledged messages in the
 * subscription, where they are delivered again: a re-run repeats at most one batch, which deduplication absorbs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PubSub, v1 } from '@google-cloud/pubsub';
import { parseCommandLine, runScript, UsageError } from './cli';
import { republishAttributes } from './recovery/attributes';
import { positiveNumber, type RecoveryDeps, requireStream, STREAM_OPTIONS } from './recovery/command';
import { RateLimiter, REAL_CLOCK } from './recovery/rate';
import { streamTargets } from './recovery/targets';

const USAGE =
  'npm run dlq:redrive -- --env <environment> --stream <stream> [--rate <messages/s>] [--max <n>] [--source delivery|archive|any] [--export <file>] [--dry-run]';
const SOURCE_ATTRIBUTE = 'CloudPubSubDeadLetterSourceSubscription';
const PAGE = 100;
/** Pub/Sub's longest ack deadline. */
const MAX_HOLD_SECONDS = 600;
/** Pulls in a row with nothing to redrive (empty, or only other sources' messages) before it stops. */
const EMPTY_PULLS_TO_STOP = 3;

const lastSegment = (v: string | null | undefined) =>
  String(v ?? '')
    .split('/')
    .pop();

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
      max: { type: 'string' },
      source: { type: 'string' },
      export: { type: 'string' },
    },
    USAGE,
  );
  const { env, stream } = requireStream(values, USAGE);
  const rate = positiveNumber('--rate', values.rate, 200);
  const max = positiveNumber('--max', values.max, Number.POSITIVE_INFINITY, true);
  const source = values.source ?? 'any';
  if (!['delivery', 'archive', 'any'].includes(source))
    throw new UsageError(`--source ${JSON.stringify(source)}: must be delivery, archive or any`);
  const dryRun = values['dry-run'] === true;
  const t = deps.targets ?? streamTargets(env, stream);
  const pubsub = deps.pubsub ?? new PubSub({ projectId: t.project });
  const subscriber = new v1.SubscriberClient(
    (await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0],
  );
  const topic = pubsub.topic(t.topic);
  const limiter = new RateLimiter(rate, deps.clock ?? REAL_CLOCK);
  const wanted =
    source === 'delivery' ? t.sources.delivery : source === 'archive' ? t.sources.archive : undefined;
  const exportFile = values.export ? path.resolve(cwd, values.export) : undefined;
  const out = exportFile ? fs.openSync(exportFile, 'a') : undefined;
  const subscription = t.deadLetterSubscription;
  const nack = async (ackIds: string[]) => {
    if (ackIds.length > 0)
      await subscriber.modifyAckDeadline({ subscription, ackIds, ackDeadlineSeconds: 0 });
  };
  const counts = { pulled: 0, redriven: 0, exported: 0, failed: 0, skipped: 0 };
  const skippedIds = new Set<string>();
  let empty = 0;
  try {
    while (counts.redriven + counts.exported < max && empty < EMPTY_PULLS_TO_STOP) {
      const want = Math.min(PAGE, max - counts.redriven - counts.exported);
      const [response] = await subscriber.pull({ subscription, maxMessages: want });
      const received = response.receivedMessages ?? [];
      if (received.length === 0) {
        empty++;
        continue;
      }
      counts.pulled += received.length;
      const ids = received.map((r) => r.ackId as string);
      // Held while the page waits for the rate limit and its republishes, and no longer: a killed run's page
      // comes back to the subscription after this.
      const hold = Math.min(MAX_HOLD_SECONDS, Math.ceil(received.length / rate) + 60);
      await subscriber.modifyAckDeadline({ subscription, ackIds: ids, ackDeadlineSeconds: hold });
      if (dryRun) {
        for (const r of received)
          log(
            `${JSON.stringify({
              messageId: r.message?.messageId,
              eventId: r.message?.attributes?.event_id,
              from: r.message?.attributes?.[SOURCE_ATTRIBUTE],
              deliveryAttempt: r.deliveryAttempt,
            })}\n`,
          );
        await nack(ids);
        break;
      }
      // Compared by subscription id: the attribute may hold the id alone or the full path.
      const keep = received.filter(
        (r) => !wanted || lastSegment(r.message?.attributes?.[SOURCE_ATTRIBUTE]) === lastSegment(wanted),
      );
      const others = received.filter((r) => !keep.includes(r));
      for (const r of others) skippedIds.add(String(r.message?.messageId));
      counts.skipped = skippedIds.size;
      await nack(others.map((r) => r.ackId as string));
      // Only messages of another source left: they will keep coming back, so stop.
      if (keep.length === 0) {
        empty++;
        continue;
      }
      empty = 0;
      await limiter.take(keep.length);
      const outcomes = await Promise.allSettled(
        keep.map(async (r) => {
          const m = r.message ?? {};
          const data = Buffer.from(m.data ?? '');
          const attributes = republishAttributes((m.attributes ?? {}) as Record<string, string>, {
            key: 'redrive_of',
            value: String(m.messageId),
          });
          if (out !== undefined) {
            fs.writeSync(
              out,
              `${JSON.stringify({ messageId: m.messageId, publishTime: m.publishTime, attributes: m.attributes, data: data.toString('base64') })}\n`,
            );
            return;
          }
          await topic.publishMessage({ data, attributes });
        }),
      );
      if (out !== undefined) fs.fsyncSync(out);
      const ok = keep.filter((_, i) => outcomes[i]?.status === 'fulfilled').map((r) => r.ackId as string);
      const failed = keep.filter((_, i) => outcomes[i]?.status === 'rejected');
      // Acknowledged only now: every message acked here was republished (or exported) first.
      if (ok.length > 0) await subscriber.acknowledge({ subscription, ackIds: ok });
      await nack(failed.map((r) => r.ackId as string));
      if (out !== undefined) counts.exported += ok.length;
      else counts.redriven += ok.length;
      counts.failed += failed.length;
      for (const [i, o] of outcomes.entries())
        if (o.status === 'rejected')
          log(
            `${JSON.stringify({ event: 'tributary.redrive_failed', messageId: keep[i]?.message?.messageId, error: String((o.reason as Error)?.message ?? o.reason) })}\n`,
          );
      if (failed.length > 0) break;
    }
  } finally {
    if (out !== undefined) fs.closeSync(out);
    await subscriber.close();
    if (!deps.pubsub) await pubsub.close();
  }
  log(
    `${JSON.stringify({
      event: dryRun ? 'tributary.redrive_dry_run' : 'tributary.redrive_done',
      // A pull may come back empty while messages wait: a run that stopped on empty pulls says so.
      ...(empty >= EMPTY_PULLS_TO_STOP
        ? { stoppedOn: `${EMPTY_PULLS_TO_STOP} pulls with nothing to redrive` }
        : {}),
      stream,
      subscription,
      topic: exportFile ? undefined : t.topic,
      export: exportFile,
      ...counts,
    })}\n`,
  );
  return counts.failed > 0 ? 1 : 0;
}

if (require.main === module) void runScript('dlq:redrive', () => main(process.argv.slice(2)));
