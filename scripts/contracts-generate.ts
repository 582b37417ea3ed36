/**
 * `npm run contracts:generate` writes every generated artifact for review into stacks/contracts/generated/:
 * the TypeScript type, the JSON Schema, the proto3 topic schema and the raw table's BigQuery schema.
 * A test fails when the committed files differ from what the contracts generate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generatedArtifacts } from './generated-artifacts';

const dir = path.join('stacks', 'contracts', 'generated');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
for (const [file, content] of Object.entries(generatedArtifacts()))
  fs.writeFileSync(path.join(dir, file), content);
process.stdout.write(
  `contracts:generate: wrote ${Object.keys(generatedArtifacts()).length} files to ${dir}\n`,
);
