import type { GoogleDataformRepositoryReleaseConfig } from '@cdktf/provider-google-beta/lib/google-dataform-repository-release-config';
import { Construct } from 'constructs';
import type { Contract } from '../../../contracts/model';
import { CRON_SCHEDULE, IAM_MEMBER } from '../../../core/gcp';
import type { Checks } from '../../../core/validation';
import type { CuratedModel } from '../../../models/curated';
import { PII_POLICY_TAG_VAR, type WarehouseProject, warehouseProject } from '../../../models/project';
import { AnalyticsDataset } from '../../bigquery/analytics-dataset';
import { connect, describeGroup, describeNode } from '../../core/architecture';
import { addStackReport } from '../../core/reports';
import { childChecks } from '../../core/validation';
import { type PolicyTag, PolicyTaxonomy } from '../../datacatalog/policy-taxonomy';
import { DataformRepository } from '../../dataform/dataform-repository';
import { Principal, ServiceAgent } from '../../iam/principal';
import type { IServiceIdentity } from '../../iam/service-identity';
import { RuntimeSecret } from '../../run/runtime-secret';
import type { DeployerRole, IPlatformFoundation } from '../foundation/foundation';
import { keyProp } from '../foundation/key-map';
import type { IEventStreams } from '../streams/event-streams';

/** The `models` section of an environment file. */
export interface ModelsSettings {
  /** The git remote Dataform pulls the generated project from (`npm run dataform:push` pushes it there). */
  readonly git: { readonly url: string; readonly branch: string };
  /** IAM members who may read PII columns (fine-grained read on the pii policy tag). @default - none */
  readonly piiReaders?: readonly string[];
  /**
   * Run the models on a schedule with a workflow config (dev). Elsewhere the orchestration runs them.
   * @default - no schedule
   */
  readonly schedule?: { readonly cron: string; readonly timeZone?: string };
  /** Hours within which each stream's newest event must be. @default 6 */
  readonly freshnessHours?: number;
  /** Per stream, overriding freshnessHours. @default - none */
  readonly freshnessHoursByStream?: Readonly<Record<string, number>>;
}

export interface PlatformModelsProps extends ModelsSettings {
  readonly foundation: IPlatformFoundation;
  /** The streams whose raw tables the staging models read. */
  readonly streams: IEventStreams;
  /** Retired contract versions (the lock's): their raw tables are read too. @default - none */
  readonly retired?: readonly Contract[];
  /** @default - none */
  readonly curated?: readonly CuratedModel[];
  /** Hand-written SQLX/JS models by path under definitions/custom/. @default - none */
  readonly custom?: Readonly<Record<string, string>>;
}

/** The report each stack with models writes: the models, their targets, dependencies and definition hashes. */
export const MODELS_REPORT = 'models.json';

export function checkModelsSettings(c: Checks, s: ModelsSettings, prefix = ''): void {
  c.require(`${prefix}git.url`, s.git?.url);
  c.rule(
    `${prefix}git.url`,
    s.git?.url,
    'must be an https:// git URL (the repository Dataform pulls from)',
    (u) => /^https:\/\/\S+$/.test(u),
  );
  c.rule(
    `${prefix}git.branch`,
    s.git?.branch,
    'must be a branch name',
    (b) => /^[\w./-]+$/.test(b) && !b.includes('..'),
  );
  for (const [i, m] of (s.piiReaders ?? []).entries()) c.check(`${prefix}piiReaders[${i}]`, m, IAM_MEMBER);
  c.check(`${prefix}schedule.cron`, s.schedule?.cron, CRON_SCHEDULE);
  const hours = (v: number) => Number.isInteger(v) && v >= 1 && v <= 24 * 30;
  c.rule(`${prefix}freshnessHours`, s.freshnessHours, 'must be a whole number of hours from 1 to 720', hours);
  for (const [stream, h] of Object.entries(s.freshnessHoursByStream ?? {}))
    c.rule(
      `${prefix}freshnessHoursByStream.${stream}`,
      h,
      'must be a whole number of hours from 1 to 720',
      hours,
    );
}

/**
 * The warehouse-models capability: the Dataform project generated from the streams' contracts and the curated
 * models, and what runs it. A Dataform repository (google-beta) pulling the project from git, its own identity
 * (read on raw; write on staging, curated and the assertion dataset; BigQuery jobs; the Dataform service agent
 * may mint its tokens, nothing more), a release config compiling it with the PII policy tag, and in dev a
 * scheduled workflow. PII columns carry the tag of a per-environment taxonomy; only `piiReaders` read them.
 */
