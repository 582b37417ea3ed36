/**
 * Bundles a runtime service with esbuild into one file (`dist/runtime/<service>/server.js`, plus its source
 * map): the file the Dockerfile copies onto the distroless Node image, and the file the tests start. Pure
 * function of the sources and the locked dependencies, so the same commit always yields the same bundle.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

export const RUNTIME_DIST = path.resolve(__dirname, '..', 'dist', 'runtime');

export interface BuiltRuntime {
  readonly service: string;
  /** The bundle. */
  readonly file: string;
  readonly bytes: number;
}

export async function buildRuntime(service: string, outRoot = RUNTIME_DIST): Promise<BuiltRuntime> {
  const entry = path.resolve(__dirname, service, 'server.ts');
  if (!fs.existsSync(entry)) throw new Error(`runtime/${service}/server.ts does not exist`);
  const outfile = path.join(outRoot, service, 'server.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    // Paths in the source map are relative to the repository, not to the machine that built it.
    sourceRoot: '',
    legalComments: 'linked',
    logLevel: 'warning',
    minifySyntax: true,
  });
  return { service, file: outfile, bytes: fs.statSync(outfile).size };
}
