import type { PolicyRule } from '../types';
import { artifactRegistryImmutable } from './artifact-registry-immutable';
import { auditDataAccess } from './audit-data-access';
import { bigqueryDeletionProtection } from './bigquery-deletion-protection';
import { bigqueryNoProjectDataEditor } from './bigquery-no-project-data-editor';
import { bigqueryRawPartitioned } from './bigquery-raw-partitioned';
import { cmekKeyLocation } from './cmek-key-location';
import { cmekRequired } from './cmek-required';
import { composerPinnedImage } from './composer-pinned-image';
import { composerPrivateEnvironment } from './composer-private-environment';
import { composerServiceAccount } from './composer-service-account';
import { composerWebServerAccess } from './composer-web-server-access';
import { consumersCuratedOnly } from './consumers-curated-only';
import { dataflowDeadLetter } from './dataflow-dead-letter';
import { dataflowPrivateIps } from './dataflow-private-ips';
import { dataflowServiceAccount } from './dataflow-service-account';
import { dataflowUdfHashed } from './dataflow-udf-hashed';
import { dataformRepositoryIdentity } from './dataform-repository-identity';
import { dataplexScanResults } from './dataplex-scan-results';
import { eventarcDestination } from './eventarc-destination';
import { eventarcTriggerServiceAccount } from './eventarc-trigger-service-account';
import { gcsNoForceDestroyInProd } from './gcs-no-force-destroy-in-prod';
import { gcsPublicAccessPrevention } from './gcs-public-access-prevention';
import { gcsRecoverable } from './gcs-recoverable';
import { gcsUniformAccess } from './gcs-uniform-access';
import { iamNoBasicRoles } from './iam-no-basic-roles';
import { iamNoProjectImpersonation } from './iam-no-project-impersonation';
import { iamNoPublicPrincipals } from './iam-no-public-principals';
import { iamNoServiceAccountKeys } from './iam-no-service-account-keys';
import { iamProjectScope } from './iam-project-scope';
import { kmsGrantsOnKeys } from './kms-grants-on-keys';
import { kmsPreventDestroy } from './kms-prevent-destroy';
import { kmsRotation } from './kms-rotation';
import { labelsRequired } from './labels-required';
import { lookerPrivate } from './looker-private';
import { monitoringAlertRouted } from './monitoring-alert-routed';
import { pubsubDeadLetter } from './pubsub-dead-letter';
import { pubsubStorageRegions } from './pubsub-storage-regions';
import { pubsubTopicSchema } from './pubsub-topic-schema';
import { runEnvSecrets } from './run-env-secrets';
import { runNoPublicInvoker } from './run-no-public-invoker';
import { runServiceIdentity } from './run-service-identity';
import { secretManagerReplication } from './secretmanager-replication';
import { terraformStaticDependsOn } from './terraform-static-depends-on';
import { vertexCuratedSources } from './vertex-curated-sources';
import { workflowsCallLogging } from './workflows-call-logging';
import { workflowsServiceAccount } from './workflows-service-account';

export {
  artifactRegistryImmutable,
  auditDataAccess,
  bigqueryDeletionProtection,
  bigqueryNoProjectDataEditor,
  bigqueryRawPartitioned,
  cmekKeyLocation,
  cmekRequired,
  composerPinnedImage,
  composerPrivateEnvironment,
  composerServiceAccount,
  composerWebServerAccess,
  consumersCuratedOnly,
  dataflowDeadLetter,
  dataflowPrivateIps,
  dataflowServiceAccount,
  dataflowUdfHashed,
  dataformRepositoryIdentity,
  dataplexScanResults,
  eventarcDestination,
  eventarcTriggerServiceAccount,
  gcsNoForceDestroyInProd,
  gcsPublicAccessPrevention,
  gcsRecoverable,
  gcsUniformAccess,
  iamNoBasicRoles,
  iamNoProjectImpersonation,
  iamNoPublicPrincipals,
  iamNoServiceAccountKeys,
  iamProjectScope,
  kmsGrantsOnKeys,
  kmsPreventDestroy,
  kmsRotation,
  labelsRequired,
  lookerPrivate,
  monitoringAlertRouted,
  pubsubDeadLetter,
  pubsubStorageRegions,
  pubsubTopicSchema,
  runEnvSecrets,
  runNoPublicInvoker,
  runServiceIdentity,
  secretManagerReplication,
  terraformStaticDependsOn,
  vertexCuratedSources,
  workflowsCallLogging,
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
  pubsubStorageRegions,
  gcsRecoverable,
  runEnvSecrets,
  workflowsCallLogging,
  eventarcDestination,
  dataformRepositoryIdentity,
  dataplexScanResults,
  secretManagerReplication,
  artifactRegistryImmutable,
  kmsRotation,
  kmsPreventDestroy,
  kmsGrantsOnKeys,
  cmekRequired,
  cmekKeyLocation,
  auditDataAccess,
  monitoringAlertRouted,
  terraformStaticDependsOn,
];
