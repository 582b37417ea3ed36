/**
 * Operations coverage, read from the synthesized stacks themselves: which streams and components exist is taken
 * from the resources present, and each stream × signal and each component signal must have exactly one alert
 * policy, documented by a complete runbook and sent to the environment's channels; each stream has a freshness
 * SLO with fast and slow burn-rate alerts; and each environment has one mosaic dashboard with a row per stream
 * and per component.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUNBOOK_SECTIONS } from '../../constructs/monitoring/runbook';
import { ENVIRONMENTS } from '../../stacks/environments/index';
import { buildApp } from '../../stacks/main';
import type { TfJson } from '../helpers';

jest.setTimeout(120_000);

let outdir: string;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-ops-'));
  buildApp({ outdir }).synth();
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

type Block = Record<string, Record<string, unknown>>;
const tf = (env: string) =>
  JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', env, 'cdk.tf.json'), 'utf8')) as TfJson & {
    resource: Record<string, Block>;
  };
const all = (json: { resource: Record<string, Block> }, type: string) =>
  Object.values(json.resource[type] ?? {});

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s', (name, env) => {
  test('every stream × signal and every component signal has one alert policy with a complete runbook', () => {
    const json = tf(name);
    const prefix = env.foundation.namePrefix;
    // The streams, from their topics (dead-letter topics aside).
    const streams = all(json, 'google_pubsub_topic')
      .map((t) => String(t.name))
      .filter((t) => !t.endsWith('-dlq'))
      .map((t) => t.slice(prefix.length + 1).replace(/-/g, '_'));
    expect(streams.length).toBe(4);
    const jobs = all(json, 'google_dataflow_flex_template_job').map((j) => String(j.name));
    const gatewayExports = all(json, 'google_cloud_run_v2_service').some((s) =>
      JSON.stringify(s.template).includes('cloud-run-gmp-sidecar'),
    );
    const expected: string[] = [];
    for (const s of streams) {
      const signals = [
        'pubsub-delivery-backlog',
        'pubsub-archive-backlog',
        'pubsub-dead-lettered',
        'pubsub-export-state',
        'freshness-fast-burn',
        'freshness-slow-burn',
      ];
      if (jobs.some((j) => j === `${prefix}-${s.replace(/_/g, '-')}`))
        signals.push(
          'dataflow-system-lag',
          'dataflow-watermark-age',
          'dataflow-failed',
          'dataflow-dead-letter-rows',
        );
      if (gatewayExports) signals.push('gateway-rejected-share');
      expected.push(...signals.map((x) => `stream ${s.replace(/_/g, '-')} ${x}`));
    }
    if (all(json, 'google_cloud_run_v2_service').length > 0)
      expected.push('component gateway gateway-5xx-share', 'component gateway gateway-latency-p99');
    if (all(json, 'google_cloud_run_v2_job').length > 0)
      expected.push('component loader loader-failed-runs', 'component loader loader-reject-share');
    if (all(json, 'google_dataform_repository').length > 0)
      expected.push(
        'component models dataform-failed-invocations',
        'component models dataform-failed-assertions',
      );
    if (all(json, 'google_composer_environment').length > 0)
      expected.push('component orchestration composer-failed-dag-runs');
    const policies = all(json, 'google_monitoring_alert_policy');
    const got = policies.map((p) => {
      const labels = p.user_labels as Record<string, string>;
      return labels.stream
        ? `stream ${labels.stream} ${labels.tributary_signal}`
        : `component ${labels.component} ${labels.tributary_signal}`;
    });
    expect(got.sort()).toEqual(expected.sort());
    const channels = Object.keys(json.resource.google_monitoring_notification_channel ?? {});
    const n = env.operations?.notifications;
    expect(channels.length).toBe(
      (n?.emails.length ?? 0) + (n?.webhookUrl ? 1 : 0) + (n?.pubsubTopic ? 1 : 0),
    );
    expect(channels.length).toBeGreaterThan(0);
    for (const p of policies) {
      const doc = p.documentation as { content: string; mime_type: string };
      expect(doc.mime_type).toBe('text/markdown');
      // The four sections, in order, and exactly three first checks, each an exact gcloud/bq command.
      const at = RUNBOOK_SECTIONS.map((h) => doc.content.indexOf(`\n${h}\n`));
      expect(at.every((i, k) => i > 0 && (k === 0 || i > (at[k - 1] as number)))).toBe(true);
      const checks = doc.content.slice(at[1], at[2]);
      expect(checks.match(/^\d\. /gm)).toHaveLength(3);
      expect(checks.match(/^ {3}(gcloud|bq|gsutil) /gm)).toHaveLength(3);
      expect(doc.content.length).toBeLessThanOrEqual(8192);
      expect(doc.content).not.toMatch(/<(archive|landing)-bucket>/);
      // Sent to every channel of the environment.
      expect((p.notification_channels as string[]).length).toBe(channels.length);
    }
  });

  test('Data Access audit logs for BigQuery and Cloud Storage where the environment asks, leaving out only the platform writers', () => {
    const configs = all(tf(name), 'google_project_iam_audit_config');
    if (!env.operations?.dataAccessAudit) {
      expect(configs).toEqual([]);
      return;
    }
    expect(configs.map((c) => c.service).sort()).toEqual([
      'bigquery.googleapis.com',
      'storage.googleapis.com',
    ]);
    for (const c of configs) {
      const logs = c.audit_log_config as { log_type: string; exempted_members?: string[] }[];
      expect(logs.map((l) => l.log_type)).toEqual(['ADMIN_READ', 'DATA_READ', 'DATA_WRITE']);
      const exempt = logs[1]?.exempted_members ?? [];
      expect(logs[2]?.exempted_members).toEqual(exempt);
      // Pipelines (one per stream), the loader, the models, the orchestrator and the Pub/Sub agent; nobody else.
      expect(exempt).toHaveLength(4 + 4);
      expect(new Set(exempt).size).toBe(exempt.length);
      for (const m of exempt)
        expect(m).toMatch(
          /^serviceAccount:(\$\{google_service_account\.Platform_(Streams_\w+_Pipeline_Job_WorkerIdentity|DataformIdentity|LoaderIdentity|OrchestratorIdentity)_[0-9A-F]+\.email\}|service-\$\{data\.google_project\.[^}]+\.number\}@gcp-sa-pubsub\.iam\.gserviceaccount\.com)$/,
        );
    }
  });

  test('a freshness SLO per stream with burn-rate alerts on it, and one mosaic dashboard with a row per stream and component', () => {
    const json = tf(name);
    const slos = all(json, 'google_monitoring_slo');
    expect(slos).toHaveLength(4);
    const bound = (env.operations?.freshness?.boundMinutes ?? 15) * 60;
    for (const s of slos) {
      const sli = (
        s.windows_based_sli as { metric_mean_in_range: { range: { max: number }; time_series: string } }
      ).metric_mean_in_range;
      expect(sli.range.max).toBe(bound);
      expect(sli.time_series).toMatch(/data_watermark_age|oldest_unacked_message_age/);
      expect(s.goal).toBe(env.operations?.freshness?.goal ?? 0.99);
    }
    const burns = all(json, 'google_monitoring_alert_policy').filter((p) =>
      String((p.user_labels as Record<string, string>).tributary_signal).startsWith('freshness-'),
    );
    expect(burns).toHaveLength(8);
    for (const b of burns) {
      const filters = (b.conditions as { condition_threshold: { filter: string } }[]).map(
        (c) => c.condition_threshold.filter,
      );
      expect(filters).toHaveLength(2);
      for (const f of filters)
        expect(f).toMatch(/^select_slo_burn_rate\("\$\{google_monitoring_slo\.[^}]+\.name\}", "\d+s"\)$/);
    }
    const dashboards = all(json, 'google_monitoring_dashboard');
    expect(dashboards).toHaveLength(1);
    const layout = JSON.parse(String(dashboards[0]?.dashboard_json)).mosaicLayout as {
      columns: number;
      tiles: {
        xPos: number;
        yPos: number;
        width: number;
        height: number;
        widget: { title: string; sectionHeader?: object };
      }[];
    };
    expect(layout.columns).toBe(48);
    const headers = layout.tiles.filter((t) => t.widget.sectionHeader).map((t) => t.widget.title);
    expect(headers.filter((h) => h.startsWith('Stream '))).toHaveLength(4);
    expect(headers.filter((h) => h.startsWith('Component: ')).length).toBeGreaterThanOrEqual(3);
    // Tiles fit the grid and never overlap.
    const cells = new Set<string>();
    for (const t of layout.tiles) {
      expect(t.xPos + t.width).toBeLessThanOrEqual(48);
      for (let x = t.xPos; x < t.xPos + t.width; x++)
        for (let y = t.yPos; y < t.yPos + t.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });
});

test('policy-report.json lists at least 40 rules, each with its CIS and checkov mapping (or why it has none), and the Markdown shows it', () => {
  for (const env of ['bootstrap', ...ENVIRONMENTS.map((e) => e.name)]) {
    const report = JSON.parse(
      fs.readFileSync(path.join(outdir, 'stacks', env, 'policy-report.json'), 'utf8'),
    ) as {
      summary: { errors: number };
      rules: { id: string; cis: string[]; checkov: string[]; note?: string }[];
    };
    expect(report.summary.errors).toBe(0);
    expect(report.rules.length).toBeGreaterThanOrEqual(40);
    for (const r of report.rules) {
      expect([r.id, r.cis.length + r.checkov.length > 0 || /^none: /.test(r.note ?? '')]).toEqual([
        r.id,
        true,
      ]);
      for (const c of r.cis) expect(c).toMatch(/^CIS GCP v3\.0 \d/);
      for (const k of r.checkov) expect(k).toMatch(/^CKV2?_GCP_\d+/);
    }
    // Rules for the services checkov has no checks for.
    const ids = report.rules.map((r) => r.id);
    for (const id of [
      'TRB-RUN-3',
      'TRB-CMP-1',
      'TRB-DFM-1',
      'TRB-WF-2',
      'TRB-EVT-2',
      'TRB-SM-1',
      'TRB-DPX-1',
    ])
      expect(ids).toContain(id);
    const md = fs.readFileSync(path.join(outdir, 'stacks', env, 'policy-report.md'), 'utf8');
    expect(md).toContain('| Rule | Level | Requirement | CIS | checkov | Why |');
    expect(md).toMatch(/\| TRB-KMS-1 \| error \| .* \| CIS GCP v3\.0 1\.10 \| CKV_GCP_43 \|/);
  }
});
