import type { PolicyRule } from '../types';
import { bigqueryDeletionProtection } from './bigquery-deletion-protection';
import { bigqueryNoProjectDataEditor } from './bigquery-no-project-data-editor';
import { bigqueryRawPartitioned } from './bigquery-raw-partitioned';
import { composerPinnedImage } from './composer-pinned-image';
import { composerPrivateEnvironment } from './composer-private-environment';
import { composerServiceAccount } from './composer-service-account';
import { composerWebServerAccess } from './composer-web-server-access';
import { consumersCuratedOnly } from './consumers-curated-only';
import { dataflowDeadLetter } from './dataflow-dead-letter';
import { dataflowPrivateIps } from './dataflow-private-ips';
import { dataflowServiceAccount } from './dataflow-service-account';
import { dataflowUdfHashed } from './dataflow-udf-hashed';
import { eventarcTriggerServiceAccount } from './eventarc-trigger-service-account';
import { gcsNoForceDestroyInProd } from './gcs-no-force-destroy-in-prod';
import { gcsPublicAccessPrevention } from './gcs-public-access-prevention';
import { gcsUniformAccess } from './gcs-uniform-access';
import { iamNoBasicRoles } from './iam-no-basic-roles';
import { iamNoProjectImpersonation } from './iam-no-project-impersonation';
import { iamNoPublicPrincipals } from './iam-no-public-principals';
import { iamNoServiceAccountKeys } from './iam-no-service-account-keys';
import { iamProjectScope } from './iam-project-scope';
import { labelsRequired } from './labels-required';
import { lookerPrivate } from './looker-private';
import { pubsubDeadLetter } from './pubsub-dead-letter';
import { pubsubTopicSchema } from './pubsub-topic-schema';
import { runNoPublicInvoker } from './run-no-public-invoker';
import { runServiceIdentity } from './run-service-identity';
import { terraformStaticDependsOn } from './terraform-static-depends-on';
import { vertexCuratedSources } from './vertex-curated-sources';
import { workflowsServiceAccount } from './workflows-service-account';

export {
  bigqueryDeletionProtection,
  bigqueryNoProjectDataEditor,
  bigqueryRawPartitioned,
  composerPinnedImage,
  composerPrivateEnvironment,
  composerServiceAccount,
  composerWebServerAccess,
  consumersCuratedOnly,
  dataflowDeadLetter,
  dataflowPrivateIps,
  dataflowServiceAccount,
  dataflowUdfHashed,
  eventarcTriggerServiceAccount,
  gcsNoForceDestroyInProd,
  gcsPublicAccessPrevention,
  gcsUniformAccess,
  iamNoBasicRoles,
  iamNoProjectImpersonation,
  iamNoPublicPrincipals,
  iamNoServiceAccountKeys,
  iamProjectScope,
  labelsRequired,
  lookerPrivate,
  pubsubDeadLetter,
  pubsubTopicSchema,
  runNoPublicInvoker,
  runServiceIdentity,
  terraformStaticDependsOn,
  vertexCuratedSources,
  workflowsServiceAccount,
};

/** The rules every Tributary stack runs. */
export const DEFAULT_RULES: readonly PolicyRule[] = [
  iamNoPublicPrincipals,
  iamNoBasicRoles,
  iamNoServiceAccountKeys,
  iamNoProjectImpersonation,
  iamProjectScope,
  gcsUniformAccess,
  gcsPublicAccessPrevention,
  gcsNoForceDestroyInProd,
  labelsRequired,
  pubsubDeadLetter,
  pubsubTopicSchema,
  bigqueryRawPartitioned,
  bigqueryDeletionProtection,
  bigqueryNoProjectDataEditor,
  dataflowServiceAccount,
  dataflowPrivateIps,
  dataflowDeadLetter,
  dataflowUdfHashed,
  runNoPublicInvoker,
  runServiceIdentity,
  workflowsServiceAccount,
  eventarcTriggerServiceAccount,
  composerPrivateEnvironment,
  composerServiceAccount,
  composerWebServerAccess,
  composerPinnedImage,
  consumersCuratedOnly,
  lookerPrivate,
  vertexCuratedSources,
  terraformStaticDependsOn,
];
