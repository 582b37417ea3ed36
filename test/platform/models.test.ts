/** The warehouse-models capability as every environment synthesizes it, and its settings' rule table. */
import { Testing } from 'cdktf';
import { PolicyTaxonomy, taxonomyLocation } from '../../constructs/datacatalog/policy-taxonomy';
import { DataformRepository } from '../../constructs/dataform/dataform-repository';
import { ServiceIdentity } from '../../constructs/iam/service-identity';
import { checkModelsSettings, MODELS_REPORT } from '../../constructs/platform/models/platform-models';
import { Checks } from '../../core/validation';
import { EnvironmentStack } from '../../stacks/environment-stack';
import { ENVIRONMENTS } from '../../stacks/environments/index';
import { testStack } from '../helpers';

type Block = Record<string, unknown>;
function synth(name: string) {
  const env = ENVIRONMENTS.find((e) => e.name === name);
  if (!env) throw new Error(name);
  const stack = new EnvironmentStack(Testing.app(), env);
  const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Block>> };
  const of = (type: string) => Object.values(json.resource[type] ?? {});
  return { stack, env, of };
}

describe.each(['dev', 'prod'])('%s models', (name) => {
  const { stack, env, of } = synth(name);
  const prefix = env.foundation.namePrefix;

  test('a Dataform repository pulling the generated project from its branch, acting as the models’ identity', () => {
    expect(of('google_dataform_repository')).toEqual([
      expect.objectContaining({
        name: `${prefix}-models`,
        region: env.foundation.region,
        service_account: '${google_service_account.Platform_DataformIdentity_C442325A.email}',
        git_remote_settings: expect.objectContaining({
          url: env.models?.git.url,
          default_branch: `dataform/${name}`,
        }),
      }),
    ]);
    const [release] = of('google_dataform_repository_release_config');
    expect(release).toMatchObject({
      git_commitish: `dataform/${name}`,
      cron_schedule: '0 * * * *',
      code_compilation_config: {
        default_database: env.foundation.project,
        default_location: env.foundation.dataLocation,
        default_schema: `${prefix.replace(/-/g, '_')}_staging`,
        assertion_schema: `${prefix.replace(/-/g, '_')}_assertions`,
        vars: {
          pii_policy_tag: expect.stringMatching(/^\$\{google_data_catalog_policy_tag\..*\.name\}$/),
          curated_dataset: `${prefix.replace(/-/g, '_')}_curated`,
        },
      },
    });
    // Without Composer (dev) the graph's scheduled model runs are workflow configs; elsewhere Composer runs them.
    expect(
      of('google_dataform_repository_workflow_config').map((w) => [
        w.name,
        w.cron_schedule,
        w.invocation_config,
      ]),
    ).toEqual(
      name === 'dev'
        ? [
            [
              'dag-trb-dev-data-quality',
              '30 2 * * *',
              expect.objectContaining({ included_tags: ['assertions'] }),
            ],
            [
              'dag-trb-dev-incremental',
              '5 * * * *',
              expect.objectContaining({ included_tags: ['staging', 'curated'] }),
            ],
          ]
        : [],
    );
  });

  test('the identity reads raw, writes staging, curated and assertions, runs jobs; Dataform’s agent may only mint its tokens', () => {
    const self = `serviceAccount:${prefix}-dataform@${env.foundation.project}.iam.gserviceaccount.com`;
    const agentLabel = `serviceAgent:dataform@${env.foundation.project}`;
    const grants = stack.grants.records.filter((g) => g.principal === self || g.principal === agentLabel);
    expect(grants.map((g) => `${g.role} ${g.scope} ${g.resource}`).sort()).toEqual(
      [
        `roles/bigquery.dataEditor resource ${env.foundation.project}.${prefix.replace(/-/g, '_')}_assertions`,
        `roles/bigquery.dataEditor resource ${env.foundation.project}.${prefix.replace(/-/g, '_')}_curated`,
        `roles/bigquery.dataEditor resource ${env.foundation.project}.${prefix.replace(/-/g, '_')}_staging`,
        `roles/bigquery.dataViewer resource ${env.foundation.project}.${prefix.replace(/-/g, '_')}_raw`,
        `roles/bigquery.jobUser project ${env.foundation.project}`,
        // With CMEK (prod), the agent uses the repository's key, that key only.
        ...(env.foundation.encryption
          ? [
              `roles/cloudkms.cryptoKeyEncrypterDecrypter resource projects/${env.foundation.project}/locations/${env.foundation.region}/keyRings/${prefix}/cryptoKeys/${prefix}-dataform`,
            ]
          : []),
        `roles/iam.serviceAccountTokenCreator resource ${prefix}-dataform@${env.foundation.project}.iam.gserviceaccount.com`,
        `roles/secretmanager.secretAccessor resource ${env.foundation.project}/${prefix}-dataform-git-token`,
      ].sort(),
    );
    const agentGrants = grants.filter((g) => g.principalKind === 'serviceAgent').map((g) => g.role);
    expect(agentGrants.filter((r) => r !== 'roles/cloudkms.cryptoKeyEncrypterDecrypter').sort()).toEqual([
      'roles/iam.serviceAccountTokenCreator',
      'roles/secretmanager.secretAccessor',
    ]);
    // Nothing project-wide that a dataset grant could do: jobUser exists only at project level.
    expect(grants.filter((g) => g.scope === 'project').map((g) => g.role)).toEqual([
      'roles/bigquery.jobUser',
    ]);
    // The deployer may attach the identity, and the orchestrator (Composer) invokes the models as it; no one else.
    const orchestrator = env.orchestration?.composer
      ? [
          `roles/iam.serviceAccountUser serviceAccount:${prefix}-orchestrator@${env.foundation.project}.iam.gserviceaccount.com`,
        ]
      : [];
    expect(
      stack.grants.records
        .filter((g) => g.resource === `${prefix}-dataform@${env.foundation.project}.iam.gserviceaccount.com`)
        .map((g) => `${g.role} ${g.principal}`)
        .sort(),
    ).toEqual([
      `roles/iam.serviceAccountTokenCreator ${agentLabel}`,
      `roles/iam.serviceAccountUser serviceAccount:${prefix}-deployer@${env.foundation.project}.iam.gserviceaccount.com`,
      ...orchestrator,
    ]);
  });

  test('a PII taxonomy in the data location with fine-grained access control; only the readers read the tag', () => {
    expect(of('google_data_catalog_taxonomy')).toEqual([
      expect.objectContaining({
        region: taxonomyLocation(env.foundation.dataLocation),
        activated_policy_types: ['FINE_GRAINED_ACCESS_CONTROL'],
      }),
    ]);
    expect(of('google_data_catalog_policy_tag')).toEqual([expect.objectContaining({ display_name: 'pii' })]);
    expect(of('google_data_catalog_policy_tag_iam_member').map((m) => [m.role, m.member])).toEqual([
      ['roles/datacatalog.categoryFineGrainedReader', 'group:pii-readers@example.com'],
    ]);
  });

  test('writes models.json for the preview: every model with its target, dependencies and definition hash', () => {
    const files = stack.reportFiles();
    const report = JSON.parse(files[MODELS_REPORT] ?? '{}') as {
      models: { name: string; kind: string; sha256: string }[];
    };
    expect(report.models.map((m) => `${m.kind} ${m.name}`)).toEqual(
      expect.arrayContaining([
        'staging stg_app_event',
        'curated fact_user_activity',
        'view stg_order__line_items',
        'custom rpt_daily_revenue',
        'assertion stg_order__unique_key',
      ]),
    );
    expect(report.models.every((m) => /^[0-9a-f]{64}$/.test(m.sha256))).toBe(true);
    expect(files['architecture.md']).toContain('subgraph');
    expect(files['architecture.md']).toMatch(/"Warehouse models"/);
    expect(files['architecture.md']).toMatch(/\|"APPENDS"\|/);
    expect(files['architecture.md']).toContain('curated trb_');
  });
});

