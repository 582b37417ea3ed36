/**
 * Terraform's own checks of a synthesized stack, offline. `terraform init -backend=false` with a CLI config whose
 * provider installation is an empty filesystem mirror loads and checks the whole configuration (expressions,
 * meta-arguments, depends_on, lifecycle, duplicate blocks, provider references) without reaching a registry;
 * the one error it must end with is that the provider packages cannot be found. `terraform providers` then
 * lists the providers the configuration requires.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The error every offline init ends with: the (empty) mirror has no provider packages. */
export const OFFLINE_PROVIDER_ERROR = 'Failed to query available provider packages';

export interface TerraformResult {
  readonly status: number | null;
  /** The summary line of each `Error:` diagnostic, in order. */
  readonly errors: readonly string[];
  readonly output: string;
}

function workspace(config: object): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-tf-'));
  const mirror = path.join(dir, 'empty-mirror');
  fs.mkdirSync(mirror);
  const rc = path.join(dir, 'offline.tfrc');
  fs.writeFileSync(
    rc,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["*/*/*"]\n  }\n}\n`,
  );
  const work = path.join(dir, 'stack');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'cdk.tf.json'), JSON.stringify(config));
  return {
    dir: work,
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: rc,
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
    },
  };
}

function run(args: string[], config: object): TerraformResult {
  const { dir, env } = workspace(config);
  try {
    const r = spawnSync('terraform', [...args, '-no-color'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const errors = [...output.matchAll(/^Error: (.+)$/gm)].map((m) => (m[1] as string).trim());
    return { status: r.status, errors, output };
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}

/** `terraform init -backend=false` against an empty provider mirror. */
export function terraformInit(config: object): TerraformResult {
  return run(['init', '-backend=false', '-input=false'], config);
}

/** `terraform providers` (the backend block removed: it needs the remote state to be initialized first). */
export function terraformProviders(config: { terraform?: Record<string, unknown> }): TerraformResult {
  const { backend: _backend, ...terraform } = config.terraform ?? {};
  return run(['providers'], { ...config, terraform });
}

/** Errors other than the expected offline one, counted by message (a stack's config errors repeat per resource). */
export function configurationErrors(result: TerraformResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of result.errors) {
    if (e.startsWith(OFFLINE_PROVIDER_ERROR)) continue;
    counts[e] = (counts[e] ?? 0) + 1;
  }
  return counts;
}
