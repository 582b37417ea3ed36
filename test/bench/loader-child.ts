/**
 * Child process of the loader benchmark (loader.bench.ts), so the peak RSS it prints is its own:
 * - `--role loader`: `loadUpload` on the file, through a file-backed ObjectStore (reads the file in 1 MiB chunks,
 *   writes the staging and quarantine objects as real files under `--out`, with the write streams' backpressure)
 *   and a LoadJobs fake that loads nothing. Timed from the call to its resolution, less the time the fake's `wait`
 *   spends counting the staged rows (bookkeeping, not loader work).
 * - `--role anchor`: csv-parse alone, with the reader's options, reading the same file the same way and counting
 *   its records.
 * Prints one JSON line: the figures, and `maxRssKb` (process.resourceUsage, KiB) taken at the end.
 */
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import { loadUpload } from '../../runtime/loader/app';
import type { Logger } from '../../runtime/loader/log';
import type { LoadJobSpec, LoadJobs, ObjectStore, ObjectWriter } from '../../runtime/loader/ports';
import { parseCommandLine } from '../../scripts/cli';
import { order } from '../../stacks/contracts/order';
import { manifestFor } from '../runtime/loader/fixtures';

const { values } = parseCommandLine(
  process.argv.slice(2),
  {
    role: { type: 'string' },
    file: { type: 'string' },
    out: { type: 'string' },
    'max-reject-share': { type: 'string', default: '0.05' },
  },
  'loader-child --role loader|anchor --file <csv> [--out <dir>] [--max-reject-share <x>]',
);
const FILE = values.file as string;
const CHUNK = 1 << 20;
const BENCH_BUCKET = 'trb-bench-landing';
const BENCH_OBJECT = 'order/bench.csv';
const GENERATION = '1764460800000000';

/** Lines (newline bytes) of a file, read in large chunks. */
function countLines(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  let lines = 0;
  try {
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) {
      const view = n === buf.length ? buf : buf.subarray(0, n);
      for (let at = view.indexOf(10); at >= 0; at = view.indexOf(10, at + 1)) lines++;
    }
  } finally {
    fs.closeSync(fd);
  }
  return lines;
}

/** Objects as files: the one uploaded object is FILE; created objects go under `out`, by name. */
class FileStore implements ObjectStore {
  constructor(private readonly out: string) {}

  public pathOf(name: string): string {
    return path.join(this.out, name);
  }

  public async stat(bucket: string, name: string, generation?: string) {
    if (bucket !== BENCH_BUCKET || name !== BENCH_OBJECT || (generation && generation !== GENERATION))
      return undefined;
    const s = await fs.promises.stat(FILE);
    return { generation: GENERATION, size: s.size, timeCreated: new Date('2026-11-29T10:00:00Z') };
  }

  public read(_bucket: string, _name: string, _generation: string) {
    return fs.createReadStream(FILE, { highWaterMark: CHUNK });
  }

  public create(_bucket: string, name: string, _contentType: string): ObjectWriter {
    const file = this.pathOf(name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // 'wx': created only if absent, as the real store does (the parent empties `out` before each run).
    const ws = fs.createWriteStream(file, { flags: 'wx', highWaterMark: CHUNK });
    let failed: Error | undefined;
    ws.on('error', (e) => {
      failed = e;
    });
    return {
      write: async (data) => {
        if (failed) throw failed;
        // once() rejects when the stream errors while waiting.
        if (!ws.write(data)) await once(ws, 'drain');
      },
      end: async () => {
        if (failed) throw failed;
        ws.end();
        await once(ws, 'finish');
        if (failed) throw failed;
        return 'created';
      },
      abort: async () => {
        ws.destroy();
        await fs.promises.rm(file, { force: true });
      },
    };
  }

  public async readText(): Promise<string | undefined> {
    return undefined;
  }
}

/** No earlier jobs; an inserted job "loads" the staged rows: `wait` counts them, off the clock. */
class CountingJobs implements LoadJobs {
  public spec: LoadJobSpec | undefined;
  public waitMs = 0;
  constructor(private readonly store: FileStore) {}

  public async get() {
    return undefined;
  }

  public async insert(spec: LoadJobSpec): Promise<'inserted' | 'exists'> {
    if (this.spec) return 'exists';
    this.spec = spec;
    return 'inserted';
  }

  public async wait(_project: string, _location: string, jobId: string) {
    if (!this.spec || this.spec.jobId !== jobId) throw new Error(`no job ${jobId}`);
    const t0 = performance.now();
    const name = this.spec.sourceUri.replace(/^gs:\/\/[^/]+\//, '');
    const outputRows = countLines(this.store.pathOf(name));
    this.waitMs += performance.now() - t0;
    return { state: 'DONE' as const, outputRows };
  }
}

async function loader(): Promise<Record<string, unknown>> {
  const out = values.out as string;
  const store = new FileStore(out);
  const jobs = new CountingJobs(store);
  const problems: string[] = [];
  const log: Logger = {
    info: () => {},
    warn: (m) => problems.push(`WARNING ${m}`),
    error: (m) => problems.push(`ERROR ${m}`),
  };
  const manifest = manifestFor([order], {
    bucket: BENCH_BUCKET,
    maxRejectShare: Number(values['max-reject-share']),
  });
  const t0 = performance.now();
  const report = await loadUpload(
    { manifest, store, jobs, log, execution: 'bench-1' },
    { bucket: BENCH_BUCKET, name: BENCH_OBJECT },
  );
  const ms = performance.now() - t0 - jobs.waitMs;
  const maxRssKb = process.resourceUsage().maxRSS;
  if (report.status === 'ignored') throw new Error(`ignored: ${report.reason}`);
  const r = report.result;
  const staging = jobs.spec?.sourceUri.replace(/^gs:\/\/[^/]+\//, '');
  const quarantine = r.quarantine?.replace(/^gs:\/\/[^/]+\//, '');
  return {
    ms,
    countMs: jobs.waitMs,
    maxRssKb,
    outcome: r.outcome,
    ...(r.refusal ? { refusal: r.refusal.reason } : {}),
    rows: r.rows,
    bytes: r.bytes,
    ...(staging ? { staging: store.pathOf(staging) } : {}),
    ...(quarantine ? { quarantine: store.pathOf(quarantine) } : {}),
    problems,
  };
}

async function anchor(): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  // The reader's parser options (runtime/loader/reader.ts), manifestFor's maxRowBytes.
  const parser = parseCsv({
    bom: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n'],
    max_record_size: 1024 * 1024,
  });
  const input = fs.createReadStream(FILE, { highWaterMark: CHUNK });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let records = 0;
  let cells = 0;
  for await (const { record } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
    records++;
    cells += record.length;
  }
  const ms = performance.now() - t0;
  return { ms, maxRssKb: process.resourceUsage().maxRSS, records, cells };
}

async function main(): Promise<void> {
  const role = values.role;
  if (role !== 'loader' && role !== 'anchor') throw new Error(`--role ${role}: must be loader or anchor`);
  if (!FILE) throw new Error('--file is required');
  if (role === 'loader' && !values.out) throw new Error('--out is required for --role loader');
  const result = role === 'loader' ? await loader() : await anchor();
  process.stdout.write(`${JSON.stringify({ role, ...result })}\n`);
}

void main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
