/**
 * `npm run preview -- --base <git-ref> [--out <dir>] [--head-out <dir>] [--acknowledge] [--no-timing]`
 *
 * The offline semantic preview of the working tree against a git ref: the ref is checked out into a temporary
 * worktree (sharing this checkout's node_modules), both sides are synthesized at once, and their stacks and
 * contracts are compared. The working tree is synthesized into `--head-out` (default `cdktf.out`, as `npm run
 * synth` does). Writes `preview.md` (the pull-request comment) and `preview.json` to `--out`, prints the
 * verdict, and, unless `--no-timing`, its own wall time against one `npm run synth` measured in the same run.
 *
 * Exits 0, 3 when a protected resource would be destroyed or replaced without `--acknowledge`, 2 on a usage
 * error and 1 when a side fails to synthesize.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkCompatibility } from '../contracts/compat/index';
import { renderJson, renderMarkdown } from '../preview/render';
import { buildPreview } from '../preview/report';
import { loadSnapshot } from '../preview/snapshot';
import { parseCommandLine, runScript, UsageError } from './cli';
import { CONTRACTS_DIR, loadContractDir } from './contract-sources';

const USAGE =
  'npm run preview -- --base <git-ref> [--out <dir>] [--head-out <dir>] [--acknowledge] [--no-timing]';
const TSX_CLI = require.resolve('tsx/cli');

function git(args: readonly string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs the app's synth in `cwd` into `outdir`; resolves with its wall time, rejects with its output. */
export function synthesize(cwd: string, outdir: string, label: string): Promise<number> {
  const started = performance.now();
  fs.mkdirSync(outdir, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX_CLI, 'stacks/main.ts'], {
      cwd,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d));
    child.stderr.on('data', (d: Buffer) => output.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else {
        const text = Buffer.concat(output).toString('utf8').trim().split('\n').slice(-30).join('\n');
        reject(new Error(`${label} failed to synthesize (exit ${code}):\n${text}`));
      }
    });
  });
}

/** A detached worktree of `commit` in a temporary directory, with this checkout's node_modules linked in. */
function addWorktree(repo: string, commit: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-preview-'));
  git(['worktree', 'add', '--detach', '--force', dir, commit], repo);
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return {
    dir,
    remove: () => {
      try {
        git(['worktree', 'remove', '--force', dir], repo);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        git(['worktree', 'prune'], repo);
      }
    },
  };
}

export interface PreviewRun {
  readonly exitCode: number;
  readonly markdown: string;
  readonly files: readonly string[];
  readonly wallMs: number;
  readonly synthMs?: number;
}

export async function runPreview(options: {
  readonly base: string;
  readonly repo: string;
  readonly out: string;
  /** Where the working tree is synthesized. */
  readonly headOut: string;
  readonly acknowledged: boolean;
  readonly timing: boolean;
  readonly log: (line: string) => void;
}): Promise<PreviewRun> {
  const started = performance.now();
  const { repo, log } = options;
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${options.base}^{commit}`], repo);
  } catch {
    throw new UsageError(
      `--base ${JSON.stringify(options.base)} is not a commit of ${repo}\nusage: ${USAGE}`,
    );
  }
  const headRef = git(['rev-parse', '--short', 'HEAD'], repo);
  const dirty = git(['status', '--porcelain'], repo) !== '';
  const worktree = addWorktree(repo, commit);
  try {
    const baseOut = path.join(worktree.dir, 'cdktf.out');
    const { headOut } = options;
    await Promise.all([
      synthesize(worktree.dir, baseOut, `base ${options.base}`),
      synthesize(repo, headOut, 'the working tree'),
    ]);
    const lockChanged = !fs
      .readFileSync(path.join(worktree.dir, 'package-lock.json'))
      .equals(fs.readFileSync(path.join(repo, 'package-lock.json')));
    if (lockChanged)
      log(
        'note: package-lock.json differs from the base; the base was synthesized with the working tree’s dependencies',
      );
    const contracts = checkCompatibility(
      loadContractDir(path.join(worktree.dir, CONTRACTS_DIR)),
      loadContractDir(path.join(repo, CONTRACTS_DIR)),
    );
    const report = buildPreview(loadSnapshot(baseOut), loadSnapshot(headOut), {
      base: options.base,
      head: dirty ? `${headRef} + working tree` : headRef,
      contracts,
      acknowledged: options.acknowledged,
    });
    const markdown = renderMarkdown(report);
    fs.mkdirSync(options.out, { recursive: true });
    const files = [path.join(options.out, 'preview.md'), path.join(options.out, 'preview.json')];
    fs.writeFileSync(files[0] as string, markdown);
    fs.writeFileSync(files[1] as string, renderJson(report));
    const wallMs = performance.now() - started;
    log(`${report.exitCode === 0 ? 'preview' : 'preview BLOCKED'}: ${report.verdict}`);
    log(`wrote ${files.map((f) => path.relative(repo, f)).join(', ')}`);
    let synthMs: number | undefined;
    if (options.timing) {
      // One plain synth of the working tree, alone, as `npm run synth` runs it: the anchor for the preview's cost.
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-synth-'));
      try {
        synthMs = await synthesize(repo, scratch, 'the timing synth');
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
      log(
        `timing: preview ${(wallMs / 1000).toFixed(2)} s wall, one synth ${(synthMs / 1000).toFixed(2)} s: ${(wallMs / synthMs).toFixed(2)}x (target <= 3x)`,
      );
    }
    return {
      exitCode: report.exitCode,
      markdown,
      files,
      wallMs,
      ...(synthMs !== undefined ? { synthMs } : {}),
    };
  } finally {
    worktree.remove();
  }
}

export async function main(argv: readonly string[], repo = process.cwd()): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    {
      base: { type: 'string' },
      out: { type: 'string' },
      acknowledge: { type: 'boolean' },
      'head-out': { type: 'string' },
      'no-timing': { type: 'boolean' },
    },
    USAGE,
  );
  if (!values.base) throw new UsageError(`--base is required\nusage: ${USAGE}`);
  const run = await runPreview({
    base: values.base,
    repo,
    out: path.resolve(repo, values.out ?? path.join('cdktf.out', 'preview')),
    headOut: path.resolve(repo, values['head-out'] ?? 'cdktf.out'),
    acknowledged: values.acknowledge ?? false,
    timing: !(values['no-timing'] ?? false),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  return run.exitCode;
}

if (require.main === module) void runScript('preview', () => main(process.argv.slice(2)));