export class PlatformModels extends Construct {
  public static readonly REQUIRED_SERVICES: readonly string[] = [
    'dataform.googleapis.com',
    'datacatalog.googleapis.com',
  ];
  public static readonly DEPLOYER_ROLES: readonly DeployerRole[] = [
    {
      role: 'roles/dataform.admin',
      why: 'creates the Dataform repository and its release and workflow configs',
    },
    {
      role: 'roles/datacatalog.categoryAdmin',
      why: 'creates the PII policy taxonomy and grants read on its tags',
    },
  ];
  public static readonly PLANNER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/dataform.viewer', why: 'reads the Dataform repository and its configs' },
    { role: 'roles/datacatalog.viewer', why: 'reads the policy taxonomy' },
  ];

  /** The generated project (its files, staging and curated models, manifest). */
  public readonly project: WarehouseProject;
  public readonly identity: IServiceIdentity;
  public readonly repository: DataformRepository;
  public readonly taxonomy: PolicyTaxonomy;
  public readonly piiTag: PolicyTag;
  public readonly assertions: AnalyticsDataset;
  /** The release config: the released git ref compiled with the PII tag variable. */
  public readonly release: GoogleDataformRepositoryReleaseConfig;
  /** The git ref the release compiles. */
  public readonly gitCommitish: string;
  /** The release's compilation variables (the PII tag's name is a token until apply). */
  public readonly releaseVars: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PlatformModelsProps) {
    const c = childChecks(scope, id, 'PlatformModels');
    checkModelsSettings(c, props);
    c.throwIfAny();
    super(scope, id);
    describeGroup(this, 'Warehouse models');
    const f = props.foundation;
    const datasets = {
      raw: f.datasets.raw.datasetId,
      staging: f.datasets.staging.datasetId,
      curated: f.datasets.curated.datasetId,
      assertions: `${f.namePrefix.replace(/-/g, '_')}_assertions`,
    };
    const contracts = Object.values(props.streams.streams).map((s) => s.contract);
    const rawTimeTravel = (f.datasets.raw as { maxTimeTravelHours?: number }).maxTimeTravelHours ?? 168;
    this.project = warehouseProject({
      project: f.projectId,
      location: f.dataLocation,
      datasets,
      contracts,
      retired: props.retired ?? [],
      curated: props.curated ?? [],
      custom: props.custom ?? {},
      timeTravelHours: rawTimeTravel,
      ...(props.freshnessHours !== undefined ? { freshnessHours: props.freshnessHours } : {}),
      ...(props.freshnessHoursByStream ? { freshnessHoursByStream: props.freshnessHoursByStream } : {}),
    });

    this.assertions = new AnalyticsDataset(this, 'AssertionsDataset', {
      datasetId: datasets.assertions,
      layer: 'assertions',
      location: f.dataLocation,
      project: f.projectId,
      projectNumber: f.projectNumber,
      deletionProtection: f.deletionProtection,
      ...keyProp(f.keyFor('bigquery', f.dataLocation)),
    });
    const identity = f.workloadIdentity(
      'dataform',
      'Dataform: runs the warehouse models (staging, curated, assertions)',
    );
    this.identity = identity;
    f.datasets.raw.grantDataViewer(identity);
    f.datasets.staging.grantDataEditor(identity);
    f.datasets.curated.grantDataEditor(identity);
    this.assertions.grantDataEditor(identity);
    f.project.grant(identity, 'roles/bigquery.jobUser');
    const agent = ServiceAgent.of(this, 'dataform', { project: f.projectId, projectNumber: f.projectNumber });
    // Strict act-as: Dataform's service agent mints tokens for the models' identity and holds nothing itself.
    identity.grantTokenCreator(agent);

    this.taxonomy = new PolicyTaxonomy(this, 'PiiTaxonomy', {
      displayName: `${f.namePrefix} personal data`,
      description: `Policy tags of ${f.namePrefix}: columns from contract fields flagged pii, in staging and curated.`,
      dataLocation: f.dataLocation,
      project: f.projectId,
      tags: { pii: 'Personal data: contract fields flagged pii (and the event ids built from them).' },
    });
    this.piiTag = this.taxonomy.tags.pii as PolicyTag;
    for (const m of props.piiReaders ?? []) this.piiTag.grantFineGrainedRead(Principal.fromMember(m));

    const token = new RuntimeSecret(this, 'GitToken', {
      secretId: `${f.namePrefix}-dataform-git-token`,
      region: f.region,
      project: f.projectId,
      deletionProtection: f.deletionProtection,
      ...keyProp(f.keyFor('secretmanager', f.region)),
      labels: { component: 'models' },
    });
    token.grantRead(agent);
    this.repository = new DataformRepository(this, 'Repository', {
      repositoryId: `${f.namePrefix}-models`,
      region: f.region,
      identity,
      git: {
        url: props.git.url,
        branch: props.git.branch,
        tokenSecretVersion: `${token.resource.id}/versions/latest`,
      },
      project: f.projectId,
      ...keyProp(f.keyFor('dataform', f.region)),
    });
    this.gitCommitish = props.git.branch;
    this.releaseVars = { [PII_POLICY_TAG_VAR]: this.piiTag.name, curated_dataset: datasets.curated };
    const release = this.repository.addReleaseConfig('Release', {
      gitCommitish: props.git.branch,
      cronSchedule: '0 * * * *',
      defaultDatabase: f.projectId,
      defaultLocation: f.dataLocation,
      defaultSchema: datasets.staging,
      assertionSchema: datasets.assertions,
      vars: this.releaseVars,
    });
    this.release = release;
    if (props.schedule)
      this.repository.addWorkflowConfig('Scheduled', {
        releaseConfig: release,
        cronSchedule: props.schedule.cron,
        ...(props.schedule.timeZone ? { timeZone: props.schedule.timeZone } : {}),
      });

    // What the models are, for the PR preview: a changed definition is a changed model.
    addStackReport(
      this,
      MODELS_REPORT,
      () =>
        `${JSON.stringify({ repository: `${f.namePrefix}-models`, branch: props.git.branch, models: this.project.models }, null, 2)}\n`,
    );

    // The diagram: every model a node, from the raw tables through staging to the curated models.
    const nodes = new Map<string, Construct>();
    for (const m of this.project.models.filter((x) => x.kind !== 'assertion')) {
      const node = new Construct(this, `Model-${m.name}`);
      describeNode(node, {
        shape: m.kind === 'view' ? 'subscription' : 'table',
        label: `${m.kind} ${m.target}`,
      });
      nodes.set(m.name, node);
    }
    for (const s of Object.values(props.streams.streams)) {
      const stg = nodes.get(`stg_${s.contract.name}`);
      if (stg && s.table) connect(s.table, stg, 'APPENDS');
    }
    for (const m of this.project.models)
      for (const d of m.dependsOn) {
        const from = nodes.get(d);
        const to = nodes.get(m.name);
        if (from && to) connect(from, to);
      }
  }
}
