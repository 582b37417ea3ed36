import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { releaseLock, serializeLock } from '../../contracts/lock';
import { main } from '../../scripts/contracts-check';
import { CONTRACTS } from '../../stacks/contracts/index';

const repo = path.resolve(__dirname, '../..');

/** A contract module like the ones in stacks/contracts, importing the DSL from `dslPath`. */
function contractModule(dslPath: string, extraField = '', version = '1.0.0'): string {
  return `import { defineContract, field, t } from '${dslPath}';
export const sale = defineContract({
  name: 'sale', version: '${version}', description: 'A sale.', owner: 'sales@example.com',
  fields: [
    field('sale_id', 'Sale id.', t.string()),
    field('sold_at', 'When.', t.timestamp()),${extraField}
  ],
  key: ['sale_id'], eventTime: 'sold_at',
});
`;
}

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  const capture = (sink: string[]) => (chunk: unknown) => {
    sink.push(String(chunk));
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(capture(out));
  jest.spyOn(process.stderr, 'write').mockImplementation(capture(err));
});
afterEach(() => jest.restoreAllMocks());

function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

describe('contracts:check', () => {
  const dsl = path.join(repo, 'contracts', 'dsl');

  test('exits 0 and reports no breaking change for identical sets', () => {
    expect(main(['stacks/contracts', 'stacks/contracts'], repo)).toBe(0);
    expect(out.join('')).toContain('No breaking changes.');
  });

  test('exits 1 on a breaking change between two directories, and explains it', () => {
    const [a, b] = [tmpDir('old-'), tmpDir('new-')];
    fs.writeFileSync(path.join(a, 'sale.ts'), contractModule(dsl));
    fs.writeFileSync(
      path.join(b, 'sale.ts'),
      contractModule(dsl, "\n    field('channel', 'Channel.', t.string()),", '1.1.0'),
    );
    expect(main([a, b])).toBe(1);
    const text = out.join('');
    expect(text).toContain('BREAKING  sale 1.0.0 -> 1.1.0 (changed)');
    expect(text).toContain('REPLACE   channel: new REQUIRED column STRING');
  });

  test('exits 0 for a compatible change and prints JSON with --json', () => {
    const [a, b] = [tmpDir('old-'), tmpDir('new-')];
    fs.writeFileSync(path.join(a, 'sale.ts'), contractModule(dsl));
    fs.writeFileSync(
      path.join(b, 'sale.ts'),
      contractModule(dsl, "\n    field('channel', 'Channel.', t.string(), { optional: true }),", '1.1.0'),
    );
    expect(main([a, b, '--json'])).toBe(0);
    const report = JSON.parse(out.join(''));
    expect(report.breaking).toBe(false);
    expect(report.contracts[0].table.verdict).toBe('in-place');
  });

  test('accepts a lock file as the old side', () => {
    const lock = path.join(tmpDir('lock-'), 'contracts.lock.json');
    fs.writeFileSync(lock, serializeLock(releaseLock(CONTRACTS)));
    expect(main([lock, 'stacks/contracts'], repo)).toBe(0);
    expect(out.join('')).toContain(`lock ${lock} -> directory stacks/contracts`);
  });

  test('accepts a git ref as the old side', () => {
    const scratch = tmpDir('repo-');
    for (const layer of ['core', 'contracts'])
      fs.cpSync(path.join(repo, layer), path.join(scratch, layer), { recursive: true });
    fs.mkdirSync(path.join(scratch, 'stacks', 'contracts'), { recursive: true });
    const file = path.join(scratch, 'stacks', 'contracts', 'sale.ts');
    fs.writeFileSync(file, contractModule('../../contracts/dsl'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: scratch, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'contracts');
    fs.writeFileSync(
      file,
      contractModule('../../contracts/dsl', '', '1.0.0')
        .replace("field('sold_at'", "field('sold_at_utc'")
        .replace("eventTime: 'sold_at'", "eventTime: 'sold_at_utc'"),
    );
    const code = main(['HEAD', 'stacks/contracts'], scratch);
    expect(err.join('')).toBe('');
    expect(code).toBe(1);
    const text = out.join('');
    expect(text).toContain('git ref HEAD -> directory stacks/contracts');
    expect(text).toContain('the contract changed but its version is still 1.0.0');
    expect(text).toContain('REPLACE   (partitioning): partition field sold_at -> sold_at_utc');
  });

  test.each([
    [['only-one'], 'usage: npm run contracts:check'],
    [['stacks/contracts', 'stacks/contracts', '--jsn'], "Unknown option '--jsn'"],
    [['a', 'b', 'c'], 'unexpected argument "c"'],
    [
      ['no-such-ref-or-dir', 'stacks/contracts'],
      'no-such-ref-or-dir: neither a directory, a lock file, nor a git ref',
    ],
  ])('exits 2 on %j', (args, message) => {
    expect(main(args, repo)).toBe(2);
    expect(err.join('')).toContain(message);
  });

  test('exits 2 naming the problem when a lock file is malformed', () => {
    const lock = path.join(tmpDir('lock-'), 'bad.lock.json');
    fs.writeFileSync(
      lock,
      '{"lockVersion": 1, "contracts": [{"kind": "tributary.event-contract", "name": "X"}]}',
    );
    expect(main([lock, 'stacks/contracts'], repo)).toBe(2);
    expect(err.join('')).toContain('Contract "X" vundefined');
  });

  test('runs as the npm script', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/contracts-check.ts',
        'stacks/contracts/contracts.lock.json',
        'stacks/contracts',
      ],
      { cwd: repo, encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ok        order 1.0.0 (unchanged)');
  });
});
