import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { contentSha256 } from '../../../core/names';
import { dagSource, RELEASE_VARS_ENV } from '../../../orchestration/airflow';
import {
  DAGS_REPORT,
  type DagSpec,
  type DagsReport,
  type OrchestrationTargets,
  orchestrationGraph,
} from '../../../orchestration/graph';
import { ComposerEnvironment, type ComposerEnvironmentProps } from '../../composer/composer-environment';
import { connect, describeGroup, describeNode } from '../../core/architecture';
import { addStackReport } from '../../core/reports';
import type { IServiceIdentity } from '../../iam/service-identity';
import { DataBucket } from '../../storage/data-bucket';
import { HashedObject } from '../../storage/hashed-object';
import type { DeployerRole, IPlatformFoundation } from '../foundation/foundation';
import { keyProp } from '../foundation/key-map';
import type { PlatformLoader } from '../loader/platform-loader';
import type { PlatformModels } from '../models/platform-models';

/** The `orchestration` section of an environment file. */
export interface OrchestrationSettings {
  /**
   * Run the DAGs on Cloud Composer 3 (about $300-400 a month for a small environment, 20-40 minutes to create).
   * @default - no Composer: the graph's scheduled model runs become Dataform workflow configs (no extra cost)
   */
  readonly composer?: Pick<
    ComposerEnvironmentProps,
    'imageVersion' | 'size' | 'workloads' | 'maintenanceWindow' | 'webServerAllowedRanges'
  >;
}

export interface PlatformOrchestrationProps extends OrchestrationSettings {
  readonly foundation: IPlatformFoundation;
  readonly models: PlatformModels;
  /** @default - no batch catch-up */
  readonly loader?: PlatformLoader;
}

/**
 * Orchestration as the control plane: the typed workflow graph (orchestration/graph.ts) built from the models'
 * repository and release, the loader and the contracts, run either by Cloud Composer 3 (the DAG files are
 * content-hashed objects in the environment's DAG folder) or, without Composer, by Dataform workflow configs
 * for the scheduled model runs. The orchestrator identity gets composer.worker and exactly what its DAGs do:
 * invoke the models' repository (and act as its identity), start the loader with overrides, list the landing
 * bucket to find uploads without a result.
 */
export class PlatformOrchestration extends Construct {
  public static readonly REQUIRED_SERVICES: readonly string[] = ['composer.googleapis.com'];
  public static readonly DEPLOYER_ROLES: readonly DeployerRole[] = [
    { role: 'roles/composer.admin', why: 'creates the Composer environment' },
  ];
  public static readonly PLANNER_ROLES: readonly DeployerRole[] = [
    {
      role: 'roles/composer.environmentAndStorageObjectViewer',
      why: 'reads the Composer environment and its bucket objects (the DAG files)',
    },
  ];

  public readonly graph: readonly DagSpec[];
  public readonly targets: OrchestrationTargets;
  public readonly identity?: IServiceIdentity;
  public readonly environment?: ComposerEnvironment;
  public readonly dags: readonly HashedObject[];
  /** The DAGs that run here: all of them on Composer, the scheduled model runs as workflow configs without. */
  public readonly running: readonly DagSpec[];
  /** Without Composer: the Dataform workflow config id running each DAG, by DAG id. */
  public readonly workflowConfigIds: Readonly<Record<string, string>> = {};

