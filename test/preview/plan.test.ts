/** The preview from real plans, on plan JSON fixtures in Terraform's documented format (terraform show -json). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCompatibility } from '../../contracts/compat/index';
import { actionOf, buildPlanPreview, comparePlan, parsePlan, type TerraformPlan } from '../../preview/plan';
import { planSections } from '../../preview/plan-render';
import { previewSections, renderComment, renderJson } from '../../preview/render';
import { buildPreview, PREVIEW_BLOCKED_EXIT_CODE } from '../../preview/report';
import { main } from '../../scripts/preview-plan';
import { order, orderAmountAsString, synthFixture } from './fixture-app';

const PLANS = path.join(__dirname, 'plans');
const plan = (name: string): TerraformPlan =>
  parsePlan(fs.readFileSync(path.join(PLANS, `${name}.json`), 'utf8'), `${name}.json`);

describe('parsePlan', () => {
  test('reads resource_changes with actions, replace_paths and action_reason', () => {
    const p = plan('prod');
    expect(p).toMatchObject({ formatVersion: '1.2', terraformVersion: '1.11.4' });
    expect(p.resourceChanges[0]).toMatchObject({
      type: 'google_bigquery_table',
      actions: ['delete', 'create'],
      replacePaths: [['schema']],
      actionReason: 'replace_because_cannot_update',
    });
  });

  test.each([
    ['not JSON', '{', 'not-json.json: not JSON'],
    ['another format', '{"format_version":"0.1"}', 'format_version is "0.1"; must be "1.x"'],
    ['a state', '{"format_version":"1.0","values":{}}', 'is a state, not a plan'],
    [
      'an unknown action',
      '{"format_version":"1.2","resource_changes":[{"address":"a.b","mode":"managed","type":"a","change":{"actions":["explode"]}}]}',
      'resource_changes[0].change.actions (a.b) is ["explode"]; must list actions from no-op, create, read, update, delete, forget',
    ],
    [
      'a change without an address',
      '{"format_version":"1.2","resource_changes":[{"mode":"managed","type":"a","change":{"actions":["create"]}}]}',
      'resource_changes[0].address is undefined; must be a non-empty string',
    ],
    [
      'replace_paths that are not paths',
      '{"format_version":"1.2","resource_changes":[{"address":"a.b","mode":"managed","type":"a","change":{"actions":["update"],"replace_paths":["x"]}}]}',
      'replace_paths (a.b) is ["x"]; must be a list of attribute paths (lists)',
    ],
  ])('fails on %s, naming the file, the field and the rule', (_name, text, message) => {
    expect(() => parsePlan(text, 'not-json.json')).toThrow(message);
  });

  test('actionOf: every documented action list', () => {
    expect(
      [
        ['no-op'],
        ['create'],
        ['read'],
        ['update'],
        ['delete', 'create'],
        ['create', 'delete'],
        ['delete'],
        ['forget'],
        ['create', 'forget'],
      ].map((a) => actionOf(a as never)),
    ).toEqual([
      undefined,
      'create',
      undefined,
      'update',
      'replace',
      'replace',
      'delete',
      undefined,
      'replace',
    ]);
  });
});

describe('the plan-based preview', () => {
  const base = () => synthFixture();
  const head = () =>
    synthFixture({ contracts: [orderAmountAsString], imageTag: 'fedcba9876543210', analysts: 'project' });

  test('renders the same summary: the protected table replacement blocks, the project grant is a widening', () => {
    const preview = buildPlanPreview(
      new Map([
        ['prod', plan('prod')],
        ['dev', plan('dev')],
      ]),
      { base: 'deployed state', head: 'feature' },
    );
    const prod = preview.report.stacks.find((s) => s.name === 'prod');
    expect(prod?.resources.map((r) => `${r.action} ${r.type}`)).toEqual([
      'replace google_bigquery_table',
      'replace google_pubsub_subscription',
      'delete google_bigquery_dataset_iam_member',
      'update google_cloud_run_v2_service',
      'create google_project_iam_member',
    ]);
    expect(prod?.resources[0]).toMatchObject({
      protected: true,
      reasons: ['schema forces replacement', 'the provider cannot update it in place'],
    });
    expect(prod?.resources[1]?.reasons).toEqual(['the resource is tainted']);
    expect(prod?.grants).toEqual([
      expect.objectContaining({
        change: 'added',
        scope: 'project',
        widening: ['project scope'],
        role: 'roles/bigquery.dataViewer',
      }),
      expect.objectContaining({ change: 'removed', resourceType: 'google_bigquery_dataset' }),
    ]);
    expect(preview.report.stacks.find((s) => s.name === 'dev')?.status).toBe('unchanged');
    expect(preview.report.exitCode).toBe(PREVIEW_BLOCKED_EXIT_CODE);
    expect(
      buildPlanPreview(new Map([['prod', plan('prod')]]), { base: 'a', head: 'b', acknowledged: true }).report
        .exitCode,
    ).toBe(0);
  });

  test('lists where the offline preview and the plans disagree, both ways', () => {
    const offline = buildPreview(base(), head(), {
      base: 'main',
      head: 'feature',
      contracts: checkCompatibility([order], [orderAmountAsString]),
    });
    const heads = head().stacks;
    const preview = buildPlanPreview(new Map([['prod', plan('prod')]]), {
      base: 'deployed state',
      head: 'feature',
      offline,
      heads,
    });
    const prod = preview.disagreements.filter((d) => d.stack === 'prod');
    // The tainted archive subscription only the plan knows about; the manifest object, the schema revision and the
    // BigQuery subscription (its table is replaced) only the offline preview predicted: this plan leaves them out.
    expect(prod.map((d) => [d.address.replace(/_[0-9A-F]{8}$/, ''), d.offline, d.plan])).toEqual([
      ['google_pubsub_subscription.Platform_Streams_order_Topic_Archive', 'none', 'replace'],
      ['google_storage_bucket_object.Platform_IngestGateway_Manifest', 'replace', 'none'],
      ['google_pubsub_schema.Platform_Streams_order_Topic_Schema', 'update', 'none'],
      ['google_pubsub_subscription.Platform_Streams_order_Topic_BigQueryDelivery', 'update', 'none'],
    ]);
    // Construct paths come from the synthesized head.
    expect(preview.report.stacks[0]?.resources[0]?.path).toBe('prod/Platform/Streams/order/Table/Resource');
    const markdown = renderComment([previewSections(offline), planSections(preview)]);
    expect(markdown.match(/<!-- tributary-preview -->/g)).toHaveLength(1);
    expect(markdown).toContain('### Terraform plans (prod)');
    expect(markdown).toContain('#### Destroys and replacements the two previews disagree on');
    expect(markdown).toContain(
      'Offline findings the plans did not confirm: 3; plan changes the offline preview did not predict: 1',
    );
    expect(JSON.parse(renderJson(preview.report)).formatVersion).toBe(1);
  });

  test('comparePlan: a rename offline is a destroy and a create in the plan, and they agree', () => {
    const rename = {
      action: 'replace' as const,
      type: 'google_storage_bucket',
      address: 'google_storage_bucket.New_1',
      previousAddress: 'google_storage_bucket.Old_1',
      path: 'p',
      changed: [],
      reasons: [],
      notes: [],
      protected: false,
      stateful: true,
    };
    const planned = [
      { ...rename, action: 'delete' as const, address: 'google_storage_bucket.Old_1' },
      { ...rename, action: 'create' as const, address: 'google_storage_bucket.New_1' },
    ].map(({ previousAddress: _p, ...r }) => r);
    expect(comparePlan('prod', [rename], planned)).toEqual([]);
  });
});

describe('npm run preview:plan', () => {
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-plan-'));
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  test('writes plan-preview.md and .json and exits with the preview’s code', () => {
    const lines: string[] = [];
    const code = main(
      [
        '--plan',
        `prod=${path.join(PLANS, 'prod.json')}`,
        '--plan',
        `dev=${path.join(PLANS, 'dev.json')}`,
        '--out',
        out,
        '--synth',
        synthFixture({}).outdir,
      ],
      process.cwd(),
      (s) => lines.push(s),
    );
    expect(code).toBe(PREVIEW_BLOCKED_EXIT_CODE);
    expect(fs.readFileSync(path.join(out, 'plan-preview.md'), 'utf8')).toMatch(
      /^<!-- tributary-preview -->\n\n### Terraform plans \(dev, prod\)/,
    );
    expect(JSON.parse(fs.readFileSync(path.join(out, 'plan-preview.json'), 'utf8'))).toMatchObject({
      formatVersion: 1,
      disagreements: [],
    });
    expect(lines.join('')).toContain(
      'plan preview BLOCKED: BLOCKED: 1 protected resource destroyed or replaced (prod)',
    );
  });

  test.each([
    [[], 'at least one --plan is required'],
    [['--plan', 'prod'], '--plan "prod" must be <stack>=<plan.json>'],
    [
      ['--plan', `a=${path.join(PLANS, 'dev.json')}`, '--plan', `a=${path.join(PLANS, 'prod.json')}`],
      '--plan names stack a twice',
    ],
    [['--plan', 'a=x.json', '--bogus'], "Unknown option '--bogus'"],
  ])('fails on usage errors: %j', (argv, message) => {
    expect(() => main(argv, process.cwd(), () => undefined)).toThrow(message);
  });

  test('fails on a missing plan file and on an offline preview of another format', () => {
    expect(() => main(['--plan', 'a=missing.json'], out, () => undefined)).toThrow(
      '--plan a=missing.json: no such file',
    );
    fs.writeFileSync(path.join(out, 'old.json'), '{"formatVersion":0,"stacks":[]}');
    expect(() =>
      main(
        ['--plan', `prod=${path.join(PLANS, 'prod.json')}`, '--offline', 'old.json', '--out', out],
        out,
        () => undefined,
      ),
    ).toThrow('formatVersion is 0; this reads version 1');
  });
});
