import { MonitoringCustomService } from '@cdktf/provider-google/lib/monitoring-custom-service';
import { MonitoringSlo } from '@cdktf/provider-google/lib/monitoring-slo';
import { Construct } from 'constructs';
import { constructChecks } from '../core/validation';

export interface FreshnessSloProps {
  /** Names the custom service and the SLO: lowercase letters, digits and hyphens. */
  readonly serviceId: string;
  readonly displayName: string;
  /**
   * A GAUGE series in seconds that bounds how long the oldest event not yet queryable has waited: the Dataflow
   * job's data watermark age, or the BigQuery subscription's oldest unacknowledged message age.
   */
  readonly ageSeries: string;
  /** Events are queryable within this many minutes in a good minute. */
  readonly boundMinutes: number;
  /** Share of good minutes, for example 0.99. */
  readonly goal: number;
  /** @default 28 */
  readonly rollingPeriodDays?: number;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
}

const ID = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * A freshness SLO: a custom service and a windows-based SLO whose good minutes are those in which the age of the
 * oldest event not yet queryable stays within the bound (`metric_mean_in_range` over one-minute windows). That
 * is stricter than "the share of events within the bound", so meeting it meets that.
 */
export class FreshnessSlo extends Construct {
  public readonly service: MonitoringCustomService;
  public readonly resource: MonitoringSlo;

  constructor(scope: Construct, id: string, props: FreshnessSloProps) {
    super(scope, id);
    const c = constructChecks(this);
    c.rule(
      'serviceId',
      props.serviceId,
      'must be 2-63 lowercase letters, digits and hyphens, starting with a letter',
      (s) => ID.test(s),
    );
    c.rule(
      'boundMinutes',
      props.boundMinutes,
      'must be a whole number of minutes from 1 to 1440',
      (m) => Number.isInteger(m) && m >= 1 && m <= 1440,
    );
    c.rule('goal', props.goal, 'must be above 0 and at most 0.999', (g) => g > 0 && g <= 0.999);
    const days = props.rollingPeriodDays ?? 28;
    c.rule(
      'rollingPeriodDays',
      days,
      'must be a whole number of days from 1 to 30',
      (d) => Number.isInteger(d) && d >= 1 && d <= 30,
    );
    c.throwIfAny();
    const project = props.project ? { project: props.project } : {};
    this.service = new MonitoringCustomService(this, 'Service', {
      ...project,
      serviceId: props.serviceId,
      displayName: props.displayName,
    });
    this.resource = new MonitoringSlo(this, 'Resource', {
      ...project,
      service: this.service.serviceId,
      sloId: `${props.serviceId}-freshness`,
      displayName: `${Math.round(props.goal * 1000) / 10}% of minutes: ${props.displayName} within ${props.boundMinutes} min`,
      goal: props.goal,
      rollingPeriodDays: days,
      windowsBasedSli: {
        windowPeriod: '60s',
        metricMeanInRange: { timeSeries: props.ageSeries, range: { max: props.boundMinutes * 60 } },
      },
    });
  }

  /** `projects/<p>/services/<s>/serviceLevelObjectives/<id>`, what burn-rate selectors take. */
  public get name(): string {
    return this.resource.name;
  }
}
