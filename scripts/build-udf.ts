/** `npm run build:udf`: the example contracts' UDFs into dist/udf/ (see runtime/udf/build.ts). */
import * as path from 'node:path';
import { udfContentHash, udfScript } from '../contracts/generators/udf';
import { buildUdfs } from '../runtime/udf/build';
import { CONTRACTS } from '../stacks/contracts/index';
import { parseCommandLine, runScript } from './cli';

runScript('build:udf', () => {
  parseCommandLine(process.argv.slice(2), {}, 'build:udf (takes no arguments)');
  const files = buildUdfs(CONTRACTS);
  for (const contract of CONTRACTS) {
    const file = files[contract.name] as string;
    // udfScript is memoized per contract: this is the script just written, not a second generation.
    process.stdout.write(
      `build:udf: ${path.relative(process.cwd(), file)} (${udfContentHash(udfScript(contract))})\n`,
    );
  }
  return 0;
});
