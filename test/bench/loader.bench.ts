/**
 * `npm run bench:loader`: the batch loader (runtime/loader) on a generated CSV of the order contract, about 1 GiB
 * (BENCH_LOADER_BYTES bytes; generated once and cached under .cache/bench-loader/). About 2% of its rows have a
 * status the contract does not know, so the quarantine path runs too.
 *
 * Each measurement runs in its own child process (loader-child.ts, bundled with esbuild as the deployed job is, and
 * with the heap cap PlatformLoader gives a job of the default 512Mi), so the peak RSS is that run's own:
 * - loader: `loadUpload` on the file, with a file-backed ObjectStore (1 MiB reads; the staging and quarantine
 *   NDJSON written as real files under .cache/bench-loader/out/, with backpressure) and a LoadJobs fake;
 *   timed from the call to its resolution, without the fake job counting the staged rows;
 * - anchor: csv-parse alone, with the reader's parser options, reading the same file and counting its records.
 * Anchor and loader alternate over BENCH_ROUNDS rounds (default 2) so machine drift hits both; the medians are
 * checked against the targets: loader rows/s >= 0.4 x the anchor's, loader peak RSS <= 256 MB.
 *
 * Before timing, a small file is loaded and every count checked (accepted + rejected = rows, rejected = the rows
 * made invalid, staged lines = accepted, every staged line a raw row of its order); the timed runs are checked
 * the same way. Any mismatch fails the bench. BENCH_LOADER_CPU_PROF=<dir> writes a CPU profile of each child.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { loaderHeapMiB } from '../../contracts/loader';
import { memoryMiB } from '../../core/gcp';
import { parseCommandLine } from '../../scripts/cli';

// Takes no arguments (BENCH_LOADER_BYTES and BENCH_ROUNDS set the size and rounds); anything else is a mistake.
parseCommandLine(process.argv.slice(2), {}, 'bench:loader (takes no arguments)');

const BYTES = Number(process.env.BENCH_LOADER_BYTES ?? 2 ** 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
if (!Number.isInteger(BYTES) || BYTES < 100_000)
  throw new Error(`BENCH_LOADER_BYTES=${process.env.BENCH_LOADER_BYTES}: must be a whole number >= 100000`);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1)
  throw new Error(`BENCH_ROUNDS=${process.env.BENCH_ROUNDS}: must be a whole number >= 1`);
const CPU_PROF = process.env.BENCH_LOADER_CPU_PROF;
const MIN_RATIO = 0.4;
const MAX_RSS_MB = 256;
const MAX_REJECT_SHARE = 0.05;

const root = path.resolve(__dirname, '../..');
const CACHE = path.join(root, '.cache/bench-loader');
const OUT = path.join(CACHE, 'out');
/** The children run as an esbuild bundle, as the deployed job does (no tsx transform at run time). */
const CHILD_BUNDLE = path.join(CACHE, 'loader-child.js');
/** The default job memory (PlatformLoader) and the heap cap it gets. */
const HEAP_MIB = loaderHeapMiB(memoryMiB('512Mi'));
/** Bump when the generated rows change, so cached files are made again. */
const GENERATOR_VERSION = 1;

const HEADER =
  'order_id,customer_id,status,currency,line_items,total_amount,order_time,shipping_address.line1,shipping_address.city,shipping_address.postal_code,shipping_address.country_code';
const STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED'];
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK'];
const OFFSETS = ['Z', '+01:00', '-05:00', '+05:30', '-08:00', '+00:00'];
/** Some with a comma or a quote (quoted cells) and non-ASCII letters. */
const CITIES = [
  ['Bruxelles', 'BE'],
  ['München', 'DE'],
  ['Washington, D.C.', 'US'],
  ['Saint-Étienne', 'FR'],
  ['Oslo', 'NO'],
  ["'s-Hertogenbosch", 'NL'],
  ['Kraków', 'PL'],
  ['The "Big" Apple', 'US'],
] as const;
const START_MS = Date.parse('2026-01-01T00:00:00Z');

