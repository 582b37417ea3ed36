import {
  type AlertCondition,
  AlertPolicy,
  type AlertPolicyProps,
} from '../../constructs/monitoring/alert-policy';
import { COLUMNS, Dashboard, mosaicTiles } from '../../constructs/monitoring/dashboard';
import { FreshnessSlo } from '../../constructs/monitoring/freshness-slo';
import { NotificationChannel } from '../../constructs/monitoring/notification-channel';
import { type Runbook, renderRunbook } from '../../constructs/monitoring/runbook';
import { errorOf, resources, synth, testStack } from '../helpers';

const RUNBOOK: Runbook = {
  meaning: 'Events wait.',
  checks: [
    { why: 'a', command: 'gcloud pubsub subscriptions describe s --project=p' },
    { why: 'b', command: 'gcloud logging read x --project=p' },
    { why: 'c', command: "bq query --use_legacy_sql=false 'SELECT 1'" },
  ],
  recover: ['Fix it.'],
  confirm: [
    { why: 'count', command: 'npm run replay -- --env dev --stream order --from a --to b --dry-run' },
  ],
};
const BASE: AlertPolicyProps = {
  displayName: 'order: backlog',
  severity: 'ERROR',
  conditions: [
    {
      kind: 'threshold',
      name: 'oldest unacked',
      filter: 'metric.type="pubsub.googleapis.com/subscription/oldest_unacked_message_age"',
      aggregation: { alignmentSeconds: 60, aligner: 'ALIGN_MAX' },
      above: 600,
      forSeconds: 300,
    },
  ],
  runbook: RUNBOOK,
  notificationChannels: ['projects/p/notificationChannels/1'],
  labels: { tributary_signal: 'pubsub-delivery-backlog', stream: 'order' },
};

