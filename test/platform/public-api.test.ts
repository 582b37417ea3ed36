import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { importsOf, ROOT, sourceFiles } from '../source-files';

/** Every library module: the layers a composing team imports (not tests, scripts or runtime entry points). */
const libraryModules = () =>
  sourceFiles().filter(
    (f) => f === 'index.ts' || /^(core|contracts|models|orchestration|preview|constructs|stacks)\//.test(f),
  );

describe('public cdktf API only', () => {
  test('importing every Tributary module leaves cdktf and constructs exactly as they were', () => {
    const modules = libraryModules();
    expect(modules).toEqual(
      expect.arrayContaining(['constructs/platform/stack/tributary-stack.ts', 'stacks/main.ts']),
    );
    const out = execFileSync(
      process.execPath,
      [require.resolve('tsx/cli'), path.join(__dirname, 'cdktf-fingerprint.ts'), ...modules],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const result = JSON.parse(out) as {
      imported: number;
      fingerprinted: number;
      changed: string[];
      envChanged: string[];
      sameOutput: boolean;
    };
    expect(result.imported).toBe(modules.length);
    // The fingerprint covers cdktf's modules, private ones included (its token map, its stack-trace capture).
    expect(result.fingerprinted).toBeGreaterThan(1000);
    expect(result.changed).toEqual([]);
    expect(result.envChanged).toEqual([]);
    expect(result.sameOutput).toBe(true);
  });

  test('no source outside the tests imports a private module of another package', () => {
    const offenders = sourceFiles()
      .filter((f) => !f.startsWith('test/'))
      .flatMap((f) =>
        importsOf(f)
          .filter(
            (m) =>
              /^(@[^/]+\/)?[^./@][^/]*\/(lib|dist|src|build)\/(_|private|internal|tokens\/private|synthesize\/|util)/.test(
                m,
              ) || /^(cdktf|cdktn|constructs)\/lib\//.test(m),
          )
          .map((m) => `${f}: ${m}`),
      );
    expect(offenders).toEqual([]);
  });
});
