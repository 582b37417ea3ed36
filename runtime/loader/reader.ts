/**
 * An uploaded file as rows, streaming: bytes → gunzip (when the file is gzip) → a UTF-8 gate → csv-parse or
 * the NDJSON line splitter. Memory stays bounded by the chunk size and the longest row allowed. A row that
 * cannot be read is still a row (with its error); a file that cannot be read as rows at all (bad gzip, bytes
 * that are not UTF-8, a broken quote, a row over the size bound, a header that does not match the contract) is
 * refused whole with a `FileRefusal` naming where and why. Nothing is decoded with replacement characters.
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
import { csvLayout, type RowError } from '../../contracts/csv';
import type { BatchFormat } from '../../contracts/loader';
import type { Contract } from '../../contracts/model';
import { Utf8StreamCheck } from '../../core/utf8';

/** Why a whole file is refused; `kind` is stable for logs and metrics, `reason` says what and where. */
export type RefusalKind = 'header' | 'encoding' | 'compression' | 'syntax' | 'row-size' | 'reject-share';

export class FileRefusal extends Error {
  constructor(
    public readonly kind: RefusalKind,
    public readonly reason: string,
  ) {
    super(reason);
    this.name = 'FileRefusal';
  }
}

export interface SourceRow {
  /** CSV: the record's number counting the header as 1 (blank lines are not records); NDJSON: the line number. */
  readonly row: number;
  /** The row as written in the file, without its line ending. */
  readonly text: string;
  /** What the row holds, for the validator; undefined when nothing could be read. */
  readonly event: unknown;
  /** Errors found reading the row (cells or JSON that do not parse, a wrong number of cells). */
  readonly errors: readonly RowError[];
  /** Undeclared CSV columns with a value in this row, dropped under the `drop` policy. */
  readonly dropped: readonly string[];
}

export interface ReadOptions {
  readonly format: BatchFormat;
  readonly gzip: boolean;
  readonly contract: Contract;
  readonly maxRowBytes: number;
}

/** Counts of what was read, updated as the rows stream. */
export interface ReadStats {
  /** Bytes of the object as stored. */
  storedBytes: number;
  /** Bytes after decompression (equal to storedBytes for plain files). */
  bytes: number;
}

/** Passes bytes through unchanged, refusing the file at the first byte that is not UTF-8. */
class Utf8Gate extends Transform {
  private readonly check = new Utf8StreamCheck();
  constructor(
    private readonly stats: ReadStats,
    private readonly where: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.stats.bytes += chunk.length;
    const bad = this.check.push(chunk);
    if (bad >= 0) done(encodingRefusal(bad, this.where));
    else done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    const bad = this.check.end();
    done(bad >= 0 ? encodingRefusal(bad, this.where) : null);
  }
}

function encodingRefusal(offset: number, where: string): FileRefusal {
  return new FileRefusal(
    'encoding',
    `byte ${offset}${where} is not valid UTF-8; the file must be UTF-8 (it is read byte for byte, never re-encoded)`,
  );
}

/** Counts stored bytes before decompression. */
class ByteCounter extends Transform {
  constructor(private readonly stats: ReadStats) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.stats.storedBytes += chunk.length;
    done(null, chunk);
  }
}

/** The decoded byte stream of a file: counted, gunzipped when asked, and UTF-8 checked. */
function decodedBytes(input: Readable, options: ReadOptions, stats: ReadStats): Readable {
  const counted = input.pipe(new ByteCounter(stats));
  input.on('error', (e) => counted.destroy(e));
  let bytes: Readable = counted;
  if (options.gzip) {
    const gunzip = createGunzip();
    counted.on('error', (e) => gunzip.destroy(e));
    bytes = counted.pipe(gunzip);
    gunzip.on('error', (e) => {
      if (!(e instanceof FileRefusal) && (e as NodeJS.ErrnoException).code?.startsWith('Z_'))
        gate.destroy(new FileRefusal('compression', `the file is not readable as gzip: ${e.message}`));
      else gate.destroy(e);
    });
  }
  const gate = new Utf8Gate(stats, options.gzip ? ' of the decompressed content' : '');
  if (!options.gzip) bytes.on('error', (e) => gate.destroy(e));
  return bytes.pipe(gate);
}

/** Strips the record terminator and any leftover of the previous one that csv-parse's raw text carries. */
function recordText(raw: string): string {
  let start = 0;
  let end = raw.length;
  while (start < end && (raw.charCodeAt(start) === 10 || raw.charCodeAt(start) === 13)) start++;
  while (end > start && (raw.charCodeAt(end - 1) === 10 || raw.charCodeAt(end - 1) === 13)) end--;
  return raw.slice(start, end);
}

/** A CSV row; its text is needed only for rejected rows (a few), so it is sliced from the raw record when asked. */
class CsvSourceRow implements SourceRow {
  constructor(
    public readonly row: number,
    private readonly raw: string,
    public readonly event: unknown,
    public readonly errors: readonly RowError[],
    public readonly dropped: readonly string[],
  ) {}
  public get text(): string {
    return recordText(this.raw);
  }
}

