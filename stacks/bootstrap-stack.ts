import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool';
import { IamWorkloadIdentityPoolProvider } from '@cdktf/provider-google/lib/iam-workload-identity-pool-provider';
import { LocalBackend } from 'cdktf';
import { Construct } from 'constructs';
import { connect, describeGroup, describeNode } from '../constructs/core/architecture';
import { addDependencies } from '../constructs/core/dependencies';
import { Principal } from '../constructs/iam/principal';
import { GcpProject } from '../constructs/iam/project';
import { PROJECT_ONLY_ROLES } from '../constructs/iam/roles';
import { ServiceIdentity } from '../constructs/iam/service-identity';
import { KeyMap, keyProp } from '../constructs/platform/foundation/key-map';
import { TributaryStack } from '../constructs/platform/stack/tributary-stack';
import { StreamingPlatform } from '../constructs/platform/streaming-platform';
import { ContainerRepository, RUNTIME_REPOSITORY_ID } from '../constructs/run/container-repository';
import { DataBucket } from '../constructs/storage/data-bucket';
import { PROJECT_ID } from '../core/gcp';
import { Checks } from '../core/validation';
import { deployerAccountId, plannerAccountId } from './deployer';
import type { BootstrapConfig } from './environments/bootstrap';
import { type EnvironmentConfig, REQUIRED_LABELS } from './environments/types';
import { validateEnvironment } from './environments/validate';

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * Run once per organisation with admin credentials and a local state file: state buckets, a deployer and a
 * read-only planner per environment, a Workload Identity Federation pool for GitHub Actions, the APIs each project needs, and the
 * container repository of each environment (images are pushed before the environment that runs them deploys).
 */
export class BootstrapStack extends TributaryStack {
  public readonly deployers: Readonly<Record<string, ServiceIdentity>>;
  /** Per environment: the read-only identity pull-request previews plan with. */
  public readonly planners: Readonly<Record<string, ServiceIdentity>>;
  public readonly stateBuckets: Readonly<Record<string, DataBucket>>;
  public readonly repositories: Readonly<Record<string, ContainerRepository>>;

