import type { EnvironmentConfig } from './types';

/** Staging: production-shaped (Dataflow delivery, deletion protection) at smaller scale. */
export const staging: EnvironmentConfig = {
  name: 'staging',
  labels: {
    environment: 'staging',
    owner: 'data-platform',
    'cost-center': 'analytics',
    'managed-by': 'tributary',
  },
  state: { bucket: 'trb-staging-placeholder-tfstate', prefix: 'tributary/staging' },
  foundation: {
    project: 'trb-staging-placeholder',
    region: 'europe-west1',
    dataLocation: 'EU',
    namePrefix: 'trb-stg',
    production: false,
    deletionProtection: true,
    network: {
      network: 'projects/trb-staging-placeholder/global/networks/tributary',
      subnetwork: 'regions/europe-west1/subnetworks/tributary-dataflow',
    },
    storage: {
      landingRetentionDays: 30,
      archiveTiering: {
        nearlineAfterDays: 30,
        coldlineAfterDays: 90,
        archiveAfterDays: 180,
        deleteAfterDays: 365,
      },
      stagingObjectTtlDays: 7,
    },
  },
  streams: {
    delivery: { kind: 'dataflow', machineType: 'n2-standard-2', maxWorkers: 4, deadLetterExpirationDays: 30 },
    topicRetentionHours: 72,
    maxDeliveryAttempts: 10,
  },
  ingest: { minInstances: 0, maxInstances: 10 },
  loader: { maxRejectShare: 0.01 },
  operations: {
    notifications: {
      emails: ['tributary-oncall@example.com'],
      webhookUrl: 'https://chat.example.com/hooks/tributary-staging',
    },
    dataAccessAudit: true,
    freshness: { boundMinutes: 15, goal: 0.99 },
  },
  consumers: {},
  orchestration: {
    composer: {
      size: 'ENVIRONMENT_SIZE_SMALL',
      maintenanceWindow: {
        startTime: '2026-01-01T01:00:00Z',
        endTime: '2026-01-01T07:00:00Z',
        recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU',
      },
    },
  },
  models: {
    // The generated Dataform project lives on its own branch of this repository (npm run dataform:push).
    git: { url: 'https://github.com/example-org/tributary.git', branch: 'dataform/staging' },
    piiReaders: ['group:pii-readers@example.com'],
  },
};
