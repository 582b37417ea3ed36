/**
 * The loader's ObjectStore on Cloud Storage, with the official client. Reads are of one generation's stored
 * bytes (never transcoded, checked against the object's CRC32C); writes are resumable uploads that create the
 * object only if no object of that name exists (`ifGenerationMatch: 0`), so a repeated or concurrent run can
 * never replace what another wrote.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Storage } from '@google-cloud/storage';
import type { ObjectInfo, ObjectStore, ObjectWriter } from './ports';

/** The HTTP status of a client error, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

class GcsWriter implements ObjectWriter {
  private failure: unknown;
  private readonly finished: Promise<'created' | 'exists'>;

  constructor(private readonly stream: Writable) {
    this.finished = new Promise((resolve, reject) => {
      stream.once('finish', () => resolve('created'));
      stream.once('error', (error) => {
        this.failure = error;
        if (statusOf(error) === 412) resolve('exists');
        else reject(error);
      });
    });
    // A failure is reported by write or end; this keeps it from being an unhandled rejection meanwhile.
    this.finished.catch(() => {});
  }

  public async write(data: string | Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.stream.write(data)) await Promise.race([once(this.stream, 'drain'), this.finished]);
    if (this.failure !== undefined && statusOf(this.failure) !== 412) throw this.failure;
  }

  public end(): Promise<'created' | 'exists'> {
    if (this.failure === undefined) this.stream.end();
    return this.finished;
  }

  public async abort(): Promise<void> {
    // An unfinished resumable upload creates nothing; destroying the stream abandons its session. A destroyed
    // stream emits neither 'finish' nor 'error', only 'close'.
    if (this.stream.destroyed) return;
    const closed = once(this.stream, 'close').catch(() => undefined);
    this.stream.destroy();
    await closed;
  }
}

export function gcsObjectStore(storage: Storage): ObjectStore {
  return {
    async stat(bucket, name, generation): Promise<ObjectInfo | undefined> {
      const file = storage.bucket(bucket).file(name, generation ? { generation } : {});
      try {
        const [m] = await file.getMetadata();
        return {
          generation: String(m.generation),
          size: Number(m.size ?? 0),
          timeCreated: new Date(String(m.timeCreated)),
          ...(m.contentEncoding ? { contentEncoding: m.contentEncoding } : {}),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    read(bucket, name, generation): Readable {
      return storage
        .bucket(bucket)
        .file(name, { generation })
        .createReadStream({ decompress: false, validation: 'crc32c' });
    },
    create(bucket, name, contentType): ObjectWriter {
      const stream = storage
        .bucket(bucket)
        .file(name)
        .createWriteStream({
          resumable: true,
          contentType,
          validation: 'crc32c',
          preconditionOpts: { ifGenerationMatch: 0 },
        });
      return new GcsWriter(stream);
    },
    async readText(bucket, name): Promise<string | undefined> {
      try {
        const [bytes] = await storage.bucket(bucket).file(name).download();
        return bytes.toString('utf8');
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
  };
}
