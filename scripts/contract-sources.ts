/**
 * Loads a contract set from a directory of TypeScript modules, a lock file, or a git ref. Runs under tsx
 * (the scripts) or jest, which can load TypeScript modules directly.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLock } from '../contracts/lock';
import type { Contract } from '../contracts/model';
import { LOCK_PATH } from '../stacks/contracts/index';

export const CONTRACTS_DIR = 'stacks/contracts';
export const LOCK_FILE = path.relative(process.cwd(), LOCK_PATH);
const CONTRACT_LAYERS = ['core', 'contracts'];

function isContract(value: unknown): value is Contract {
  return (
    typeof value === 'object' && value !== null && (value as Contract).kind === 'tributary.event-contract'
  );
}

/** Every contract exported by the `.ts` modules directly in `dir`. */
export function loadContractDir(dir: string): Contract[] {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new Error(`${dir}: not a directory`);
  const found = new Map<string, { contract: Contract; file: string }>();
  for (const file of fs
    .readdirSync(abs)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()) {
    const mod = require(path.join(abs, file)) as Record<string, unknown>;
    for (const value of Object.values(mod).flatMap((v) => (Array.isArray(v) ? v : [v]))) {
      if (!isContract(value)) continue;
      const seen = found.get(value.name);
      if (seen && seen.contract !== value)
        throw new Error(`${dir}: contract "${value.name}" is defined in both ${seen.file} and ${file}`);
      found.set(value.name, { contract: value, file });
    }
  }
  return [...found.values()].map((f) => f.contract).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * `source` is a directory, a `.json` lock file, or a git ref (`main`, `HEAD~1`, a tag) whose
 * `stacks/contracts` is checked out into a temporary directory together with the pure layers it imports
 * (`contracts/`, and `core/` where the ref has it).
 */
export function loadContractSet(
  source: string,
  repoRoot = process.cwd(),
): { contracts: Contract[]; description: string } {
  const local = path.resolve(repoRoot, source);
  if (source.endsWith('.json') && fs.existsSync(local)) {
    return {
      contracts: [...parseLock(fs.readFileSync(local, 'utf8'), source).contracts],
      description: `lock ${source}`,
    };
  }
  if (fs.existsSync(local)) return { contracts: loadContractDir(local), description: `directory ${source}` };
  return { contracts: loadContractsAtRef(source, repoRoot), description: `git ref ${source}` };
}

function loadContractsAtRef(ref: string, repoRoot: string): Contract[] {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: repoRoot,
      stdio: 'pipe',
    });
  } catch {
    throw new Error(`${ref}: neither a directory, a lock file, nor a git ref of ${repoRoot}`);
  }
  // Inside the repository (so the extracted modules resolve its node_modules) but outside node_modules, which
  // TypeScript loaders leave untransformed. `.cache/` is git-ignored.
  const scratch = path.join(repoRoot, '.cache', 'contracts-at-ref');
  fs.mkdirSync(scratch, { recursive: true });
  const dir = fs.mkdtempSync(path.join(scratch, 'contracts-'));
  try {
    // The pure layers a contract module imports; older refs predate `core/`.
    const present = execFileSync('git', ['ls-tree', '--name-only', ref, '--', ...CONTRACT_LAYERS], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    const archive = execFileSync('git', ['archive', '--format=tar', ref, ...present, CONTRACTS_DIR], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    return loadContractDir(path.join(dir, CONTRACTS_DIR));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
