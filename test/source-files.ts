import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

/** Every TypeScript file in the repository, tracked or not, outside dependencies and build output. */
export function sourceFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out.split('\n').filter((f) => f && fs.existsSync(path.join(ROOT, f)));
}

/** Module specifiers in static imports, dynamic imports and require calls. */
export const specifiers = (text: string): string[] =>
  [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map(
    (m) => m[1] as string,
  );

export const importsOf = (file: string): string[] =>
  specifiers(fs.readFileSync(path.join(ROOT, file), 'utf8'));
