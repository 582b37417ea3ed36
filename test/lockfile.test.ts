import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface LockEntry {
  readonly version?: string;
  readonly integrity?: string;
  readonly link?: boolean;
  readonly inBundle?: boolean;
  readonly optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(path.resolve(__dirname, '../package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const entries = Object.entries(lock.packages).filter(([key, e]) => key !== '' && !e.link);

// npm writes these when the registry it resolved against has every package; a mirror that lacks some platform
// binaries leaves entries without a hash. Repair: delete the entries without integrity, then
// `npm install --package-lock-only --ignore-scripts` against the public registry.
describe('package-lock.json', () => {
  test('pins every package it downloads by integrity hash (bundled packages ship inside their parent)', () => {
    const unpinned = entries.filter(([, e]) => !e.inBundle && !e.integrity).map(([key]) => key);
    expect(unpinned).toEqual([]);
  });

  test('lists every platform binary an optional dependency names, so npm ci works on other platforms', () => {
    const missing = entries.flatMap(([key, e]) =>
      Object.keys(e.optionalDependencies ?? {})
        .filter((name) => {
          // Resolved the way npm does: nested under the parent first, then hoisted.
          const nested = `${key}/node_modules/${name}`;
          return !lock.packages[nested] && !lock.packages[`node_modules/${name}`];
        })
        .map((name) => `${name} (optional dependency of ${key})`),
    );
    expect(missing).toEqual([]);
  });
});
