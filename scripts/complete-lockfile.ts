/**
 * Completes package-lock.json with the platform-specific optional packages (native binaries of biome, swc,
 * unrs-resolver, ...) that the registry mirror reachable from our build machines does not carry.
 *
 * Why: `npm install` against the mirror leaves those packages out of the lockfile, and `npm ci` then refuses
 * it ("Missing: @biomejs/cli-darwin-arm64@ from lock file"). A lockfile made against the public registry lists
 * every platform's binary with its os/cpu/libc, and npm skips those that do not match the machine without
 * downloading them. This adds exactly those entries: the version from the parent's optionalDependencies, the
 * platform parsed from the package name. Integrity hashes cannot be known offline and are left out. A name
 * that does not encode a platform is reported, never guessed.
 *
 * Usage: `npm run lock:complete` after every `npm install`; `npm run lock:complete -- --check` only reports.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly optionalDependencies?: Record<string, string>;
  readonly [key: string]: unknown;
}

export interface Lockfile {
  packages: Record<string, LockEntry>;
  readonly [key: string]: unknown;
}

const OS = [
  'android',
  'darwin',
  'linux',
  'win32',
  'freebsd',
  'openbsd',
  'netbsd',
  'sunos',
  'aix',
  'openharmony',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el'];

/** os/cpu/libc encoded in a binary package's name, for example `@swc/core-linux-x64-musl`. */
export function platformOf(name: string): { os: string[]; cpu: string[]; libc?: string[] } | undefined {
  const tokens = (name.split('/').pop() ?? name).split('-');
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.find((t) => CPU.includes(t));
  if (!os || !cpu) return undefined;
  const libc =
    os !== 'linux'
      ? undefined
      : tokens.some((t) => t.startsWith('musl'))
        ? 'musl'
        : tokens.some((t) => t.startsWith('gnu'))
          ? 'glibc'
          : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc: [libc] } : {}) };
}

export interface Completion {
  readonly added: Record<string, LockEntry>;
  readonly problems: string[];
}

/** The entries a lockfile lacks for its optional platform packages, and any that cannot be derived. */
export function missingOptionalPackages(lock: Lockfile): Completion {
  const added: Record<string, LockEntry> = {};
  const problems: string[] = [];
  for (const [at, entry] of Object.entries(lock.packages)) {
    for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
      const key = `node_modules/${dep}`;
      // npm resolves a dependency next to its parent first, then at the top level.
      if (lock.packages[`${at ? `${at}/` : ''}node_modules/${dep}`] || lock.packages[key] || added[key])
        continue;
      const platform = platformOf(dep);
      if (!platform)
        problems.push(
          `${dep} (optional dependency of ${at || 'the root'}): its name does not encode os and cpu`,
        );
      else if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range))
        problems.push(`${dep}: range "${range}" is not an exact version`);
      else added[key] = { version: range, ...platform, ...(entry.dev ? { dev: true } : {}), optional: true };
    }
  }
  return { added, problems };
}

function main(): void {
  const file = path.resolve(__dirname, '..', 'package-lock.json');
  const lock = JSON.parse(readFileSync(file, 'utf8')) as Lockfile;
  const { added, problems } = missingOptionalPackages(lock);
  if (problems.length > 0) {
    console.error(
      `lock:complete: ${problems.length} optional packages cannot be completed:\n  - ${problems.join('\n  - ')}`,
    );
    process.exit(1);
  }
  const names = Object.keys(added).map((k) => `${k.replace('node_modules/', '')}@${added[k]?.version}`);
  if (process.argv.includes('--check')) {
    if (names.length > 0) {
      console.error(
        `lock:complete: package-lock.json lacks ${names.length} platform packages; run npm run lock:complete`,
      );
      process.exit(1);
    }
    return;
  }
  const packages = { ...lock.packages, ...added };
  lock.packages = Object.fromEntries(
    Object.keys(packages)
      .sort()
      .map((k) => [k, packages[k] as LockEntry]),
  );
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(
    `lock:complete: added ${names.length} platform packages${names.length ? `\n  ${names.join('\n  ')}` : ''}`,
  );
}

if (require.main === module) main();
