/** `npm run preview` on this repository: a real worktree of a real ref, both sides synthesized. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../../scripts/cli';
import { main, synthesize } from '../../scripts/preview';

const REPO = path.join(__dirname, '../..');
const worktrees = () =>
  execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: REPO, encoding: 'utf8' });

describe('npm run preview', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-preview-run-'));
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('previews the working tree against HEAD, writes both files, and leaves no worktree behind', async () => {
    const before = worktrees();
    const out = path.join(scratch, 'out');
    const code = await main(
      ['--base', 'HEAD', '--out', out, '--head-out', path.join(scratch, 'head'), '--no-timing'],
      REPO,
    );
    expect(code).toBe(0);
    const markdown = fs.readFileSync(path.join(out, 'preview.md'), 'utf8');
    expect(markdown).toMatch(
      /^<!-- tributary-preview -->\n\n### Tributary preview: `HEAD` → `[0-9a-f]+( \+ working tree)?`\n\n/,
    );
    const json = JSON.parse(fs.readFileSync(path.join(out, 'preview.json'), 'utf8'));
    expect(json.stacks.map((s: { name: string }) => s.name)).toEqual(['bootstrap', 'dev', 'prod', 'staging']);
    expect(json.exitCode).toBe(0);
    expect(worktrees()).toBe(before);
  }, 120_000);

  test.each([
    [[], '--base is required'],
    [['--base', 'no-such-ref-anywhere'], '--base "no-such-ref-anywhere" is not a commit of'],
    [['--base', 'HEAD', '--what'], "Unknown option '--what'"],
  ])('fails on usage errors: %j', async (argv, message) => {
    const error = await main(argv, REPO).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });
});

test('a side that fails to synthesize is reported with its output', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-broken-'));
  try {
    fs.mkdirSync(path.join(dir, 'stacks'));
    fs.writeFileSync(
      path.join(dir, 'stacks/main.ts'),
      'throw new Error("config problem: region = nowhere");\n',
    );
    await expect(synthesize(dir, path.join(dir, 'out'), 'base HEAD~3')).rejects.toThrow(
      /^base HEAD~3 failed to synthesize \(exit 1\):\n[\s\S]*config problem: region = nowhere/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
