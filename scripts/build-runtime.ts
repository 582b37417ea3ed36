/** `npm run build:runtime`: bundles every runtime service (RUNTIME_SERVICES in runtime/build.ts) into dist/runtime/. */
import * as path from 'node:path';
import { buildRuntime, RUNTIME_SERVICES } from '../runtime/build';
import { parseCommandLine, runScript } from './cli';

runScript('build:runtime', async () => {
  parseCommandLine(process.argv.slice(2), {}, 'build:runtime (takes no arguments)');
  for (const service of Object.keys(RUNTIME_SERVICES)) {
    const built = await buildRuntime(service);
    process.stdout.write(
      `build:runtime: ${path.relative(process.cwd(), built.file)} (${Math.round(built.bytes / 1024)} KiB)\n`,
    );
  }
  return 0;
});
