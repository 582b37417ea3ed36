/**
 * `npm run image:push -- <service> --env <environment> [--dry-run]`: builds the service bundle, then builds and
 * pushes its container image under the exact reference synth deploys (`<registry>/<service>:<source hash>`,
 * see constructs/run/image.ts), so `cdktn deploy <environment>` finds it. Needs docker, authenticated to the
 * registry (`gcloud auth configure-docker <region>-docker.pkg.dev`). Tags are immutable: pushing an existing
 * reference again is refused by the registry and skipped here.
 *
 * CI pushes before deploying:
 *   npm run image:push -- ingest --env prod && npx cdktn deploy prod --auto-approve
 * or builds elsewhere and passes the digest per environment: TRIBUTARY_INGEST_IMAGE_PROD=<registry>/ingest@sha256:<digest>.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { runtimeRegistryPath } from '../constructs/run/container-repository';
import { runtimeImage } from '../constructs/run/image';
import { buildRuntime, isRuntimeService, RUNTIME_SERVICES } from '../runtime/build';
import { ENVIRONMENTS } from '../stacks/environments/index';
import { parseCommandLine, UsageError } from './cli';

const ROOT = path.resolve(__dirname, '..');
const USAGE = 'image:push -- <service> --env <environment> [--dry-run]';

export interface ImagePlan {
  readonly service: string;
  readonly reference: string;
  readonly commands: readonly (readonly string[])[];
}

export function imagePlan(service: string, environment: string): ImagePlan {
  if (!isRuntimeService(service))
    throw new Error(
      `unknown runtime service ${JSON.stringify(service)} (known: ${Object.keys(RUNTIME_SERVICES).join(', ')})`,
    );
  const env = ENVIRONMENTS.find((e) => e.name === environment);
  if (!env)
    throw new Error(
      `unknown environment ${JSON.stringify(environment)} (known: ${ENVIRONMENTS.map((e) => e.name).join(', ')})`,
    );
  const reference = runtimeImage(
    ROOT,
    runtimeRegistryPath(env.foundation.region, env.foundation.project),
    service,
  );
  return {
    service,
    reference,
    commands: [
      ['docker', 'manifest', 'inspect', reference],
      ['docker', 'build', '--file', `runtime/${service}/Dockerfile`, '--tag', reference, '.'],
      ['docker', 'push', reference],
    ],
  };
}

export async function main(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  let plan: ImagePlan;
  let dryRun: boolean;
  try {
    const { values, positionals } = parseCommandLine(
      argv,
      { env: { type: 'string' }, 'dry-run': { type: 'boolean' } },
      USAGE,
      1,
    );
    const service = positionals[0];
    if (!service || !values.env) throw new UsageError(`needs a service and --env\nusage: ${USAGE}`);
    dryRun = values['dry-run'] ?? false;
    plan = imagePlan(service, values.env);
  } catch (error) {
    io.err(`image:push: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
  io.out(`${plan.reference}\n`);
  if (dryRun) {
    for (const c of plan.commands) io.out(`${c.join(' ')}\n`);
    return 0;
  }
  await buildRuntime(plan.service);
  const run = (c: readonly string[], quiet = false) =>
    spawnSync(c[0] as string, c.slice(1), { cwd: ROOT, stdio: quiet ? 'ignore' : 'inherit' }).status;
  const [inspect, build, push] = plan.commands as [string[], string[], string[]];
  if (run(inspect, true) === 0) {
    io.out('already in the registry (tags are immutable); nothing to push\n');
    return 0;
  }
  if (run(build) !== 0 || run(push) !== 0) {
    io.err('image:push: docker failed\n');
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  }).then((code) => {
    process.exitCode = code;
  });
}
