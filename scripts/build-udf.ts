/** `npm run build:udf`: the example contracts' UDFs into dist/udf/ (see runtime/udf/build.ts). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { udfContentHash } from '../contracts/generators/udf';
import { buildUdfs } from '../runtime/udf/build';
import { CONTRACTS } from '../stacks/contracts/index';

for (const file of Object.values(buildUdfs(CONTRACTS))) {
  process.stdout.write(
    `build:udf: ${path.relative(process.cwd(), file)} (${udfContentHash(fs.readFileSync(file, 'utf8'))})\n`,
  );
}
