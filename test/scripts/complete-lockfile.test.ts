import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Lockfile, missingOptionalPackages, platformOf } from '../../scripts/complete-lockfile';

describe('complete-lockfile', () => {
  test('the committed package-lock.json lists every optional platform package, so npm ci accepts it', () => {
    const lock = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../package-lock.json'), 'utf8'),
    ) as Lockfile;
    const { added, problems } = missingOptionalPackages(lock);
    expect(problems).toEqual([]);
    // If this fails after `npm install`, run `npm run lock:complete`.
    expect(Object.keys(added)).toEqual([]);
  });

  test.each([
    ['@biomejs/cli-darwin-arm64', { os: ['darwin'], cpu: ['arm64'] }],
    ['@biomejs/cli-linux-x64-musl', { os: ['linux'], cpu: ['x64'], libc: ['musl'] }],
    ['@swc/core-linux-x64-gnu', { os: ['linux'], cpu: ['x64'], libc: ['glibc'] }],
    ['@unrs/resolver-binding-linux-arm-gnueabihf', { os: ['linux'], cpu: ['arm'], libc: ['glibc'] }],
    ['@swc/core-win32-ia32-msvc', { os: ['win32'], cpu: ['ia32'] }],
  ])('reads the platform of %s from its name', (name, platform) => {
    expect(platformOf(name)).toEqual(platform);
  });

  test('adds missing binaries with the parent version and dev flag, and skips ones present', () => {
    const lock: Lockfile = {
      packages: {
        '': {},
        'node_modules/tool': {
          version: '1.0.0',
          dev: true,
          optionalDependencies: { 'tool-linux-x64': '1.0.0', 'tool-darwin-arm64': '1.0.0' },
        },
        'node_modules/tool-linux-x64': { version: '1.0.0' },
      },
    };
    expect(missingOptionalPackages(lock)).toEqual({
      added: {
        'node_modules/tool-darwin-arm64': {
          version: '1.0.0',
          os: ['darwin'],
          cpu: ['arm64'],
          dev: true,
          optional: true,
        },
      },
      problems: [],
    });
  });

  test('fails, naming the package, when a name encodes no platform or the range is not exact', () => {
    const lock: Lockfile = {
      packages: {
        'node_modules/x': {
          optionalDependencies: { 'fsevents-helper': '1.0.0', 'tool-linux-x64': '^1.0.0' },
        },
      },
    };
    expect(missingOptionalPackages(lock).problems).toEqual([
      'fsevents-helper (optional dependency of node_modules/x): its name does not encode os and cpu',
      'tool-linux-x64: range "^1.0.0" is not an exact version',
    ]);
  });
});
