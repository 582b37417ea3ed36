/**
 * Command lines for the scripts: node's `parseArgs` in strict mode, so an unknown flag, a flag missing its
 * value or a stray argument stops the script with the usage text instead of being ignored.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export class UsageError extends Error {}

export interface CommandLine<O extends Options> {
  readonly values: ReturnType<
    typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>
  >['values'];
  readonly positionals: string[];
}

/**
 * Parses `argv` against `options`, allowing at most `maxPositionals` positional arguments. Throws a UsageError
 * naming what was wrong, followed by `usage`.
 */
export function parseCommandLine<O extends Options>(
  argv: readonly string[],
  options: O,
  usage: string,
  maxPositionals = 0,
): CommandLine<O> {
  let parsed: CommandLine<O>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as CommandLine<O>;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
  if (parsed.positionals.length > maxPositionals)
    throw new UsageError(
      `unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}\nusage: ${usage}`,
    );
  return parsed;
}

/** Runs a script's main: a UsageError exits 2 with its text, any other error 1 with its message. */
export async function runScript(name: string, main: () => number | Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    process.stderr.write(`${name}: ${(error as Error).message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