describe('settings', () => {
  test('fails every broken field of the models section, naming it', () => {
    const c = new Checks('models');
    checkModelsSettings(
      c,
      {
        git: { url: 'git@github.com:x/y.git', branch: 'a..b' },
        piiReaders: ['someone'],
        schedule: { cron: 'hourly' },
        freshnessHours: 0,
        freshnessHoursByStream: { order: 10_000 },
      },
      'models.',
    );
    expect(c.violations.map((v) => v.field)).toEqual([
      'models.git.url',
      'models.git.branch',
      'models.piiReaders[0]',
      'models.schedule.cron',
      'models.freshnessHours',
      'models.freshnessHoursByStream.order',
    ]);
  });

  test('fails a Dataform repository with a bad id, region, git URL or cron, listing each', () => {
    const stack = testStack();
    const identity = new ServiceIdentity(stack, 'Id', { name: 'dataform' });
    expect(
      () =>
        new DataformRepository(stack, 'Repo', {
          repositoryId: 'Bad_Repo',
          region: 'nowhere',
          identity,
          git: { url: 'http://insecure', branch: 'main', tokenSecretVersion: 'token' },
        }),
    ).toThrow(
      /4 problems[\s\S]*repositoryId = "Bad_Repo"[\s\S]*region = "nowhere"[\s\S]*git.url = "http:\/\/insecure"[\s\S]*git.tokenSecretVersion = "token"/,
    );
    const repo = new DataformRepository(stack, 'Ok', {
      repositoryId: 'models',
      region: 'europe-west1',
      identity,
      git: {
        url: 'https://github.com/x/y.git',
        branch: 'main',
        tokenSecretVersion: 'projects/p/secrets/s/versions/latest',
      },
    });
    expect(() =>
      repo.addReleaseConfig('Release', {
        gitCommitish: 'main',
        cronSchedule: 'every hour',
        defaultDatabase: 'p',
        defaultLocation: 'EU',
        defaultSchema: 's',
        assertionSchema: 'a',
      }),
    ).toThrow('Release.cronSchedule = "every hour": must be a cron expression of five fields');
  });

  test('fails a taxonomy outside a data location, or without tags', () => {
    expect(
      () =>
        new PolicyTaxonomy(testStack(), 'T', {
          displayName: 'x',
          description: 'd',
          dataLocation: 'mars',
          tags: {},
        }),
    ).toThrow(/2 problems[\s\S]*dataLocation = "mars"[\s\S]*tags = \[\]: must name at least one policy tag/);
    expect(taxonomyLocation('EU')).toBe('eu');
  });
});
