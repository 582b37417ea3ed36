import type { EnvironmentConfig } from './types';

/** Production: Dataflow delivery, deletion protection, archive retention. Replace the placeholder ids before deploying. */
export const prod: EnvironmentConfig = {
  name: 'prod',
  labels: {
    environment: 'prod',
    owner: 'data-platform',
    'cost-center': 'analytics',
    'managed-by': 'tributary',
  },
  state: { bucket: 'trb-prod-placeholder-tfstate', prefix: 'tributary/prod' },
  foundation: {
    project: 'trb-prod-placeholder',
    region: 'europe-west1',
    dataLocation: 'EU',
    namePrefix: 'trb-prod',
    production: true,
    deletionProtection: true,
    // Keys the platform creates: a ring per location, a key per service, rotated every 90 days.
    encryption: { kind: 'managed', rotationDays: 90, required: true },
    network: {
      network: 'projects/trb-prod-placeholder/global/networks/tributary',
      subnetwork: 'regions/europe-west1/subnetworks/tributary-dataflow',
    },
    storage: {
      landingRetentionDays: 30,
      archiveTiering: { nearlineAfterDays: 30, coldlineAfterDays: 90, archiveAfterDays: 365 },
      archiveRetentionDays: 30,
      stagingObjectTtlDays: 7,
    },
  },
  streams: {
    delivery: {
      kind: 'dataflow',
      machineType: 'n2-standard-4',
      maxWorkers: 10,
      deadLetterExpirationDays: 90,
    },
    topicRetentionHours: 168,
    maxDeliveryAttempts: 10,
  },
  ingest: { minInstances: 1, maxInstances: 50 },
  loader: { maxRejectShare: 0.01, taskTimeoutSeconds: 7200 },
  operations: {
    notifications: {
      emails: ['tributary-oncall@example.com', 'data-platform@example.com'],
      webhookUrl: 'https://chat.example.com/hooks/tributary-prod',
    },
    dataAccessAudit: true,
    freshness: { boundMinutes: 10, goal: 0.99 },
    thresholds: { gatewayP99Ms: 500 },
  },
  consumers: {},
  orchestration: {
    composer: {
      // Pinned: an alias would move Airflow and its providers on its own. Upgrade by changing this build.
      imageVersion: 'composer-3-airflow-2.10.5-build.12',
      size: 'ENVIRONMENT_SIZE_MEDIUM',
      maintenanceWindow: {
        startTime: '2026-01-01T01:00:00Z',
        endTime: '2026-01-01T07:00:00Z',
        recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU',
      },
    },
  },
  models: {
    // The generated Dataform project lives on its own branch of this repository (npm run dataform:push).
    git: { url: 'https://github.com/example-org/tributary.git', branch: 'dataform/prod' },
    piiReaders: ['group:pii-readers@example.com'],
  },
};
