/**
 * `npm run contracts:check -- <old> <new> [--json]`
 *
 * Compares two contract sets (each a directory, a lock file, or, for the old side, a git ref) and prints every
 * change with its effect on the raw table, the topic schema and the validator. Exits 1 on a breaking change,
 * 2 on a usage or load error.
 */
import { checkCompatibility, renderCompatText } from '../contracts/compat';
import { parseCommandLine, UsageError } from './cli';
import { loadContractSet } from './contract-sources';

const USAGE = 'npm run contracts:check -- <old: dir | lock.json | git ref> <new: dir | lock.json> [--json]';

export function main(argv: readonly string[], cwd = process.cwd()): number {
  let json: boolean;
  let args: string[];
  try {
    const parsed = parseCommandLine(argv, { json: { type: 'boolean' } }, USAGE, 2);
    if (parsed.positionals.length !== 2) throw new UsageError(`needs an old and a new side\nusage: ${USAGE}`);
    json = parsed.values.json ?? false;
    args = parsed.positionals;
  } catch (error) {
    process.stderr.write(`contracts:check: ${(error as Error).message}\n`);
    return 2;
  }
  const [oldSource, newSource] = args as [string, string];
  let report: ReturnType<typeof checkCompatibility>;
  let header: string;
  try {
    const before = loadContractSet(oldSource, cwd);
    const after = loadContractSet(newSource, cwd);
    report = checkCompatibility(before.contracts, after.contracts);
    header = `Contracts: ${before.description} -> ${after.description}\n\n`;
  } catch (error) {
    process.stderr.write(`contracts:check: ${(error as Error).message}\n`);
    return 2;
  }
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : header + renderCompatText(report));
  return report.breaking ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
