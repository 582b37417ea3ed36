import { PUBLIC_MEMBERS } from '../../iam/roles';
import { roleBindings } from '../inspect';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

const RUN_IAM = /^google_cloud_run(_v2)?_service_iam_(member|binding|policy)$/;

export const runNoPublicInvoker: PolicyRule = {
  id: 'TRB-RUN-1',
  level: 'error',
  title: 'Cloud Run services are not publicly invokable',
  references: ['CKV_GCP_102 (Cloud Run v1 IAM; applied here to v2)'],
  explanation:
    'roles/run.invoker for allUsers or allAuthenticatedUsers switches off Cloud Run authentication: anyone can call the service. Grant the invoker role to the producer identities instead; a service that authenticates callers itself (the ingest gateway with partner API keys) needs CloudRunService.grantPublicInvoke(reason), whose reason becomes the suppression.',
  check: (resource) => {
    if (resource.mode !== 'managed' || !RUN_IAM.test(resource.type)) return NOT_APPLICABLE;
    const hits = roleBindings(resource).flatMap((b) =>
      b.role === 'roles/run.invoker' ? b.members.filter((m) => PUBLIC_MEMBERS.includes(m)) : [],
    );
    return hits.length === 0
      ? COMPLIANT
      : nonCompliant(
          `roles/run.invoker granted to ${hits.join(', ')} on ${String(resource.config.name ?? resource.config.service ?? '?')}`,
        );
  },
};
