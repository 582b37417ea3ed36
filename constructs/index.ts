/**
 * The constructs: L2s per GCP service, the policy pack, the governed stack, and the platform (the foundation
 * and one construct per capability).
 */

export * from '../core/markers';
export * from './bigquery/analytics-dataset';
export * from './bigquery/contract-table';
export * from './bigquery/dead-letter-table';
export * from './bigquery/table-grants';
export * from './core/architecture';
export * from './core/dependencies';
export * from './core/suppressions';
export * from './dataflow/custom-flex-template';
export * from './dataflow/flex-template-job';
export * from './dataflow/pubsub-to-bigquery-job';
export * from './dataflow/template-parameters';
export * from './dataflow/templates';
export * from './dataflow/udf';
export * from './iam/crypto-key';
export * from './iam/grants';
export * from './iam/principal';
export * from './iam/project';
export * from './iam/roles';
export * from './iam/service-identity';
export * from './platform/foundation/foundation';
export * from './platform/ingest/platform-ingest';
export * from './platform/stack/tributary-stack';
export * from './platform/streaming-platform';
export * from './platform/streams/contract-guard';
export * from './platform/streams/event-stream';
export * from './platform/streams/event-streams';
export * from './policy/pack';
export * from './policy/report';
export * from './policy/rules/index';
export * from './policy/types';
export * from './pubsub/event-subscription';
export * from './pubsub/event-topic';
export * from './run/cloud-run-service';
export * from './run/container-repository';
export * from './run/image';
export * from './run/ingest-gateway';
export * from './run/runtime-secret';
export * from './storage/data-bucket';
export * from './storage/hashed-object';