  constructor(scope: Construct, id: string, config: BootstrapConfig) {
    validateBootstrap(config);
    super(scope, id, {
      environment: 'bootstrap',
      // State buckets and deployers are as precious as production data.
      production: true,
      project: config.ciProjectId,
      region: config.region,
      labels: config.labels,
      requiredLabels: REQUIRED_LABELS,
    });
    // Relative to cdktf.out/stacks/bootstrap: the state file lives at the repository root, outside cdktf.out,
    // so cleaning the build output never deletes it. It is git-ignored; see the README for moving it to GCS.
    new LocalBackend(this, { path: '../../../terraform.bootstrap.tfstate' });

    const ci = new GcpProject(this, 'CiProject', { projectId: config.ciProjectId });
    const ciServices = ci.enableServices([
      'iam.googleapis.com',
      'iamcredentials.googleapis.com',
      'sts.googleapis.com',
      'cloudresourcemanager.googleapis.com',
    ]);
    const pool = new IamWorkloadIdentityPool(this, 'CiPool', {
      project: config.ciProjectId,
      workloadIdentityPoolId: config.workloadIdentityPoolId,
      displayName: 'Tributary CI',
      description: `GitHub Actions of ${config.githubRepository}`,
      dependsOn: ciServices,
    });
    new IamWorkloadIdentityPoolProvider(this, 'GithubProvider', {
      project: config.ciProjectId,
      workloadIdentityPoolId: pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: config.workloadIdentityProviderId,
      displayName: 'GitHub Actions',
      attributeMapping: {
        'google.subject': 'assertion.sub',
        'attribute.repository': 'assertion.repository',
        'attribute.environment': 'assertion.environment',
        'attribute.ref': 'assertion.ref',
      },
      // Only this repository's tokens are exchanged at all; per-environment access is decided below.
      attributeCondition: `assertion.repository == "${config.githubRepository}"`,
      oidc: { issuerUri: GITHUB_ISSUER },
    });

    describeNode(pool, { shape: 'external', label: `GitHub Actions of ${config.githubRepository} (WIF)` });
    const deployers: Record<string, ServiceIdentity> = {};
    const planners: Record<string, ServiceIdentity> = {};
    const stateBuckets: Record<string, DataBucket> = {};
    const repositories: Record<string, ContainerRepository> = {};
    for (const env of config.environments) {
      const scope = new Construct(this, env.name);
      const project = new GcpProject(scope, 'Project', { projectId: env.foundation.project });
      const services = project.enableServices(StreamingPlatform.REQUIRED_SERVICES);

      const state = new DataBucket(scope, 'StateBucket', {
        bucketName: env.state.bucket,
        location: env.foundation.dataLocation,
        project: env.foundation.project,
        versioned: true,
        // Old state versions are the undo history; keep the last 10 for 90 days.
        lifecycleRules: [{ action: 'DeleteNoncurrent', noncurrentDays: 90, keepVersions: 10 }],
        preventDestroy: true,
      });
      addDependencies(state.resource, ...services);

      const deployer = new ServiceIdentity(scope, 'Deployer', {
        name: 'deployer',
        prefix: env.foundation.namePrefix,
        accountId: deployerAccountId(env),
        project: env.foundation.project,
        description: `Deploys Tributary ${env.name} from CI (GitHub environment "${env.name}")`,
      });
      addDependencies(deployer.resource, ...services);
      state.grantObjectAdmin(deployer);
      for (const { role, why } of StreamingPlatform.DEPLOYER_ROLES) {
        if (PROJECT_ONLY_ROLES.includes(role)) project.grant(deployer, role);
        else project.grantProjectWide(deployer, role, `Deployer ${why}`);
      }
      // A GitHub job gets this identity only when it runs in the GitHub environment of the same name, whose
      // protection rules (branches, reviewers) decide who may deploy.
      deployer.grantWorkloadIdentityUser(
        Principal.principalSet(pool.name, 'environment', env.name, config.workloadIdentityPoolId),
      );
      // The planner runs `terraform plan -lock=false` for pull-request previews: the same repository-scoped trust,
      // read on the state and read-only roles, and none of the deployer's write roles.
      const planner = new ServiceIdentity(scope, 'Planner', {
        name: 'planner',
        prefix: env.foundation.namePrefix,
        accountId: plannerAccountId(env),
        project: env.foundation.project,
        description: `Plans Tributary ${env.name} for pull-request previews (read-only)`,
      });
      addDependencies(planner.resource, ...services);
      state.grantRead(planner);
      for (const { role, why } of StreamingPlatform.PLANNER_ROLES) {
        if (PROJECT_ONLY_ROLES.includes(role)) project.grant(planner, role);
        else project.grantProjectWide(planner, role, `Planner ${why}`);
      }
      planner.grantWorkloadIdentityUser(
        Principal.principalSet(
          pool.name,
          'repository',
          config.githubRepository,
          config.workloadIdentityPoolId,
        ),
      );
      describeGroup(scope, `environment ${env.name}`);
      describeNode(deployer, { shape: 'identity', label: `deployer ${deployerAccountId(env)}` });
      describeNode(planner, { shape: 'identity', label: `planner ${plannerAccountId(env)} (read-only)` });
      connect(pool, deployer, `jobs in GitHub environment ${env.name}`);
      connect(pool, planner, 'jobs of the repository');
      connect(deployer, state, 'writes state');
      connect(planner, state, 'reads state', 'reference');
      // The repository exists before the environment's stack, so a platform-managed key for it lives here, in
      // a ring of its own (`<prefix>-ci`); keys named in the environment file are used as they are.
      const keys = new KeyMap(scope, 'Keys', {
        project: env.foundation.project,
        namePrefix: `${env.foundation.namePrefix}-ci`,
        ...(env.foundation.encryption ? { settings: env.foundation.encryption } : {}),
      });
      // The deployer's CI job pushes the runtime images here (npm run image:push) before `cdktf deploy`.
      const repository = new ContainerRepository(scope, 'Repository', {
        repositoryId: RUNTIME_REPOSITORY_ID,
        location: env.foundation.region,
        project: env.foundation.project,
        ...keyProp(keys.keyFor('artifactregistry', env.foundation.region)),
      });
      addDependencies(repository.resource, ...services);
      repository.grantPush(deployer);
      connect(deployer, repository, 'pushes images');
      deployers[env.name] = deployer;
      planners[env.name] = planner;
      stateBuckets[env.name] = state;
      repositories[env.name] = repository;
    }
    this.deployers = deployers;
    this.planners = planners;
    this.stateBuckets = stateBuckets;
    this.repositories = repositories;
  }
}

function validateBootstrap(config: BootstrapConfig): void {
  const c = new Checks('Bootstrap (stacks/environments/bootstrap.ts)');
  c.rule('ciProjectId', config.ciProjectId, PROJECT_ID.text, PROJECT_ID.test);
  c.rule('githubRepository', config.githubRepository, 'must be owner/name of a GitHub repository', (r) =>
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(r),
  );
  const poolIdRule =
    'must be 4-32 characters of lowercase letters, digits and hyphens, start with a letter, and not start with "gcp-"';
  const poolId = (v: string) => /^[a-z][a-z0-9-]{2,30}[a-z0-9]$/.test(v) && !v.startsWith('gcp-');
  c.rule('workloadIdentityPoolId', config.workloadIdentityPoolId, poolIdRule, poolId);
  c.rule('workloadIdentityProviderId', config.workloadIdentityProviderId, poolIdRule, poolId);
  c.rule('environments', config.environments, 'must list at least one environment', (e) => e.length > 0);
  const names = config.environments.map((e: EnvironmentConfig) => e.name);
  c.rule('environments', names, 'environment names must be unique', (n) => new Set(n).size === n.length);
  const buckets = config.environments.map((e) => e.state.bucket);
  c.rule(
    'environments[].state.bucket',
    buckets,
    'state buckets must be unique per environment',
    (b) => new Set(b).size === b.length,
  );
  c.throwIfAny();
  for (const env of config.environments) validateEnvironment(env);
}
