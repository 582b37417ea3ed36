/**
 * Every ```ts example in the READMEs is a complete program written against the package entry point: it is
 * type-checked with the project's compiler and run with tsx, and must synthesize what it builds. Examples that
 * rot fail here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { testApp } from './helpers';
import { ROOT } from './source-files';

const READMES = ['README.md', 'contracts/README.md'];
// Inside the repository, so the examples resolve `tributary` (the package's own name) and its dependencies.
const DIR = path.join(ROOT, '.cache', 'readme-examples');

interface Example {
  readonly name: string;
  readonly file: string;
  readonly code: string;
}

function examples(): Example[] {
  return READMES.flatMap((readme) => {
    const text = fs.readFileSync(path.join(ROOT, readme), 'utf8');
    return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => {
      const name = `${readme.replace(/\W+/g, '-')}-${i + 1}`;
      return { name, file: path.join(DIR, `${name}.ts`), code: m[1] as string };
    });
  });
}

const all = examples();

beforeAll(() => {
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  for (const e of all) fs.writeFileSync(e.file, e.code);
  fs.writeFileSync(
    path.join(DIR, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true }, include: ['*.ts'] }),
  );
});

describe('README examples', () => {
  test('there are examples in each README, and each imports the package entry point', () => {
    expect(new Set(all.map((e) => e.name.split('-md-')[0]))).toEqual(new Set(['README', 'contracts-README']));
    for (const e of all) expect(e.code).toMatch(/from 'tributary(\/[a-z]+)?';/);
  });

  test('every example type-checks', () => {
    const tsc = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', DIR],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  });

  test.each(all.map((e) => [e.name, e] as const))('%s runs and synthesizes', (_name, e) => {
    const outdir = testApp().outdir;
    execFileSync(process.execPath, [require.resolve('tsx/cli'), e.file], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTN_DISABLE_CREATION_STACK: '1' },
      stdio: 'pipe',
    });
    // What the example built is on disk: programs that synthesize wrote their stacks and reports.
    if (e.code.includes('app.synth()')) {
      const stacks = fs.readdirSync(path.join(outdir, 'stacks'));
      expect(stacks.length).toBeGreaterThan(0);
      for (const stack of stacks)
        for (const file of ['cdk.tf.json', 'policy-report.json', 'iam-matrix.json'])
          expect(fs.existsSync(path.join(outdir, 'stacks', stack, file))).toBe(true);
    }
  });
});
