/** Basic roles grant thousands of permissions across every service; never granted here. */
export const BASIC_ROLES: readonly string[] = ['roles/owner', 'roles/editor', 'roles/viewer'];

/** Members that make a resource public. */
export const PUBLIC_MEMBERS: readonly string[] = ['allUsers', 'allAuthenticatedUsers'];

/** Roles that let a principal act as, or mint tokens for, a service account. Project-wide they reach every SA. */
export const IMPERSONATION_ROLES: readonly string[] = [
  'roles/iam.serviceAccountUser',
  'roles/iam.serviceAccountTokenCreator',
];

/**
 * Predefined roles whose permissions have no narrower resource to bind to (jobs, logs, metrics, traces,
 * project-level service usage), so a project-level grant is the least privilege available.
 */
export const PROJECT_ONLY_ROLES: readonly string[] = [
  'roles/bigquery.jobUser',
  'roles/bigquery.readSessionUser',
  'roles/cloudprofiler.agent',
  'roles/cloudtrace.agent',
  'roles/composer.worker',
  'roles/dataflow.admin',
  'roles/dataflow.developer',
  'roles/dataflow.viewer',
  'roles/dataflow.worker',
  'roles/errorreporting.writer',
  // Receiving events is checked on the project the trigger is in; there is no per-trigger binding.
  'roles/eventarc.eventReceiver',
  'roles/logging.logWriter',
  'roles/monitoring.editor',
  'roles/monitoring.metricWriter',
  'roles/monitoring.viewer',
  'roles/resourcemanager.projectIamAdmin',
  'roles/serviceusage.serviceUsageAdmin',
  'roles/serviceusage.serviceUsageConsumer',
];

export const ROLE_NAME = {
  text: 'must be a role name: roles/<name>, projects/<project>/roles/<name> or organizations/<id>/roles/<name>',
  test: (v: string) =>
    /^(roles|projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/roles|organizations\/[0-9]+\/roles)\/[A-Za-z0-9_.]{3,64}$/.test(
      v,
    ),
};

export function isPublicMember(member: string): boolean {
  return PUBLIC_MEMBERS.includes(member);
}
