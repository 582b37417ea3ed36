import * as path from 'node:path';
import { importsOf, sourceFiles, specifiers } from '../source-files';

/**
 * The layers, lowest first. A file may import its own layer and the layers of a lower rank; layers that share a
 * rank are peers and never import each other. Pure layers (plain TypeScript, used by the runtimes too) never
 * import cdktf or constructs.
 */
const LAYERS: readonly { readonly name: string; readonly rank: number; readonly pure?: boolean }[] = [
  { name: 'core', rank: 0, pure: true },
  { name: 'contracts', rank: 1, pure: true },
  { name: 'models', rank: 2, pure: true },
  { name: 'orchestration', rank: 3, pure: true },
  { name: 'preview', rank: 4, pure: true },
  { name: 'runtime', rank: 3, pure: true },
  { name: 'constructs/core', rank: 10 },
  { name: 'constructs/iam', rank: 11 },
  { name: 'constructs/policy', rank: 12 },
  { name: 'constructs/storage', rank: 13 },
  { name: 'constructs/bigquery', rank: 14 },
  { name: 'constructs/pubsub', rank: 15 },
  { name: 'constructs/run', rank: 16 },
  { name: 'constructs/dataflow', rank: 17 },
  { name: 'constructs/datacatalog', rank: 18 },
  { name: 'constructs/dataform', rank: 18 },
  { name: 'constructs/workflows', rank: 18 },
  { name: 'constructs/composer', rank: 18 },
  { name: 'constructs/looker', rank: 18 },
  { name: 'constructs/vertex', rank: 18 },
  { name: 'constructs/monitoring', rank: 18 },
  { name: 'constructs/logging', rank: 18 },
  { name: 'constructs/eventarc', rank: 19 },
  { name: 'constructs/platform/stack', rank: 20 },
  { name: 'constructs/platform/foundation', rank: 21 },
  { name: 'constructs/platform/streams', rank: 22 },
  { name: 'constructs/platform/ingest', rank: 23 },
  { name: 'constructs/platform/models', rank: 24 },
  { name: 'constructs/platform/loader', rank: 25 },
  { name: 'constructs/platform/orchestration', rank: 26 },
  { name: 'constructs/platform/consumers', rank: 26 },
  { name: 'constructs/platform/operations', rank: 27 },
  { name: 'constructs/platform', rank: 29 },
  // The entry points: each layer's index, and the package's.
  { name: 'constructs', rank: 30 },
  { name: 'index', rank: 31 },
  { name: 'stacks', rank: 32 },
  { name: 'scripts', rank: 40 },
];

function layerOf(file: string) {
  return [...LAYERS]
    .sort((a, b) => b.name.length - a.name.length)
    .find((l) => file === `${l.name}.ts` || file.startsWith(`${l.name}/`));
}

function mayImport(file: string, target: string): boolean {
  const from = layerOf(file);
  const to = layerOf(target.endsWith('.json') ? target : `${target}.ts`) ?? layerOf(`${target}/index.ts`);
  if (!from || !to) return false;
  return from === to || to.rank < from.rank;
}

const isBarrel = (m: string) => /^@cdktf\/provider-google(-beta)?(\/lib)?\/?$/.test(m);

describe('architecture', () => {
  test('finds the sources it checks', () => {
    expect(sourceFiles()).toEqual(
      expect.arrayContaining(['stacks/main.ts', 'constructs/storage/data-bucket.ts']),
    );
  });

  test('no file imports a provider barrel (about 5 s and 880 MB per process)', () => {
    const offenders = sourceFiles().flatMap((f) =>
      importsOf(f)
        .filter(isBarrel)
        .map((m) => `${f}: ${m}`),
    );
    expect(offenders).toEqual([]);
  });

  test('the barrel check itself catches import, require and dynamic import forms', () => {
    // Built at run time so this file does not itself contain a barrel import.
    const pkg = ['@cdktf', 'provider-google'].join('/');
    const samples = [
      `import { X } from '${pkg}';`,
      `const g = require("${pkg}-beta");`,
      `await import('${pkg}/lib');`,
    ];
    for (const sample of samples) expect(specifiers(sample).some(isBarrel)).toBe(true);
    expect(specifiers(`import { B } from '${pkg}/lib/storage-bucket';`).some(isBarrel)).toBe(false);
  });

  test('every source file belongs to a layer', () => {
    const unplaced = sourceFiles().filter((f) => !f.startsWith('test/') && layerOf(f) === undefined);
    expect(unplaced).toEqual([]);
  });

  test('nothing imports upward or sideways: each layer imports only the layers listed before it', () => {
    const offenders = sourceFiles()
      .filter((f) => !f.startsWith('test/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((m) => m.startsWith('.'))
          .map((m) => ({ m, target: path.normalize(path.join(path.dirname(f), m)) }))
          .filter(({ target }) => !mayImport(f, target))
          .map(
            ({ m }) =>
              `${f} (${layerOf(f)?.name}) imports ${m} (${layerOf(`${path.normalize(path.join(path.dirname(f), m))}.ts`)?.name})`,
          ),
      );
    expect(offenders).toEqual([]);
  });

  test('the pure layers and the runtimes never import cdktf, constructs or provider bindings', () => {
    const offenders = sourceFiles()
      .filter((f) => layerOf(f)?.pure)
      .flatMap((f) =>
        importsOf(f)
          .filter((m) => /^(cdktf|cdktn|constructs|@cdktf\/|@cdktn\/)/.test(m))
          .map((m) => `${f}: ${m}`),
      );
    expect(offenders).toEqual([]);
  });

  test('the layer check itself refuses an upward, a sideways and an unknown import', () => {
    expect(mayImport('constructs/iam/grants.ts', 'constructs/storage/data-bucket')).toBe(false);
    expect(mayImport('models/project.ts', 'orchestration/graph')).toBe(false);
    expect(mayImport('stacks/main.ts', 'elsewhere/thing')).toBe(false);
    expect(mayImport('contracts/dsl.ts', 'stacks/main')).toBe(false);
    expect(mayImport('constructs/storage/data-bucket.ts', 'constructs/iam/grants')).toBe(true);
    expect(mayImport('constructs/storage/data-bucket.ts', 'constructs/storage/hashed-object')).toBe(true);
  });
});
