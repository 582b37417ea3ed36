/** `npm run build:runtime`: bundles every runtime service (runtime/<service>/server.ts) into dist/runtime/. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildRuntime } from '../runtime/build';

async function main(): Promise<void> {
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
}

main().catch((error: Error) => {
  process.stderr.write(`build:runtime failed: ${error.message}\n`);
  process.exit(1);
});
