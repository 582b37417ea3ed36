/**
 * Bundles a runtime service with esbuild into one file (`dist/runtime/<service>/<entry>.js`, plus its source
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

/** The runtime services and their entry points: a server (Cloud Run service) or a job (Cloud Run job). */
export const RUNTIME_SERVICES = { ingest: 'server', loader: 'job' } as const;
export type RuntimeService = keyof typeof RUNTIME_SERVICES;

export function isRuntimeService(name: string): name is RuntimeService {
  return Object.hasOwn(RUNTIME_SERVICES, name);
}

/** Where a service's bundle is written. */
export function runtimeBundle(service: RuntimeService, outRoot = RUNTIME_DIST): string {
  return path.join(outRoot, service, `${RUNTIME_SERVICES[service]}.js`);
}

export async function buildRuntime(
  service: string,
  outRoot = RUNTIME_DIST,
  options: { readonly metafile?: boolean } = {},
): Promise<BuiltRuntime & { readonly inputs?: readonly string[] }> {
  if (!isRuntimeService(service))
    throw new Error(
      `unknown runtime service ${JSON.stringify(service)} (known: ${Object.keys(RUNTIME_SERVICES).join(', ')})`,
    );
  const entry = path.resolve(__dirname, service, `${RUNTIME_SERVICES[service]}.ts`);
  if (!fs.existsSync(entry))
    throw new Error(`runtime/${service}/${RUNTIME_SERVICES[service]}.ts does not exist`);
  const outfile = runtimeBundle(service, outRoot);
  const result = await build({
    entryPoints: [entry],
    metafile: options.metafile ?? false,
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
  const built = { service, file: outfile, bytes: fs.statSync(outfile).size };
  // The repository files the bundle was made from (esbuild paths are relative to the working directory).
  const inputs = result.metafile
    ? Object.keys(result.metafile.inputs)
        .map((p) => path.relative(path.resolve(__dirname, '..'), path.resolve(p)).split(path.sep).join('/'))
        .filter((p) => !p.startsWith('node_modules/'))
    : undefined;
  return inputs ? { ...built, inputs } : built;
}
