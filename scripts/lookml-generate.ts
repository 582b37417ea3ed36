/**
 * `npm run lookml:generate -- --env <environment> [--out <dir>]`
 *
 * Writes the LookML of the environment's curated models (default `dist/lookml/<environment>`): a model file and
 * `views/`, ready to be committed as is to the LookML project repository the Looker connection uses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lookmlProject } from '../models/lookml';
import { parseCommandLine, runScript, UsageError } from './cli';
import { environmentOf, environmentProject } from './warehouse';

const USAGE = 'npm run lookml:generate -- --env <environment> [--out <dir>] [--connection <name>]';

export function main(
  argv: readonly string[],
  cwd = process.cwd(),
  log: (s: string) => unknown = (s) => process.stdout.write(s),
): number {
  const { values } = parseCommandLine(
    argv,
    { env: { type: 'string' }, out: { type: 'string' }, connection: { type: 'string' } },
    USAGE,
  );
  if (!values.env) throw new UsageError(`--env is required\nusage: ${USAGE}`);
  const env = environmentOf(values.env);
  const project = environmentProject(env);
  const files = lookmlProject(project.curated, {
    project: env.foundation.project,
    curatedDataset: `${env.foundation.namePrefix.replace(/-/g, '_')}_curated`,
    connection: values.connection ?? 'tributary',
    modelName: 'tributary',
  });
  const out = path.resolve(cwd, values.out ?? path.join('dist', 'lookml', env.name));
  for (const [name, content] of files) {
    fs.mkdirSync(path.dirname(path.join(out, name)), { recursive: true });
    fs.writeFileSync(path.join(out, name), content);
  }
  log(`wrote ${files.size} LookML files to ${path.relative(cwd, out) || '.'}\n`);
  return 0;
}

if (require.main === module) void runScript('lookml:generate', () => main(process.argv.slice(2)));
