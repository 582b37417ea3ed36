import { DataGoogleBigqueryDefaultServiceAccount } from '@cdktf/provider-google/lib/data-google-bigquery-default-service-account';
import { DataGoogleStorageProjectServiceAccount } from '@cdktf/provider-google/lib/data-google-storage-project-service-account';
import { GoogleProjectServiceIdentity } from '@cdktf/provider-google-beta/lib/google-project-service-identity';
import { type ITerraformDependable, type TerraformResource, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { CmekService } from '../../core/gcp';
import { dependOnce } from '../core/dependencies';
import { googleBetaProviderOf } from '../core/providers';
import { CryptoKey } from './crypto-key';
import { type GoogleServiceAgent, ServiceAgent } from './principal';

/** The service agents that must use a service's CMEK key (after the Fabric project module's list). */
export const CMEK_AGENTS: Readonly<Record<CmekService, readonly GoogleServiceAgent[]>> = {
  pubsub: ['pubsub'],
  bigquery: ['bigquery'],
  storage: ['storage'],
  dataflow: ['dataflow', 'compute'],
  composer: ['composer', 'storage'],
  artifactregistry: ['artifactregistry'],
  secretmanager: ['secretmanager'],
  run: ['run'],
  workflows: ['workflows'],
  looker: ['looker'],
  dataform: ['dataform'],
  aiplatform: ['aiplatform'],
  dataplex: ['dataplex'],
};

/**
 * Agents Google creates only on request: GA has no way to get them, so the google-beta service-identity resource
 * creates each once per project, and the key grant waits for it (a role cannot be granted to an agent that does
 * not exist yet).
 */
const ON_DEMAND: Partial<Record<GoogleServiceAgent, string>> = {
  pubsub: 'pubsub.googleapis.com',
  secretmanager: 'secretmanager.googleapis.com',
  workflows: 'workflows.googleapis.com',
  dataform: 'dataform.googleapis.com',
  looker: 'looker.googleapis.com',
  artifactregistry: 'artifactregistry.googleapis.com',
  aiplatform: 'aiplatform.googleapis.com',
  dataplex: 'dataplex.googleapis.com',
};

/** Agents GA can create through a data source (reading it creates the agent if needed). */
const GA_LOOKUPS: Partial<
  Record<GoogleServiceAgent, (stack: TerraformStack, id: string, project: string) => ITerraformDependable>
> = {
  bigquery: (stack, id, project) => new DataGoogleBigqueryDefaultServiceAccount(stack, id, { project }),
  storage: (stack, id, project) => new DataGoogleStorageProjectServiceAccount(stack, id, { project }),
};

function gaLookup(
  scope: IConstruct,
  project: string,
  agent: GoogleServiceAgent,
): ITerraformDependable | undefined {
  const make = GA_LOOKUPS[agent];
  if (!make) return undefined;
  const stack = TerraformStack.of(scope);
  const id = `${agent === 'bigquery' ? 'BigQuery' : 'Storage'}Agent-${project}`;
  return (stack.node.tryFindChild(id) as ITerraformDependable | undefined) ?? make(stack, id, project);
}

function serviceIdentity(scope: IConstruct, project: string, api: string): GoogleProjectServiceIdentity {
  const stack = TerraformStack.of(scope);
  const id = `ServiceIdentity-${project}-${api.split('.')[0]}`;
  return (
    (stack.node.tryFindChild(id) as GoogleProjectServiceIdentity | undefined) ??
    new GoogleProjectServiceIdentity(stack, id, {
      provider: googleBetaProviderOf(scope),
      project,
      service: api,
    })
  );
}

/**
 * Lets every agent of `service` encrypt and decrypt with `keyName` (that key only), creating on-demand agents
 * first. Returns the grants' member resources: the resource using the key depends on them, so it is created
 * only once its agent may use the key.
 */
export function grantKeyToAgents(
  scope: IConstruct,
  keyName: string,
  service: CmekService,
  options: { readonly project: string; readonly projectNumber?: string },
): TerraformResource[] {
  const key = CryptoKey.fromKeyName(scope, keyName);
  return CMEK_AGENTS[service].map((agent) => {
    const grant = key.grantEncryptDecrypt(
      ServiceAgent.of(scope, agent, {
        project: options.project,
        ...(options.projectNumber ? { projectNumber: options.projectNumber } : {}),
      }),
    );
    const api = ON_DEMAND[agent];
    const creator = api
      ? serviceIdentity(scope, options.project, api)
      : gaLookup(scope, options.project, agent);
    if (creator) dependOnce(grant.member, creator);
    return grant.member;
  });
}

/** Grants `service`'s agents use of `keyName` and makes `resource` wait for those grants. */
export function useKey(
  scope: IConstruct,
  resource: TerraformResource,
  keyName: string,
  service: CmekService,
  options: { readonly project: string; readonly projectNumber?: string },
): void {
  for (const member of grantKeyToAgents(scope, keyName, service, options)) dependOnce(resource, member);
}
