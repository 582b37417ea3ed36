/**
 * What the loader needs from Cloud Storage and BigQuery, as the app sees it. gcs.ts and bigquery.ts implement
 * these with the Google client libraries; the tests run those same implementations against stand-ins.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  readonly generation: string;
  readonly size: number;
  readonly timeCreated: Date;
  /** `gzip` for an object stored compressed with Content-Encoding: gzip. @default - none */
  readonly contentEncoding?: string;
}

/** A new object being written; it exists only once `end` resolves 'created'. */
export interface ObjectWriter {
  /** Resolves when more may be handed over (backpressure). Text is written as UTF-8; bytes are not copied. */
  write(data: string | Uint8Array): Promise<void>;
  /** Finishes the object: 'exists' when an object of that name was already there (nothing is overwritten). */
  end(): Promise<'created' | 'exists'>;
  /** Abandons the object: nothing is created. */
  abort(): Promise<void>;
}

export interface ObjectStore {
  /** The object (a given generation, or the live one), or undefined when there is none. */
  stat(bucket: string, name: string, generation?: string): Promise<ObjectInfo | undefined>;
  /** The stored bytes of one generation, never transcoded. */
  read(bucket: string, name: string, generation: string): Readable;
  /** A new object, created only if no object of that name exists. */
  create(bucket: string, name: string, contentType: string): ObjectWriter;
  /** A small object's text, or undefined when there is none. */
  readText(bucket: string, name: string): Promise<string | undefined>;
}

export type LoadJobState =
  | { readonly state: 'PENDING' | 'RUNNING' }
  | { readonly state: 'DONE'; readonly error?: string; readonly outputRows: number };

export interface LoadJobSpec {
  readonly jobId: string;
  readonly project: string;
  readonly location: string;
  /** `gs://bucket/object` of the NDJSON rows. */
  readonly sourceUri: string;
  /** `<project>.<dataset>.<table>` */
  readonly table: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface LoadJobs {
  get(project: string, location: string, jobId: string): Promise<LoadJobState | undefined>;
  /** Inserts the job; 'exists' when a job with that id exists already (it is never run twice). */
  insert(spec: LoadJobSpec): Promise<'inserted' | 'exists'>;
  /** Waits until the job is done. */
  wait(project: string, location: string, jobId: string): Promise<Extract<LoadJobState, { state: 'DONE' }>>;
}
