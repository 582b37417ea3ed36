/** `npm run build:runtime`: bundles every runtime service (runtime/<service>/server.ts) into dist/runtime/. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildRuntime } from '../runtime/build';
import { parseCommandLine, runScript } from './cli';

runScript('build:runtime', async () => {
  parseCommandLine(process.argv.slice(2), {}, 'build:runtime (takes no arguments)');
  const root = path.resolve(__dirname, '..', 'runtime');
  const services = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, 'server.ts')))
    .map((d) => d.name);
  for (const service of services) {
    const built = await buildRuntime(service);
    process.stdout.write(
      `build:runtime: ${path.relative(process.cwd(), built.file)} (${Math.round(built.bytes / 1024)} KiB)\n`,
    );
  }
  return 0;
});