/** Row i is invalid (a status the contract does not have) when this holds: 2% of rows. */
const isInvalid = (i: number) => i % 50 === 17;

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** Data row i (without its line ending); deterministic. */
function orderRow(i: number): string {
  const h = Math.imul(i + 1, 2654435761) >>> 0;
  const items: { product_id: string; quantity: number; unit_price: string }[] = [];
  let total = 0;
  for (let k = 0, n = 1 + (h % 4); k < n; k++) {
    const cents = 99 + ((h >>> (k * 3)) % 25_000);
    const quantity = 1 + ((i + k) % 5);
    total += cents * quantity;
    items.push({ product_id: `sku-${(h + k * 7919) % 50_000}`, quantity, unit_price: money(cents) });
  }
  const at = new Date(START_MS + i * 9_137 + (h % 1000)).toISOString();
  const fraction = i % 3 === 0 ? at.slice(19, 23) : i % 3 === 1 ? `${at.slice(19, 23)}456` : '';
  const offset = OFFSETS[i % OFFSETS.length] as string;
  const [city, country] = CITIES[h % CITIES.length] as (typeof CITIES)[number];
  // One order in ten ships nothing (digital goods): its address cells are empty.
  const address =
    i % 10 === 3
      ? ['', '', '', '']
      : [`${1 + (h % 300)} Main Street`, city, `${10_000 + (h % 89_999)}`, country];
  return [
    `ord-${i}`,
    `cust-${h % 200_000}`,
    isInvalid(i) ? 'LOST' : (STATUSES[i % STATUSES.length] as string),
    CURRENCIES[i % CURRENCIES.length] as string,
    JSON.stringify(items),
    money(total),
    `${at.slice(0, 19)}${fraction}${offset}`,
    ...address,
  ]
    .map(csvCell)
    .join(',');
}

interface Generated {
  readonly version: number;
  readonly target: number;
  readonly size: number;
  readonly rows: number;
  readonly invalid: number;
}

/** Writes rows until the file holds at least `target` bytes, or `maxRows` rows. */
async function generate(
  file: string,
  target: number,
  maxRows = Number.POSITIVE_INFINITY,
): Promise<Generated> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const ws = fs.createWriteStream(partial, { highWaterMark: 4 << 20 });
  let size = 0;
  let rows = 0;
  let invalid = 0;
  let chunk = `${HEADER}\n`;
  size += chunk.length;
  const flush = async () => {
    const text = chunk;
    chunk = '';
    if (!ws.write(text)) await once(ws, 'drain');
  };
  while (size < target && rows < maxRows) {
    const line = `${orderRow(rows)}\n`;
    chunk += line;
    size += Buffer.byteLength(line);
    if (isInvalid(rows)) invalid++;
    rows++;
    if (chunk.length >= 1 << 22) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => ws.end((e?: Error | null) => (e ? reject(e) : resolve())));
  fs.renameSync(partial, file);
  return { version: GENERATOR_VERSION, target, size, rows, invalid };
}

