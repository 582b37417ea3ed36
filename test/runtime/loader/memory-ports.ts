/**
 * In-process ObjectStore and LoadJobs for the loader's logic tests (the bundle tests use the real clients
 * against the wire-level stand-ins instead). They keep the rules the app relies on: create-if-absent writes,
 * generations, and load job ids that can be used once.
 */
import { Readable } from 'node:stream';
import type {
  LoadJobSpec,
  LoadJobState,
  LoadJobs,
  ObjectInfo,
  ObjectStore,
  ObjectWriter,
} from '../../../runtime/loader/ports';

interface Stored {
  readonly bytes: Buffer;
  readonly generation: string;
  readonly timeCreated: Date;
  readonly contentEncoding?: string;
}

export class MemoryStore implements ObjectStore {
  public readonly objects = new Map<string, Stored>();
  private nextGeneration = 1764460800000000n;
  /** Called before each write; a test throws from it to simulate a failure. */
  public beforeWrite: (name: string) => void = () => {};

  public put(bucket: string, name: string, bytes: Buffer | string, contentEncoding?: string): string {
    const generation = String(this.nextGeneration++);
    this.objects.set(`${bucket}/${name}`, {
      bytes: Buffer.from(bytes),
      generation,
      timeCreated: new Date('2026-11-29T10:00:00Z'),
      ...(contentEncoding ? { contentEncoding } : {}),
    });
    return generation;
  }

  public text(bucket: string, name: string): string | undefined {
    return this.objects.get(`${bucket}/${name}`)?.bytes.toString('utf8');
  }

  public names(prefix = ''): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  public async stat(bucket: string, name: string, generation?: string): Promise<ObjectInfo | undefined> {
    const o = this.objects.get(`${bucket}/${name}`);
    if (!o || (generation !== undefined && o.generation !== generation)) return undefined;
    return {
      generation: o.generation,
      size: o.bytes.length,
      timeCreated: o.timeCreated,
      ...(o.contentEncoding ? { contentEncoding: o.contentEncoding } : {}),
    };
  }

  public read(bucket: string, name: string, generation: string): Readable {
    const o = this.objects.get(`${bucket}/${name}`);
    if (!o || o.generation !== generation) throw new Error(`no ${bucket}/${name}#${generation}`);
    // Small chunks, so rows and multi-byte characters cross chunk boundaries.
    const chunks: Buffer[] = [];
    for (let i = 0; i < o.bytes.length; i += 7) chunks.push(o.bytes.subarray(i, i + 7));
    return Readable.from(chunks);
  }

  public create(bucket: string, name: string, _contentType: string): ObjectWriter {
    const parts: Buffer[] = [];
    const key = `${bucket}/${name}`;
    return {
      write: async (data) => {
        this.beforeWrite(name);
        // Copied: the writer owns the bytes once write resolves.
        parts.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
      },
      end: async () => {
        if (this.objects.has(key)) return 'exists';
        this.put(bucket, name, Buffer.concat(parts));
        return 'created';
      },
      abort: async () => {},
    };
  }

  public async readText(bucket: string, name: string): Promise<string | undefined> {
    return this.text(bucket, name);
  }
}

export interface LoadedRows {
  readonly jobId: string;
  readonly table: string;
  readonly rows: readonly Record<string, unknown>[];
}

export class MemoryJobs implements LoadJobs {
  public readonly jobs = new Map<
    string,
    { spec: LoadJobSpec; state: Extract<LoadJobState, { state: 'DONE' }> }
  >();
  public readonly loads: LoadedRows[] = [];
  /** Makes the next inserted jobs fail, as a table being changed would. */
  public failNext = 0;
  /** Called after a job is accepted and before the caller hears back. */
  public afterInsert: (spec: LoadJobSpec) => void = () => {};

  constructor(private readonly store: MemoryStore) {}

  public async get(project: string, location: string, jobId: string): Promise<LoadJobState | undefined> {
    return this.jobs.get(`${project}:${location}.${jobId}`)?.state;
  }

  public async insert(spec: LoadJobSpec): Promise<'inserted' | 'exists'> {
    const key = `${spec.project}:${spec.location}.${spec.jobId}`;
    if (this.jobs.has(key)) return 'exists';
    const [, bucket, name] = /^gs:\/\/([^/]+)\/(.+)$/.exec(spec.sourceUri) ?? [];
    const text = this.store.text(bucket as string, name as string);
    if (this.failNext > 0) {
      this.failNext--;
      this.jobs.set(key, {
        spec,
        state: { state: 'DONE', outputRows: 0, error: 'invalid: table is being changed' },
      });
    } else if (text === undefined) {
      this.jobs.set(key, {
        spec,
        state: { state: 'DONE', outputRows: 0, error: `notFound: Not found: URI ${spec.sourceUri}` },
      });
    } else {
      const rows = text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      this.loads.push({ jobId: spec.jobId, table: spec.table, rows });
      this.jobs.set(key, { spec, state: { state: 'DONE', outputRows: rows.length } });
    }
    this.afterInsert(spec);
    return 'inserted';
  }

  public async wait(project: string, location: string, jobId: string) {
    const j = this.jobs.get(`${project}:${location}.${jobId}`);
    if (!j) throw new Error(`no job ${jobId}`);
    return j.state;
  }

  public rows(table?: string): Record<string, unknown>[] {
    return this.loads.filter((l) => table === undefined || l.table === table).flatMap((l) => l.rows);
  }
}
