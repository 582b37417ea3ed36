/**
 * `npm run dataform:push -- --env <environment> [--remote <git url or path>] [--branch <branch>] [--dry-run]`
 *
 * Publishes the environment's generated Dataform project to the git branch its Dataform repository tracks
 * (`models.git` in the environment file): the project is generated and compiled offline first, then committed at
 * the root of that branch (Dataform reads the project from the repository root) on top of its history, and
 * pushed. Nothing is pushed when the project is unchanged. The release config compiles the branch on its schedule.
 *
 * Credentials are git's own: in CI, a token for the remote (for example through `actions/checkout`'s credential
 * setup); the same token is what Dataform reads from the `<prefix>-dataform-git-token` secret.
 * Exits 0, 1 on a failure (compilation, git), 2 on a usage error.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileProject, writeProject } from '../models/compile';
import { parseCommandLine, runScript, UsageError } from './cli';
import { environmentOf, environmentProject } from './warehouse';

const USAGE =
  'npm run dataform:push -- --env <environment> [--remote <git url or path>] [--branch <branch>] [--dry-run]';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Tributary',
  GIT_AUTHOR_EMAIL: 'tributary@localhost',
  GIT_COMMITTER_NAME: 'Tributary',
  GIT_COMMITTER_EMAIL: 'tributary@localhost',
};

function git(args: readonly string[], cwd: string): string {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...IDENTITY, ...process.env, GIT_TERMINAL_PROMPT: '0' },
    }).trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`git ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

export interface PushResult {
  readonly pushed: boolean;
  readonly commit?: string;
}

export function main(
  argv: readonly string[],
  log: (s: string) => unknown = (s) => process.stdout.write(s),
): PushResult & { exitCode: number } {
  const { values } = parseCommandLine(
    argv,
    {
      env: { type: 'string' },
      remote: { type: 'string' },
      branch: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    USAGE,
  );
  if (!values.env) throw new UsageError(`--env is required\nusage: ${USAGE}`);
  const env = environmentOf(values.env);
  if (!env.models)
    throw new UsageError(
      `environment ${env.name} has no models section (stacks/environments/${env.name}.ts)`,
    );
  const remote = values.remote ?? env.models.git.url;
  const branch = values.branch ?? env.models.git.branch;
  const project = environmentProject(env);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-dataform-push-'));
  try {
    // Compiled before anything is pushed: a project Dataform would refuse never reaches the branch.
    const generated = path.join(scratch, 'project');
    writeProject(project.files, generated);
    const graph = compileProject(generated);
    const tree = path.join(scratch, 'branch');
    fs.mkdirSync(tree);
    git(['init', '--quiet'], tree);
    git(['remote', 'add', 'origin', remote], tree);
    const exists = git(['ls-remote', '--heads', 'origin', branch], tree) !== '';
    if (exists) {
      git(['fetch', '--quiet', '--depth', '1', 'origin', branch], tree);
      git(['checkout', '--quiet', '-B', branch, 'FETCH_HEAD'], tree);
    } else git(['checkout', '--quiet', '--orphan', branch], tree);
    for (const entry of fs.readdirSync(tree))
      if (entry !== '.git') fs.rmSync(path.join(tree, entry), { recursive: true, force: true });
    for (const [file, text] of project.files) {
      fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
      fs.writeFileSync(path.join(tree, file), text);
    }
    git(['add', '--all'], tree);
    if (git(['status', '--porcelain'], tree) === '') {
      log(`${remote} ${branch}: up to date (${project.files.size} files)\n`);
      return { pushed: false, exitCode: 0 };
    }
    const summary = `${graph.tables?.length ?? 0} tables and views, ${graph.assertions?.length ?? 0} assertions`;
    git(['commit', '--quiet', '-m', `Tributary models for ${env.name}: ${summary}`], tree);
    const commit = git(['rev-parse', 'HEAD'], tree);
    if (values['dry-run']) {
      log(`${remote} ${branch}: would push ${commit.slice(0, 12)} (${summary}); --dry-run\n`);
      return { pushed: false, commit, exitCode: 0 };
    }
    git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], tree);
    log(`${remote} ${branch}: pushed ${commit.slice(0, 12)} (${summary})\n`);
    return { pushed: true, commit, exitCode: 0 };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) void runScript('dataform:push', () => main(process.argv.slice(2)).exitCode);