/** The cached file of `target` bytes, made again when missing, of another size, or of another generator. */
async function benchFile(target: number): Promise<{ file: string } & Generated> {
  const file = path.join(CACHE, `order-${target}.csv`);
  const metaFile = `${file}.json`;
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Generated;
    if (meta.version === GENERATOR_VERSION && meta.target === target && fs.statSync(file).size === meta.size)
      return { file, ...meta };
  } catch {
    // Missing or unreadable: generate.
  }
  const t0 = performance.now();
  process.stdout.write(`generating ${file} (${(target / 2 ** 20).toFixed(0)} MiB)...`);
  const meta = await generate(file, target);
  fs.writeFileSync(metaFile, JSON.stringify(meta));
  process.stdout.write(
    ` ${meta.rows.toLocaleString('en')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  return { file, ...meta };
}

interface ChildResult {
  readonly role: 'loader' | 'anchor';
  readonly ms: number;
  readonly maxRssKb: number;
  readonly records?: number;
  readonly outcome?: string;
  readonly refusal?: string;
  readonly rows?: { read: number; accepted: number; rejected: number; loaded: number };
  readonly staging?: string;
  readonly quarantine?: string;
  readonly problems?: string[];
}

let profiles = 0;
function runChild(role: 'loader' | 'anchor', file: string): Promise<ChildResult> {
  if (role === 'loader') fs.rmSync(OUT, { recursive: true, force: true });
  const prof = CPU_PROF
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        path.resolve(CPU_PROF),
        '--cpu-prof-name',
        `${role}-${++profiles}.cpuprofile`,
      ]
    : [];
  const args = [
    // The heap cap the deployed job runs with (PlatformLoader sets it from the job's memory), for both runs.
    `--max-old-space-size=${HEAP_MIB}`,
    ...prof,
    CHILD_BUNDLE,
    '--role',
    role,
    '--file',
    file,
    '--max-reject-share',
    String(MAX_REJECT_SHARE),
    ...(role === 'loader' ? ['--out', OUT] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`${role} child exited with ${code}: ${stdout}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

/** Throws unless a run read every row the file has, as generated. */
function checkCounts(r: ChildResult, g: Generated): void {
  const fail = (what: string) => {
    throw new Error(`${r.role} run on ${g.rows} rows (${g.invalid} invalid): ${what}\n${JSON.stringify(r)}`);
  };
  if (r.role === 'anchor') {
    if (r.records !== g.rows + 1)
      fail(`csv-parse read ${r.records} records, expected ${g.rows + 1} (with the header)`);
    return;
  }
  if (r.outcome !== 'loaded')
    fail(`outcome ${r.outcome}${r.refusal ? `: ${r.refusal}` : ''}, expected loaded`);
  const rows = r.rows as NonNullable<ChildResult['rows']>;
  if (rows.read !== g.rows) fail(`read ${rows.read} rows`);
  if (rows.accepted + rows.rejected !== g.rows)
    fail(`accepted ${rows.accepted} + rejected ${rows.rejected} != rows`);
  if (rows.rejected !== g.invalid) fail(`rejected ${rows.rejected}, expected ${g.invalid}`);
  if (rows.loaded !== rows.accepted) fail(`staged ${rows.loaded} lines for ${rows.accepted} accepted rows`);
  if ((r.problems ?? []).length > 0) fail(`the loader logged: ${r.problems?.join('; ')}`);
}

/** The small file's outputs, line by line: every valid order staged as its raw row, every invalid one quarantined. */
function checkOutputs(r: ChildResult, g: Generated): void {
  const staged = fs
    .readFileSync(r.staging as string, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const expected = Array.from({ length: g.rows }, (_, i) => i).filter((i) => !isInvalid(i));
  if (staged.length !== expected.length)
    throw new Error(`staged ${staged.length} rows, expected ${expected.length}`);
  for (const [n, row] of staged.entries()) {
    const i = expected[n] as number;
    const id = `ord-${i}`;
    if (row.order_id !== id || row.event_id !== id || row.schema_version !== '1.0.0')
      throw new Error(`staged row ${n} is not order ${id}: ${JSON.stringify(row)}`);
    if (typeof row.order_time !== 'string' || !row.order_time.endsWith('Z'))
      throw new Error(`staged row ${n}: order_time ${row.order_time} is not normalized to UTC`);
    if (!Array.isArray(row.line_items) || row.line_items.length === 0)
      throw new Error(`staged row ${n}: line_items ${JSON.stringify(row.line_items)}`);
    if ((i % 10 === 3) !== !('shipping_address' in row))
      throw new Error(`staged row ${n}: shipping_address ${JSON.stringify(row.shipping_address)}`);
  }
  const rejects = fs
    .readFileSync(r.quarantine as string, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { row: number; errors: { field: string }[] });
  if (
    rejects.length !== g.invalid ||
    rejects.some((x) => !isInvalid(x.row - 2) || x.errors[0]?.field !== 'status')
  )
    throw new Error(`quarantine does not hold exactly the ${g.invalid} rows with a bad status`);
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<number> {
  const started = performance.now();
  await build({
    entryPoints: [path.join(__dirname, 'loader-child.ts')],
    outfile: CHILD_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifySyntax: true,
    logLevel: 'warning',
  });
  // 1. The loader accepts the generated rows: a small file, checked row by row.
  const check = await generate(path.join(CACHE, 'check.csv'), Number.POSITIVE_INFINITY, 5_000);
  const checkFile = path.join(CACHE, 'check.csv');
  const checked = await runChild('loader', checkFile);
  checkCounts(checked, check);
  checkOutputs(checked, check);
  checkCounts(await runChild('anchor', checkFile), check);
  process.stdout.write(
    `check: ${check.rows} rows, ${check.rows - check.invalid} staged as raw rows, ${check.invalid} quarantined: ok\n`,
  );

  // 2. The timed runs, alternating.
  const big = await benchFile(BYTES);
  process.stdout.write(
    `file: ${big.file}, ${(big.size / 2 ** 20).toFixed(0)} MiB, ${big.rows.toLocaleString('en')} rows (${big.invalid.toLocaleString('en')} invalid); ${ROUNDS} rounds\n`,
  );
  const runs: Record<'anchor' | 'loader', ChildResult[]> = { anchor: [], loader: [] };
  for (let round = 0; round < ROUNDS; round++)
    for (const role of ['anchor', 'loader'] as const) {
      const r = await runChild(role, big.file);
      checkCounts(r, big);
      runs[role].push(r);
      process.stdout.write(
        `  round ${round + 1} ${role}: ${(r.ms / 1000).toFixed(1)} s, ${Math.round(big.rows / (r.ms / 1000)).toLocaleString('en')} rows/s, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB\n`,
      );
    }
  fs.rmSync(OUT, { recursive: true, force: true });

  const figures = (role: 'anchor' | 'loader') => {
    const s = median(runs[role].map((r) => r.ms)) / 1000;
    return { s, rate: big.rows / s, rssMb: Math.max(...runs[role].map((r) => r.maxRssKb)) / 1024 };
  };
  const anchor = figures('anchor');
  const loader = figures('loader');
  const ratio = loader.rate / anchor.rate;
  const ratioOk = ratio >= MIN_RATIO;
  const rssOk = loader.rssMb <= MAX_RSS_MB;
  const row = (name: string, f: ReturnType<typeof figures>) =>
    `${name.padEnd(18)} ${big.rows.toLocaleString('en').padStart(12)} ${f.s.toFixed(1).padStart(8)} ${Math.round(f.rate).toLocaleString('en').padStart(10)} ${f.rssMb.toFixed(0).padStart(13)}\n`;
  process.stdout.write(
    `\nmedian times of ${ROUNDS} rounds, highest peak RSS\n` +
      `${'run'.padEnd(18)} ${'rows'.padStart(12)} ${'seconds'.padStart(8)} ${'rows/s'.padStart(10)} ${'peak RSS MB'.padStart(13)}\n` +
      row('csv-parse alone', anchor) +
      row('loader', loader) +
      `ratio loader/csv-parse: ${ratio.toFixed(3)} (target >= ${MIN_RATIO}) ${ratioOk ? 'PASS' : 'FAIL'}\n` +
      `loader peak RSS: ${loader.rssMb.toFixed(0)} MB (target <= ${MAX_RSS_MB} MB) ${rssOk ? 'PASS' : 'FAIL'}\n` +
      `total ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  return ratioOk && rssOk ? 0 : 1;
}

void main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 1;
  },
);
