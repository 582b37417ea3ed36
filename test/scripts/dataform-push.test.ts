/** `npm run models:generate` and `npm run dataform:push`, against a local bare repository as the remote. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileProject } from '../../models/compile';
import { UsageError } from '../../scripts/cli';
import { main as push } from '../../scripts/dataform-push';
import { main as generate } from '../../scripts/models-generate';

jest.setTimeout(60_000);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-push-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const git = (args: string[], cwd: string) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

test('models:generate writes the environment’s project and compiles it', () => {
  const lines: string[] = [];
  expect(generate(['--env', 'staging', '--out', path.join(dir, 'out')], dir, (s) => lines.push(s))).toBe(0);
  expect(fs.existsSync(path.join(dir, 'out/workflow_settings.yaml'))).toBe(true);
  expect(fs.readFileSync(path.join(dir, 'out/workflow_settings.yaml'), 'utf8')).toContain(
    'defaultDataset: trb_stg_staging',
  );
  expect(lines.join('')).toMatch(
    /^wrote \d+ files to out; compiled: 13 tables and views, \d+ assertions, \d+ declarations\n$/,
  );
});

test('dataform:push commits the project at the root of the branch, then pushes nothing while it is unchanged', () => {
  const remote = path.join(dir, 'remote.git');
  git(['init', '--quiet', '--bare', remote], dir);
  const log: string[] = [];
  const first = push(['--env', 'dev', '--remote', remote], (s) => log.push(s));
  expect(first).toMatchObject({ pushed: true, exitCode: 0 });
  expect(log[0]).toMatch(
    new RegExp(`^${remote} dataform/dev: pushed [0-9a-f]{12} \\(13 tables and views, \\d+ assertions\\)\\n$`),
  );
  // Dataform needs the project at the repository root: a checkout of the branch compiles as it is.
  const checkout = path.join(dir, 'checkout');
  git(['clone', '--quiet', '--branch', 'dataform/dev', remote, checkout], dir);
  expect(fs.readdirSync(checkout).sort()).toEqual([
    '.git',
    'definitions',
    'includes',
    'workflow_settings.yaml',
  ]);
  const graph = compileProject(checkout);
  expect(graph.tables?.map((t) => t.target.name)).toContain('fact_user_activity');
  expect(git(['log', '--format=%s', 'dataform/dev'], remote)).toMatch(
    /^Tributary models for dev: 13 tables and views, \d+ assertions$/,
  );

  const again = push(['--env', 'dev', '--remote', remote], (s) => log.push(s));
  expect(again).toMatchObject({ pushed: false, exitCode: 0 });
  expect(log[1]).toBe(
    `${remote} dataform/dev: up to date (${fs.readdirSync(path.join(checkout, 'definitions'), { recursive: true }).filter((f) => String(f).includes('.')).length + 2} files)\n`,
  );
  expect(git(['rev-list', '--count', 'dataform/dev'], remote)).toBe('1');

  // A file someone added by hand on the branch is replaced by the generated tree, on top of the history.
  fs.writeFileSync(path.join(checkout, 'stray.sql'), 'select 1');
  git(['add', 'stray.sql'], checkout);
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'stray'], {
    cwd: checkout,
  });
  git(['push', '--quiet', 'origin', 'dataform/dev'], checkout);
  expect(push(['--env', 'dev', '--remote', remote], () => undefined)).toMatchObject({ pushed: true });
  expect(git(['rev-list', '--count', 'dataform/dev'], remote)).toBe('3');
  expect(git(['ls-tree', '--name-only', 'dataform/dev'], remote).split('\n')).not.toContain('stray.sql');
});

test('--dry-run commits locally and pushes nothing', () => {
  const remote = path.join(dir, 'remote.git');
  git(['init', '--quiet', '--bare', remote], dir);
  expect(
    push(['--env', 'prod', '--remote', remote, '--branch', 'models', '--dry-run'], () => undefined),
  ).toMatchObject({ pushed: false, commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
  expect(git(['branch', '--list'], remote)).toBe('');
});

test.each([
  [[], '--env is required'],
  [['--env', 'qa'], '--env "qa": not an environment (dev, staging, prod)'],
  [['--env', 'dev', '--force'], "Unknown option '--force'"],
])('fails on usage errors: %j', (argv, message) => {
  expect(() => push(argv, () => undefined)).toThrow(message);
  if (message.startsWith('--env is')) expect(() => push(argv, () => undefined)).toThrow(UsageError);
});

test('fails a push to a remote that does not exist, with git’s message', () => {
  expect(() => push(['--env', 'dev', '--remote', path.join(dir, 'missing.git')], () => undefined)).toThrow(
    /^git ls-remote --heads origin dataform\/dev failed: .*(does not appear to be a git repository|not found)/s,
  );
});