describe('AlertPolicy', () => {
  test('renders the runbook as Markdown documentation, with the condition, channels and labels', () => {
    const stack = testStack();
    new AlertPolicy(stack, 'Alert', {
      ...BASE,
      links: [{ displayName: 'Dashboards', url: 'https://x.example' }],
    });
    const [policy] = resources(synth(stack), 'google_monitoring_alert_policy');
    expect(policy).toMatchObject({
      display_name: 'order: backlog',
      combiner: 'AND',
      severity: 'ERROR',
      notification_channels: ['projects/p/notificationChannels/1'],
      user_labels: BASE.labels,
      documentation: {
        mime_type: 'text/markdown',
        subject: '[ERROR] order: backlog',
        content: renderRunbook('order: backlog', RUNBOOK),
        links: [{ display_name: 'Dashboards', url: 'https://x.example' }],
      },
      conditions: [
        {
          display_name: 'oldest unacked',
          condition_threshold: {
            comparison: 'COMPARISON_GT',
            threshold_value: 600,
            duration: '300s',
            aggregations: [{ alignment_period: '60s', per_series_aligner: 'ALIGN_MAX' }],
          },
        },
      ],
    });
    expect(renderRunbook('t', RUNBOOK)).toContain(
      '1. a\n\n   ```sh\n   gcloud pubsub subscriptions describe s --project=p\n   ```',
    );
  });

  test('a log-match policy stands alone and gets the notification rate limit Cloud Monitoring requires', () => {
    const stack = testStack();
    new AlertPolicy(stack, 'Alert', {
      ...BASE,
      conditions: [{ kind: 'log-match', name: 'failed', filter: 'x="y"' }],
    });
    const [policy] = resources(synth(stack), 'google_monitoring_alert_policy');
    expect(policy).toMatchObject({
      conditions: [{ condition_matched_log: { filter: 'x="y"' } }],
      alert_strategy: { notification_rate_limit: { period: '300s' } },
    });
    const mixed = errorOf(
      () =>
        new AlertPolicy(testStack(), 'Alert', {
          ...BASE,
          conditions: [...BASE.conditions, { kind: 'log-match', name: 'failed', filter: 'x="y"' }],
        }),
    ).message;
    expect(mixed).toContain('conditions = 2: a log-match condition must be the only one');
  });

  test('burn-rate and ratio conditions take the forms Cloud Monitoring expects', () => {
    const stack = testStack();
    new AlertPolicy(stack, 'Alert', {
      ...BASE,
      conditions: [
        {
          kind: 'burn-rate',
          name: 'fast',
          slo: 'projects/p/services/s/serviceLevelObjectives/o',
          lookbackSeconds: 3600,
          above: 14.4,
        },
        {
          kind: 'ratio',
          name: 'share',
          numerator: 'a="5xx"',
          denominator: 'a="all"',
          aggregation: {
            alignmentSeconds: 300,
            aligner: 'ALIGN_RATE',
            reducer: 'REDUCE_SUM',
            groupBy: ['g'],
          },
          above: 0.01,
          forSeconds: 300,
        },
      ],
    });
    const [policy] = resources(synth(stack), 'google_monitoring_alert_policy');
    const [burn, ratio] = (policy as { conditions: Record<string, Record<string, unknown>>[] }).conditions;
    expect(burn?.condition_threshold?.filter).toBe(
      'select_slo_burn_rate("projects/p/services/s/serviceLevelObjectives/o", "3600s")',
    );
    expect(ratio?.condition_threshold).toMatchObject({
      filter: 'a="5xx"',
      denominator_filter: 'a="all"',
      denominator_aggregations: [
        { alignment_period: '300s', cross_series_reducer: 'REDUCE_SUM', group_by_fields: ['g'] },
      ],
    });
  });

  test('fails an incomplete runbook, odd durations and no channels, every problem at once', () => {
    const message = errorOf(
      () =>
        new AlertPolicy(testStack(), 'Alert', {
          ...BASE,
          conditions: [
            { ...(BASE.conditions[0] as Extract<AlertCondition, { kind: 'threshold' }>), forSeconds: 90 },
          ],
          runbook: {
            meaning: ' ',
            checks: [{ why: 'x', command: 'curl https://x' }],
            recover: [],
            confirm: [],
          },
          notificationChannels: [],
        }),
    ).message;
    for (const problem of [
      'conditions[0].forSeconds = 90: must be a whole number of minutes, in seconds',
      'runbook must say what the alert means',
      'runbook must give exactly three first checks (it gives 1)',
      'runbook check 1 must be a gcloud, bq or gsutil command (it is "curl https://x")',
      'runbook must say how to recover',
      'runbook must say how to confirm nothing was lost',
      'notificationChannels = 0: must name at least one channel',
    ])
      expect(message).toContain(problem);
    const long = errorOf(
      () =>
        new AlertPolicy(testStack(), 'Alert', {
          ...BASE,
          runbook: { ...RUNBOOK, meaning: 'x'.repeat(9000) },
        }),
    ).message;
    expect(long).toMatch(
      /runbook renders to \d+ characters \/ \d+ bytes; Cloud Monitoring takes at most 8192 \/ 10240/,
    );
  });
});

describe('NotificationChannel', () => {
  test('email, webhook and Pub/Sub channels; the Pub/Sub one lets the Monitoring agent publish to that topic only', () => {
    const stack = testStack();
    new NotificationChannel(stack, 'Email', {
      displayName: 'e',
      target: { kind: 'email', address: 'oncall@example.com' },
    });
    new NotificationChannel(stack, 'Hook', {
      displayName: 'w',
      target: { kind: 'webhook', url: 'https://chat.example.com/h' },
    });
    new NotificationChannel(stack, 'Chat', {
      displayName: 'p',
      target: { kind: 'pubsub', topic: 'projects/trb-test-project/topics/alerts' },
      projectNumber: '123456789012',
    });
    const json = synth(stack);
    expect(
      resources(json, 'google_monitoring_notification_channel')
        .map((c) => [c.type, c.labels])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['email', { email_address: 'oncall@example.com' }],
      ['pubsub', { topic: 'projects/trb-test-project/topics/alerts' }],
      ['webhook_tokenauth', { url: 'https://chat.example.com/h' }],
    ]);
    expect(resources(json, 'google_pubsub_topic_iam_member')).toEqual([
      expect.objectContaining({
        topic: 'alerts',
        project: 'trb-test-project',
        role: 'roles/pubsub.publisher',
        member: 'serviceAccount:service-123456789012@gcp-sa-monitoring-notification.iam.gserviceaccount.com',
      }),
    ]);
  });

  test('fails an address, a URL and a topic that are not one', () => {
    const stack = testStack();
    expect(
      errorOf(
        () =>
          new NotificationChannel(stack, 'A', {
            displayName: 'a',
            target: { kind: 'email', address: 'oncall' },
          }),
      ).message,
    ).toContain('target.address = "oncall": must be an email address');
    expect(
      errorOf(
        () =>
          new NotificationChannel(stack, 'B', {
            displayName: 'b',
            target: { kind: 'webhook', url: 'http://x' },
          }),
      ).message,
    ).toContain('target.url = "http://x": must be an https:// URL');
    expect(
      errorOf(
        () =>
          new NotificationChannel(stack, 'C', {
            displayName: 'c',
            target: { kind: 'pubsub', topic: 'alerts' },
          }),
      ).message,
    ).toContain('target.topic = "alerts": must be projects/<project>/topics/<topic>');
  });
});

