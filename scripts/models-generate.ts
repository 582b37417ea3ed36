/**
 * `npm run models:generate -- --env <environment> [--out <dir>]`
 *
 * Writes the environment's Dataform project (default `dist/dataform/<environment>`) and compiles it offline with
 * @dataform/core, printing the actions. Exits 1 when it does not compile, 2 on a usage error.
 */
import * as path from 'node:path';
import { compileProject, writeProject } from '../models/compile';
import { parseCommandLine, runScript, UsageError } from './cli';
import { environmentOf, environmentProject } from './warehouse';

const USAGE = 'npm run models:generate -- --env <environment> [--out <dir>]';

export function main(
  argv: readonly string[],
  cwd = process.cwd(),
  log: (s: string) => unknown = (s) => process.stdout.write(s),
): number {
  const { values } = parseCommandLine(argv, { env: { type: 'string' }, out: { type: 'string' } }, USAGE);
  if (!values.env) throw new UsageError(`--env is required\nusage: ${USAGE}`);
  const env = environmentOf(values.env);
  const project = environmentProject(env);
  const out = path.resolve(cwd, values.out ?? path.join('dist', 'dataform', env.name));
  writeProject(project.files, out);
  const graph = compileProject(out);
  log(
    `wrote ${project.files.size} files to ${path.relative(cwd, out) || '.'}; compiled: ${graph.tables?.length ?? 0} tables and views, ${graph.assertions?.length ?? 0} assertions, ${graph.declarations?.length ?? 0} declarations\n`,
  );
  return 0;
}

if (require.main === module) void runScript('models:generate', () => main(process.argv.slice(2)));
