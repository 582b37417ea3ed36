import type { EnvironmentConfig } from './types';

/** Development: cheap, disposable, BigQuery-subscription delivery. Replace the placeholder ids before deploying. */
export const dev: EnvironmentConfig = {
  name: 'dev',
  projectId: 'trb-dev-placeholder',
  region: 'europe-west1',
  dataLocation: 'EU',
  namePrefix: 'trb-dev',
  production: false,
  deletionProtection: false,
  labels: {
    environment: 'dev',
    owner: 'data-platform',
    'cost-center': 'analytics',
    'managed-by': 'tributary',
  },
  state: { bucket: 'trb-dev-placeholder-tfstate', prefix: 'tributary/dev' },
  network: {
    network: 'projects/trb-dev-placeholder/global/networks/tributary',
    subnetwork: 'regions/europe-west1/subnetworks/tributary-dataflow',
  },
  storage: {
    landingRetentionDays: 14,
    archiveTiering: {
      nearlineAfterDays: 30,
      coldlineAfterDays: 60,
      archiveAfterDays: 90,
      deleteAfterDays: 180,
    },
    stagingObjectTtlDays: 3,
  },
  streams: { delivery: 'bigquery-subscription', topicRetentionHours: 24, maxDeliveryAttempts: 5 },
  dataflow: { machineType: 'n2-standard-2', maxWorkers: 2, deadLetterExpirationDays: 14 },
  ingest: { minInstances: 0, maxInstances: 3 },
};
