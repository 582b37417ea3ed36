import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { DATAFLOW_JOB_TYPES } from './dataflow-service-account';

export const dataflowPrivateIps: PolicyRule = {
  id: 'TRB-DF-2',
  level: 'error',
  title: 'Dataflow workers have private IPs only',
  explanation:
    'Workers with external IPs are reachable from the internet and bypass the VPC egress controls. Set ip_configuration = WORKER_IP_PRIVATE and run in a subnetwork with Private Google Access.',
  references: ['CKV_GCP_94 (google_dataflow_job; applied here to flex template jobs too)'],
  check: (resource) => {
    if (resource.mode !== 'managed' || !DATAFLOW_JOB_TYPES.has(resource.type)) return NOT_APPLICABLE;
    const ip = resource.config.ip_configuration;
    return ip === 'WORKER_IP_PRIVATE'
      ? COMPLIANT
      : nonCompliant(
          `job ${String(resource.config.name)} has ip_configuration = ${JSON.stringify(ip ?? null)}`,
        );
  },
};
