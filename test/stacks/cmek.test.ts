/**
 * CMEK end to end, derived from the synthesized stacks: with a key configured (prod requires CMEK with keys the
 * platform creates; the consumers test environment adds Looker and Vertex AI), every CMEK-capable resource
 * present uses a key in the location it needs, and every service agent of those resources holds
 * cryptoKeyEncrypterDecrypter on exactly the keys its resources use, no more.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type GoogleServiceAgent, serviceAgentMember } from '../../constructs/iam/principal';
import { CMEK_USES } from '../../constructs/policy/rules/cmek-table';
import { kmsKeyLocation, kmsLocationsFor } from '../../core/gcp';
import { ENVIRONMENTS } from '../../stacks/environments/index';
import { buildApp } from '../../stacks/main';
import { CONSUMERS_ENV } from './consumers-env';

jest.setTimeout(120_000);

type Block = Record<string, Record<string, Record<string, unknown>>>;
let outdir: string;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cmek-'));
  buildApp({ outdir, environments: [...ENVIRONMENTS, CONSUMERS_ENV] }).synth();
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const tf = (env: string) =>
  JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', env, 'cdk.tf.json'), 'utf8')) as { resource: Block };

/**
 * Which agents encrypt for each resource type, written out from Google's CMEK pages (and the Fabric project
 * module's list), independently of the table the constructs use.
 */
const AGENTS_OF_TYPE: Readonly<Record<string, readonly GoogleServiceAgent[]>> = {
  google_pubsub_topic: ['pubsub'],
  google_bigquery_dataset: ['bigquery'],
  google_bigquery_table: ['bigquery'],
  google_storage_bucket: ['storage'],
  google_artifact_registry_repository: ['artifactregistry'],
  google_secret_manager_secret: ['secretmanager'],
  google_cloud_run_v2_service: ['run'],
  google_cloud_run_v2_job: ['run'],
  google_composer_environment: ['composer', 'storage'],
  google_workflows_workflow: ['workflows'],
  google_looker_instance: ['looker'],
  google_dataform_repository: ['dataform'],
  google_dataflow_flex_template_job: ['dataflow', 'compute'],
};
const ALL_AGENTS = [...new Set(Object.values(AGENTS_OF_TYPE).flat())];

describe.each(['prod', 'consumers-test'])('%s (CMEK required, platform-managed keys)', (env) => {
  test('every CMEK-capable resource uses a key in the location it needs', () => {
    const { resource } = tf(env);
    const present = Object.keys(resource).filter((t) => CMEK_USES[t]);
    // The stateful types this environment has; each must be covered.
    expect(present).toEqual(
      expect.arrayContaining([
        'google_pubsub_topic',
        'google_bigquery_dataset',
        'google_bigquery_table',
        'google_storage_bucket',
        'google_secret_manager_secret',
        'google_cloud_run_v2_service',
        'google_cloud_run_v2_job',
        'google_composer_environment',
        'google_workflows_workflow',
        'google_dataform_repository',
        'google_dataflow_flex_template_job',
      ]),
    );
    if (env === 'consumers-test') expect(present).toContain('google_looker_instance');
    for (const type of present)
      for (const [name, config] of Object.entries(resource[type] ?? {}))
        for (const use of (
          CMEK_USES[type] as (
            c: Record<string, unknown>,
          ) => { key?: string; location?: string; where: string }[]
        )(config)) {
          expect([type, name, use.where, typeof use.key]).toEqual([type, name, use.where, 'string']);
          if (use.location && type !== 'google_pubsub_topic')
            expect([type, name, kmsLocationsFor(use.location)]).toEqual([
              type,
              name,
              expect.arrayContaining([kmsKeyLocation(use.key as string)]),
            ]);
        }
  });

  test('each service agent holds the key role on exactly the keys its resources use, created before the grant', () => {
    const { resource } = tf(env);
    const expected = new Set<string>();
    for (const [type, agents] of Object.entries(AGENTS_OF_TYPE))
      for (const config of Object.values(resource[type] ?? {}))
        for (const use of CMEK_USES[type]?.(config) ?? [])
          for (const agent of agents) expected.add(`${agent} ${use.key}`);
    const grants = Object.values(resource.google_kms_crypto_key_iam_member ?? {});
    expect(grants.every((g) => g.role === 'roles/cloudkms.cryptoKeyEncrypterDecrypter')).toBe(true);
    const agents = ALL_AGENTS;
    const actual = new Set(
      grants.map((g) => {
        const agent = agents.find((a) => serviceAgentMember(a).test(String(g.member)));
        return `${agent} ${g.crypto_key_id}`;
      }),
    );
    expect([...actual].sort()).toEqual([...expected].sort());
    // Agents Google creates on demand exist before their grant: the grant depends on the identity.
    const identities = Object.keys(resource.google_project_service_identity ?? {});
    for (const g of grants.filter((x) =>
      /gcp-sa-(pubsub|secretmanager|workflows|dataform|looker)\./.test(String(x.member)),
    ))
      expect((g.depends_on as string[]).some((d) => d.startsWith('google_project_service_identity.'))).toBe(
        true,
      );
    expect(identities.map((i) => i.replace(/^ServiceIdentity-[a-z0-9-]+?-placeholder-/, '')).sort()).toEqual(
      env === 'prod'
        ? ['dataform', 'pubsub', 'secretmanager', 'workflows']
        : ['dataform', 'looker', 'pubsub', 'secretmanager', 'workflows'],
    );
    // Keys the platform creates rotate within 90 days and are never destroyed by Terraform.
    for (const key of Object.values(resource.google_kms_crypto_key ?? {})) {
      expect(Number(String(key.rotation_period).replace('s', ''))).toBeLessThanOrEqual(90 * 86_400);
      expect(key.lifecycle).toEqual({ prevent_destroy: true });
    }
  });
});

test('dev and staging use Google-managed encryption: no keys, no key grants', () => {
  for (const env of ['dev', 'staging']) {
    const { resource } = tf(env);
    expect(resource.google_kms_crypto_key ?? {}).toEqual({});
    expect(resource.google_kms_crypto_key_iam_member ?? {}).toEqual({});
  }
});
