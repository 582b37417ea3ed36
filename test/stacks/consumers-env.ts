/** A test environment with every consumer option on: prod's settings plus Looker, Looker Studio and Vertex AI features. */
import { prod } from '../../stacks/environments/prod';
import type { EnvironmentConfig } from '../../stacks/environments/types';

export const CONSUMERS_ENV: EnvironmentConfig = {
  ...prod,
  name: 'consumers-test',
  labels: { ...prod.labels, environment: 'consumers-test' },
  state: { bucket: 'trb-prod-placeholder-tfstate', prefix: 'tributary/consumers-test' },
  consumers: {
    lookerStudioAgent: 'service-org-1234@gcp-sa-datastudio.iam.gserviceaccount.com',
    looker: {
      edition: 'LOOKER_CORE_STANDARD_ANNUAL',
      oauthClient: { idSecret: 'looker-oauth-client-id', secretSecret: 'looker-oauth-client-secret' },
      maintenanceWindow: { day: 'SUNDAY', hourUtc: 3 },
    },
    features: {
      autoscaling: { minNodeCount: 1, maxNodeCount: 3 },
      syncCron: 'CRON_TZ=Europe/Berlin 30 * * * *',
    },
  },
};
