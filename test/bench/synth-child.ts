/**
 * Child process of the synth benchmark: synthesizes every stack into a temp dir and prints its own figures.
 * `--contracts N` replaces the example contracts with the 4 examples plus N - 4 synthetic ones per environment.
 * Run in a fresh process so module loading is part of the measurement, as it is for `npm run synth`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommandLine } from '../../scripts/cli';
import { defaultStreams } from '../../stacks/environment-stack';
import { buildApp } from '../../stacks/main';
import { syntheticContracts } from './synthetic-contracts';

const start = performance.now();
const { values } = parseCommandLine(
  process.argv.slice(2),
  { contracts: { type: 'string', default: '4' } },
  'synth-child [--contracts <n>]',
);
const count = Number(values.contracts);
if (!Number.isInteger(count) || count < 1)
  throw new Error(`--contracts ${values.contracts}: must be a whole number >= 1`);
const defaults = defaultStreams();
const streams =
  count <= defaults.contracts.length
    ? defaults
    : {
        ...defaults,
        contracts: [...defaults.contracts, ...syntheticContracts(count - defaults.contracts.length)],
      };
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-'));
buildApp({ outdir, streams }).synth();
// The parent counts resources and removes the output after its clock stops: bookkeeping is not synth.
process.stdout.write(
  JSON.stringify({
    maxRssKb: process.resourceUsage().maxRSS,
    inProcessMs: performance.now() - start,
    outdir,
  }),
);