const CSV_FATAL: Readonly<Record<string, RefusalKind>> = { CSV_MAX_RECORD_SIZE: 'row-size' };

/**
 * The objects of an object-mode stream, in the batches that are ready at once: one await per batch instead of
 * one per object keeps millions of rows from costing millions of promise turns.
 */
const MAX_BATCH = 512;

async function* drained<T>(stream: Readable): AsyncGenerator<T[]> {
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  stream.on('readable', poke);
  stream.once('end', () => {
    ended = true;
    poke();
  });
  stream.once('error', (error) => {
    failure = error;
    poke();
  });
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const batch: T[] = [];
      // Bounded, so reading ahead never holds more than a batch of parsed rows.
      for (
        let r = stream.read() as T | null;
        r !== null;
        r = batch.length < MAX_BATCH ? (stream.read() as T | null) : null
      )
        batch.push(r);
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stream.off('readable', poke);
    if (!ended) stream.destroy();
  }
}

async function* csvRows(bytes: Readable, options: ReadOptions): AsyncGenerator<SourceRow[]> {
  const parser = parseCsv({
    bom: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // Explicit, so a file mixing CRLF and LF lines never keeps a stray \r in a value.
    record_delimiter: ['\r\n', '\n'],
    max_record_size: options.maxRowBytes,
  });
  bytes.on('error', (e) => parser.destroy(e));
  bytes.pipe(parser);
  let layout: ReturnType<typeof csvLayout> | undefined;
  let row = 1;
  try {
    for await (const records of drained<{ record: string[]; raw: string }>(parser)) {
      const rows: SourceRow[] = [];
      for (const { record, raw } of records) {
        if (!layout) {
          layout = csvLayout(options.contract, record);
          if (!layout.ok)
            throw new FileRefusal(
              'header',
              `the header does not match ${options.contract.name} v${options.contract.version}: ${layout.problems.join('; ')}`,
            );
          continue;
        }
        row++;
        const r = (layout as Extract<typeof layout, { ok: true }>).layout.read(record);
        rows.push(new CsvSourceRow(row, raw, r.event, r.errors, r.dropped));
      }
      if (rows.length > 0) yield rows;
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code?.startsWith('CSV_') || code?.startsWith('INVALID_'))
      throw new FileRefusal(
        CSV_FATAL[code] ?? 'syntax',
        code === 'CSV_MAX_RECORD_SIZE'
          ? `row ${((error as { records?: number }).records ?? row) + 1} is longer than ${options.maxRowBytes} bytes (maxRowBytes)`
          : `the file is not readable as CSV: ${(error as Error).message}`,
      );
    throw error;
  }
  if (!layout)
    throw new FileRefusal(
      'header',
      `the file has no header row; the first line must name ${options.contract.name}'s fields`,
    );
}

async function* ndjsonRows(bytes: Readable, options: ReadOptions): AsyncGenerator<SourceRow[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  const rowOf = (buf: Buffer): SourceRow | undefined => {
    line++;
    let text = buf.toString('utf8');
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return undefined;
    try {
      return { row: line, text, event: JSON.parse(text), errors: [], dropped: [] };
    } catch (error) {
      return {
        row: line,
        text,
        event: undefined,
        errors: [
          {
            field: '(row)',
            rule: `must be one JSON object per line: ${(error as Error).message}`,
            code: 'syntax',
          },
        ],
        dropped: [],
      };
    }
  };
  const tooLong = () =>
    new FileRefusal('row-size', `line ${line + 1} is longer than ${options.maxRowBytes} bytes (maxRowBytes)`);
  for await (const chunk of bytes as AsyncIterable<Buffer>) {
    const rows: SourceRow[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      const part = chunk.subarray(from, nl);
      if (pendingBytes + part.length > options.maxRowBytes) throw tooLong();
      const whole = pendingBytes > 0 ? Buffer.concat([...pending, part]) : part;
      pending = [];
      pendingBytes = 0;
      const r = rowOf(whole);
      if (r) rows.push(r);
      from = nl + 1;
    }
    if (from < chunk.length) {
      const rest = chunk.subarray(from);
      if (pendingBytes + rest.length > options.maxRowBytes) throw tooLong();
      // Copied: the chunk's memory is reused by the stream once this loop moves on.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
    if (rows.length > 0) yield rows;
  }
  if (pendingBytes > 0) {
    const r = rowOf(Buffer.concat(pending));
    if (r) yield [r];
  }
}

/** The rows of a file, in order, in the batches read at once. Throws FileRefusal when the file cannot be read as rows. */
export function readRowBatches(
  input: Readable,
  options: ReadOptions,
  stats: ReadStats,
): AsyncGenerator<SourceRow[]> {
  const bytes = decodedBytes(input, options, stats);
  return options.format === 'csv' ? csvRows(bytes, options) : ndjsonRows(bytes, options);
}

/** The rows of a file, one by one (see readRowBatches). */
export async function* readRows(
  input: Readable,
  options: ReadOptions,
  stats: ReadStats,
): AsyncGenerator<SourceRow> {
  for await (const batch of readRowBatches(input, options, stats)) yield* batch;
}