describe('Dashboard and FreshnessSlo', () => {
  test('a mosaic of rows: a full-width header, then the row’s widgets in equal widths, never overlapping', () => {
    const chart = {
      kind: 'chart' as const,
      title: 'c',
      filter: 'f',
      aggregation: { alignmentSeconds: 60, aligner: 'ALIGN_MAX' },
    };
    const tiles = mosaicTiles([
      { title: 'A', widgets: [chart, chart, chart] },
      { title: 'B', widgets: [{ kind: 'logs', title: 'l', filter: 'x' }] },
    ]);
    expect(tiles.map((t) => [t.xPos, t.yPos, t.width, t.height])).toEqual([
      [0, 0, COLUMNS, 4],
      [0, 4, 16, 16],
      [16, 4, 16, 16],
      [32, 4, 16, 16],
      [0, 20, COLUMNS, 4],
      [0, 24, COLUMNS, 16],
    ]);
    const stack = testStack();
    new Dashboard(stack, 'Dash', { displayName: 'Tributary test', rows: [{ title: 'A', widgets: [chart] }] });
    const [dash] = resources(synth(stack), 'google_monitoring_dashboard');
    expect(JSON.parse(String(dash?.dashboard_json))).toMatchObject({
      displayName: 'Tributary test',
      mosaicLayout: { columns: 48 },
    });
    expect(
      errorOf(
        () =>
          new Dashboard(testStack(), 'D', {
            displayName: 'x',
            rows: [{ title: 'A', widgets: [chart, chart, chart, chart, chart] }],
          }),
      ).message,
    ).toContain('rows[0].widgets = 5: must hold 1 to 4 widgets');
  });

  test('a windows-based freshness SLO on an age series, and its validation', () => {
    const stack = testStack();
    new FreshnessSlo(stack, 'Slo', {
      serviceId: 'trb-tst-order',
      displayName: 'order',
      ageSeries: 'metric.type="x"',
      boundMinutes: 10,
      goal: 0.99,
    });
    const json = synth(stack);
    expect(resources(json, 'google_monitoring_custom_service')).toEqual([
      expect.objectContaining({ service_id: 'trb-tst-order' }),
    ]);
    expect(resources(json, 'google_monitoring_slo')).toEqual([
      expect.objectContaining({
        slo_id: 'trb-tst-order-freshness',
        goal: 0.99,
        rolling_period_days: 28,
        windows_based_sli: {
          window_period: '60s',
          metric_mean_in_range: { time_series: 'metric.type="x"', range: { max: 600 } },
        },
      }),
    ]);
    const message = errorOf(
      () =>
        new FreshnessSlo(testStack(), 'Slo', {
          serviceId: 'Bad_Id',
          displayName: 'x',
          ageSeries: 'x',
          boundMinutes: 0,
          goal: 1,
        }),
    ).message;
    expect(message).toContain('serviceId = "Bad_Id": must be 2-63 lowercase letters');
    expect(message).toContain('boundMinutes = 0: must be a whole number of minutes from 1 to 1440');
    expect(message).toContain('goal = 1: must be above 0 and at most 0.999');
  });
});
