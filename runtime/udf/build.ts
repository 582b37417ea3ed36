/**
 * `npm run build:udf` writes the Dataflow UDF of every example contract to dist/udf/<stream>.js. Synth
 * embeds exactly these scripts in the UDF bucket objects (both come from contracts/generators/udf.ts); the
 * tests run these files on node and on Rhino.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { udfScript } from '../../contracts/generators/udf';
import type { Contract } from '../../contracts/model';

export const UDF_DIST = path.resolve(__dirname, '..', '..', 'dist', 'udf');

/**
 * Writes one script per contract and returns stream name -> file path. Scripts of streams that no longer
 * exist are removed, so the directory holds exactly the current set.
 */
export function buildUdfs(contracts: readonly Contract[], outDir = UDF_DIST): Record<string, string> {
  fs.mkdirSync(outDir, { recursive: true });
  const current = new Set(contracts.map((c) => `${c.name}.js`));
  for (const stale of fs.readdirSync(outDir).filter((f) => f.endsWith('.js') && !current.has(f))) {
    fs.rmSync(path.join(outDir, stale));
  }
  const written: Record<string, string> = {};
  for (const contract of contracts) {
    const file = path.join(outDir, `${contract.name}.js`);
    fs.writeFileSync(file, udfScript(contract));
    written[contract.name] = file;
  }
  return written;
}
