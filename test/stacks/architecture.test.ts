import { importsOf, sourceFiles, specifiers } from '../source-files';

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

  test('contracts/ and runtime/ never import cdktf, constructs, providers, or the layers above them', () => {
    const offenders = sourceFiles()
      .filter((f) => /^(contracts|runtime)\//.test(f))
      .flatMap((f) =>
        importsOf(f)
          .filter((m) => /^(cdktf|constructs|@cdktf\/)/.test(m) || /(^|\/)(constructs|stacks)\//.test(m))
          .map((m) => `${f}: ${m}`),
      );
    expect(offenders).toEqual([]);
  });

  test('constructs/ never imports from stacks/', () => {
    const offenders = sourceFiles()
      .filter((f) => f.startsWith('constructs/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((m) => /(^|\/)stacks\//.test(m))
          .map((m) => `${f}: ${m}`),
      );
    expect(offenders).toEqual([]);
  });

  test('cdktf itself is imported only by constructs/, stacks/ and tests', () => {
    const offenders = sourceFiles()
      .filter((f) => !/^(constructs|stacks|test)\//.test(f))
      .flatMap((f) =>
        importsOf(f)
          .filter((m) => /^(cdktf|@cdktf\/)/.test(m))
          .map((m) => `${f}: ${m}`),
      );
    expect(offenders).toEqual([]);
  });
});
