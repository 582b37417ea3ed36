/**
 * `npm run contracts:generate` writes every generated artifact for review into stacks/contracts/generated/:
 * the TypeScript type, the JSON Schema, the proto3 topic schema and the raw table's BigQuery schema.
 * A test fails when the committed files differ from what the contracts generate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommandLine, runScript } from './cli';
import { generatedArtifacts } from './generated-artifacts';

runScript('contracts:generate', () => {
  parseCommandLine(process.argv.slice(2), {}, 'contracts:generate (takes no arguments)');
  const dir = path.join('stacks', 'contracts', 'generated');
  const artifacts = generatedArtifacts();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(artifacts)) fs.writeFileSync(path.join(dir, file), content);
  process.stdout.write(`contracts:generate: wrote ${Object.keys(artifacts).length} files to ${dir}\n`);
  return 0;
});
