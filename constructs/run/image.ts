/**
 * Image references for the runtime containers. A reference changes exactly when what goes into the image
 * changes: its tag is the SHA-256 of the service's source files, the shared contract and core code, the build script,
 * the Dockerfile and the locked dependency tree. `npm run image:push -- <service> --env <env>` computes the same
 * reference and builds and pushes the image (see scripts/image.ts). CI can instead supply a digest, which
 * then wins. No cdktf here: the push script uses the same functions.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The files whose bytes decide a runtime image, relative to the repository root. */
export function runtimeImageInputs(root: string, service: string): string[] {
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(path.join(root, dir), { withFileTypes: true })
      .flatMap((d) =>
        d.isDirectory()
          ? walk(path.join(dir, d.name))
          : d.name.endsWith('.ts') || d.name === 'Dockerfile'
            ? [path.join(dir, d.name)]
            : [],
      );
  return [
    ...walk(path.join('runtime', service)),
    ...walk('contracts'),
    ...walk('core'),
    path.join('runtime', 'build.ts'),
    'package-lock.json',
  ]
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}

/** SHA-256 over each file's path and bytes, in path order; the first `length` hex characters. */
export function sourceHash(root: string, files: readonly string[], length = 16): string {
  const h = createHash('sha256');
  for (const f of [...files].sort()) {
    h.update(f);
    h.update('\u0000');
    h.update(fs.readFileSync(path.join(root, f)));
    h.update('\u0000');
  }
  return h.digest('hex').slice(0, length);
}

const DIGEST_REFERENCE = /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/;

/**
 * The image of a runtime service in a registry: `<registry>/<service>:<source hash>`, or `digestReference`
 * when CI supplies one (it must be `<registry>/<path>@sha256:<digest>`).
 */
export function runtimeImage(
  root: string,
  registryPath: string,
  service: string,
  digestReference?: string,
): string {
  if (digestReference !== undefined) {
    if (!DIGEST_REFERENCE.test(digestReference))
      throw new Error(
        `image ${JSON.stringify(digestReference)} must be <registry>/<path>@sha256:<64 hex digits>`,
      );
    return digestReference;
  }
  return `${registryPath}/${service}:${runtimeSourceHash(root, service)}`;
}

// Every environment stack references the same image; its inputs (the lockfile included) are read and hashed
// once per process, not once per stack.
const sourceHashes = new Map<string, string>();

function runtimeSourceHash(root: string, service: string): string {
  const key = `${root}\u0000${service}`;
  let hash = sourceHashes.get(key);
  if (hash === undefined) {
    hash = sourceHash(root, runtimeImageInputs(root, service));
    sourceHashes.set(key, hash);
  }
  return hash;
}
