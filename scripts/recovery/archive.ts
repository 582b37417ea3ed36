/**
 * The stream archive as the Pub/Sub Cloud Storage subscription writes it: Avro object container files with
 * metadata (`subscription_name`, `message_id`, `publish_time` in microseconds, `attributes`, `data`) under
 * `<contract>/YYYY/MM/DD/hh/mm_ss_<uuid>.avro`, where the time is when the file was started. A file holds up to
 * its subscription's max duration of messages, and a backlog delays files further, so the hours listed start one
 * before the window and run `lagMinutes` past it; records are then kept by their own publish time.
 */
import type { Readable } from 'node:stream';
import * as avro from 'avsc';

export const ARCHIVE_FIELDS = [
  'subscription_name',
  'message_id',
  'publish_time',
  'attributes',
  'data',
] as const;

export interface ArchivedMessage {
  readonly messageId: string;
  /** Microseconds since the epoch. */
  readonly publishTimeMicros: number;
  readonly attributes: Readonly<Record<string, string>>;
  readonly data: Buffer;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The hour folders (`<prefix>YYYY/MM/DD/hh/`) that can hold messages published in [from, to). */
export function hourPrefixes(prefix: string, from: Date, to: Date, lagMinutes: number): string[] {
  const hour = 3_600_000;
  const start = Math.floor(from.getTime() / hour) * hour - hour;
  const end = to.getTime() + lagMinutes * 60_000;
  const out: string[] = [];
  for (let t = start; t < end; t += hour) {
    const d = new Date(t);
    out.push(
      `${prefix}${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}/`,
    );
  }
  return out;
}

/**
 * Decodes one archive object. Refuses, naming the object, a file that is not an Avro container (an empty one
 * included: Pub/Sub never writes one), whose writer
 * schema lacks a metadata field, or whose codec is not null or deflate (the codecs this reader has).
 */
export async function* archivedMessages(source: Readable, object: string): AsyncGenerator<ArchivedMessage> {
  const decoder = new avro.streams.BlockDecoder();
  let problem: Error | undefined;
  let header = false;
  decoder.on('metadata', (type: avro.Type) => {
    header = true;
    const names = new Set(
      ((type as unknown as { fields?: { name: string }[] }).fields ?? []).map((f) => f.name),
    );
    const missing = ARCHIVE_FIELDS.filter((f) => !names.has(f));
    if (missing.length > 0) {
      problem = new Error(
        `${object}: the Avro schema lacks ${missing.join(', ')}; the archive subscription must write metadata (avro_config.write_metadata)`,
      );
      decoder.destroy(problem);
    }
  });
  source.on('error', (e) => decoder.destroy(e));
  source.pipe(decoder);
  try {
    for await (const record of decoder as AsyncIterable<Record<string, unknown>>) {
      yield {
        messageId: String(record.message_id),
        publishTimeMicros: Number(record.publish_time),
        attributes: (record.attributes ?? {}) as Record<string, string>,
        data: record.data as Buffer,
      };
    }
    if (!header) throw new Error('is not an Avro object container file (no header)');
  } catch (error) {
    const message = (problem ?? (error as Error)).message;
    throw new Error(message.startsWith(object) ? message : `${object}: ${message}`);
  }
}
