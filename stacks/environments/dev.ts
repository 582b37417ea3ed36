import type { EnvironmentConfig } from './types';

/** Development: cheap, disposable, BigQuery-subscription delivery. Replace the placeholder ids before deploying. */
export const dev: EnvironmentConfig = {
  name: 'dev',
  labels: {
    environment: 'dev',
    owner: 'data-platform',
    'cost-center': 'analytics',
    'managed-by': 'tributary',
  },
  state: { bucket: 'trb-dev-placeholder-tfstate', prefix: 'tributary/dev' },
  foundation: {
    project: 'trb-dev-placeholder',
    region: 'europe-west1',
    dataLocation: 'EU',
    namePrefix: 'trb-dev',
    production: false,
    deletionProtection: false,
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
  },
  streams: {
    delivery: { kind: 'bigquery-subscription' },
    topicRetentionHours: 24,
    maxDeliveryAttempts: 5,
  },
  ingest: { minInstances: 0, maxInstances: 3 },
  loader: { maxRejectShare: 0.05, memory: '512Mi', maxRetries: 1 },
  operations: {
    notifications: { emails: ['tributary-oncall@example.com'] },
    // Dev tolerates slower delivery: the BigQuery subscriptions have no pipeline to keep up.
    freshness: { boundMinutes: 30, goal: 0.95 },
    thresholds: { deliveryBacklogSeconds: 1800 },
  },
  consumers: {},
  orchestration: {},
  models: {
    // The generated Dataform project lives on its own branch of this repository (npm run dataform:push).
    git: { url: 'https://github.com/example-org/tributary.git', branch: 'dataform/dev' },
    piiReaders: ['group:pii-readers@example.com'],
  },
};
