import { rawTableSpec } from '../contracts/generators/bigquery';
import { jsonSchema } from '../contracts/generators/json-schema';
import { protoSchema } from '../contracts/generators/proto';
import { typeScriptType } from '../contracts/generators/typescript';
import { CONTRACTS } from '../stacks/contracts/index';

/** File name -> content of every artifact generated from the example contracts. */
export function generatedArtifacts(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const c of CONTRACTS) {
    files[`${c.name}.ts`] = typeScriptType(c);
    files[`${c.name}.schema.json`] = `${JSON.stringify(jsonSchema(c), null, 2)}\n`;
    files[`${c.name}.proto`] = protoSchema(c);
    files[`${c.name}.bigquery.json`] = `${JSON.stringify(rawTableSpec(c), null, 2)}\n`;
  }
  return files;
}