  constructor(scope: Construct, id: string, props: PlatformOrchestrationProps) {
    super(scope, id);
    const f = props.foundation;
    const { models, loader } = props;
    this.targets = {
      project: f.projectId,
      region: f.region,
      namePrefix: f.namePrefix,
      dataform: { repository: models.repository.repositoryId, gitCommitish: models.gitCommitish, vars: {} },
      ...(loader
        ? {
            loader: {
              jobName: loader.job.jobName,
              bucket: f.buckets.landing.bucketName,
              streams: loader.manifest.streams.map((s) => s.name),
            },
          }
        : {}),
      contracts: models.project.staging.map((s) => s.contract),
    };
    this.graph = orchestrationGraph(this.targets);
    describeGroup(this, 'orchestration');
    // What the DAGs are, for the PR preview: a changed source or schedule is a changed DAG.
    addStackReport(this, DAGS_REPORT, () => {
      const report: DagsReport = {
        runner: props.composer ? 'composer' : 'dataform-workflow-configs',
        dags: this.running.map((d) => ({
          dagId: d.dagId,
          schedule: d.schedule,
          description: d.description,
          sha256: contentSha256(dagSource(d, this.targets)),
        })),
      };
      return `${JSON.stringify(report, null, 2)}\n`;
    });

    if (!props.composer) {
      // The same graph, without Composer: each scheduled DAG that only runs tagged models is a workflow config.
      const running: DagSpec[] = [];
      for (const dag of this.graph) {
        const tags = dag.tasks.flatMap((t) =>
          t.kind === 'dataform-invoke' && 'tags' in t.select ? t.select.tags : [],
        );
        const other = dag.tasks.some((t) => t.kind === 'dataform-invoke' && !('tags' in t.select));
        if (dag.schedule === null || tags.length === 0 || other) continue;
        const config = models.repository.addWorkflowConfig(`Dag-${dag.dagId.replace(/_/g, '-')}`, {
          releaseConfig: models.release,
          cronSchedule: dag.schedule,
          includedTags: tags,
        });
        (this.workflowConfigIds as Record<string, string>)[dag.dagId] = config.nameInput as string;
        running.push(dag);
      }
      this.running = running;
      this.dags = [];
      return;
    }

    this.running = this.graph;
    const identity = f.workloadIdentity('orchestrator', 'Composer: runs the platform DAGs');
    this.identity = identity;
    f.project.grant(identity, 'roles/composer.worker');
    models.repository.grantInvoke(identity);
    // Dataform's strict act-as: an invocation runs as the models' identity, so its caller must act as it.
    models.identity.grant(identity, 'roles/iam.serviceAccountUser');
    if (loader) {
      loader.job.grantRunWithOverrides(identity);
      // Finding uploads without a result lists the bucket; listing is granted on buckets, not prefixes.
      f.buckets.landing.grantRead(identity);
    }
    const bucket = new DataBucket(this, 'Bucket', {
      bucketName: `${f.projectId}-composer`,
      location: f.region.toUpperCase(),
      project: f.projectId,
      projectNumber: f.projectNumber,
      ...keyProp(f.keyFor('storage', f.region)),
      // DAG files, logs and data the environment writes; the DAGs are regenerated on every deploy.
      preventDestroy: false,
    });
    bucket.grantObjectAdmin(identity);
    this.environment = new ComposerEnvironment(this, 'Environment', {
      ...props.composer,
      environmentName: `${f.namePrefix}-composer`,
      region: f.region,
      project: f.projectId,
      ...(f.projectNumber ? { projectNumber: f.projectNumber } : {}),
      identity,
      bucket,
      ...(f.network ? { network: f.network } : {}),
      envVariables: { [RELEASE_VARS_ENV]: Fn.jsonencode(models.releaseVars) },
      preventDestroy: f.deletionProtection,
      ...keyProp(f.keyFor('composer', f.region)),
    });
    this.dags = this.graph.map(
      (dag) =>
        new HashedObject(this, `Dag-${dag.dagId}`, {
          bucket,
          folder: 'dags',
          baseName: dag.dagId,
          extension: 'py',
          content: dagSource(dag, this.targets),
          contentType: 'text/x-python',
          role: 'airflow-dag',
        }),
    );
    describeNode(this.environment, { shape: 'workflow', label: `Composer ${f.namePrefix}-composer` });
    for (const [i, dag] of this.graph.entries()) {
      const object = this.dags[i] as HashedObject;
      describeNode(object, { shape: 'job', label: `DAG ${dag.dagId} (${dag.schedule ?? 'on demand'})` });
      connect(this.environment, object, 'runs', 'reference');
    }
    connect(this.environment, models.repository, 'runs models');
    if (loader) connect(this.environment, loader.job, 'catch-up');
  }
}
