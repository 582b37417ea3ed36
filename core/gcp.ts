/**
 * GCP's own naming and placement rules, as predicates plus the sentence an error quotes. Each rule is written
 * once here and used by contracts, construct props, environment files and the runtimes alike. The name patterns
 * are also exported as regex sources, so each can be embedded in a larger pattern or in a Flex Template's
 * metadata.
 */
import { type Checks, type Rule, wholeNumber } from './validation';

export type NamingRule = Rule<string>;

/** A project id: 6-30 characters of lowercase letters, digits and hyphens, starting with a letter. */
export const PROJECT_ID_SOURCE = '[a-z][a-z0-9-]{4,28}[a-z0-9]';

/** A topic, subscription or schema id: 3-255 characters, starting with a letter. */
export const PUBSUB_ID_SOURCE = '[A-Za-z][A-Za-z0-9._~+%-]{2,254}';

export const PROJECT_ID_PATTERN = new RegExp(`^${PROJECT_ID_SOURCE}$`);
const PUBSUB_ID_PATTERN = new RegExp(`^${PUBSUB_ID_SOURCE}$`);

/** `projects/<project>/topics/<topic>` */
export const TOPIC_NAME_SOURCE = `^projects/${PROJECT_ID_SOURCE}/topics/${PUBSUB_ID_SOURCE}$`;

/** `projects/<project>/subscriptions/<subscription>` */
export const SUBSCRIPTION_NAME_SOURCE = `^projects/${PROJECT_ID_SOURCE}/subscriptions/${PUBSUB_ID_SOURCE}$`;

/** Topic, subscription and schema ids: Pub/Sub's rule. */
export const PUBSUB_NAME: NamingRule = {
  text: 'must be 3-255 characters, start with a letter, use only letters, digits and - _ . ~ + %, and not start with "goog"',
  test: (v) => PUBSUB_ID_PATTERN.test(v) && !v.toLowerCase().startsWith('goog'),
};

export const PROJECT_ID: NamingRule = {
  text: 'must be 6-30 characters of lowercase letters, digits and hyphens, start with a letter, not end with a hyphen, and not contain "google"',
  test: (v) => PROJECT_ID_PATTERN.test(v) && !v.includes('google'),
};

export const PROJECT_NUMBER: NamingRule = {
  text: 'must be the numeric project number (digits only)',
  test: (v) => /^[1-9][0-9]{5,19}$/.test(v),
};

/** A cron schedule of five fields (minute, hour, day of month, month, day of week). */
export const CRON_SCHEDULE: NamingRule = {
  text: 'must be a cron expression of five fields',
  test: (v) => /^(\S+\s+){4}\S+$/.test(v.trim()) && !/\s{2,}|^\s|\s$/.test(v),
};

export const SERVICE_ACCOUNT_ID: NamingRule = {
  text: 'must be 6-30 characters of [-a-z0-9], start with a lowercase letter and not end with a hyphen',
  test: (v) => /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(v),
};

export const BUCKET_NAME: NamingRule = {
  text: 'must be 3-63 characters of lowercase letters, digits, "-" and "_", start and end with a letter or digit, and not start with "goog" or contain "google"',
  test: (v) => /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/.test(v) && !v.startsWith('goog') && !v.includes('google'),
};

export const LABEL_KEY: NamingRule = {
  text: 'label keys must be 1-63 characters of lowercase letters, digits, "_" and "-", starting with a letter',
  test: (v) => /^[a-z][a-z0-9_-]{0,62}$/.test(v),
};

export const LABEL_VALUE: NamingRule = {
  text: 'label values must be at most 63 characters of lowercase letters, digits, "_" and "-"',
  test: (v) => /^[a-z0-9_-]{0,63}$/.test(v),
};

export const MAX_LABELS = 64;

export const DATAFLOW_JOB_NAME: NamingRule = {
  text: 'must be 1-63 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen',
  test: (v) => /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v),
};

export const MACHINE_TYPE: NamingRule = {
  text: 'must be a Compute Engine machine type such as n2-standard-4 or e2-custom-4-16384',
  test: (v) => /^[a-z][a-z0-9]*-[a-z0-9-]*[a-z0-9]$/.test(v),
};

/** `regions/<region>/subnetworks/<name>`, optionally as a full or project-relative URL. */
export const SUBNETWORK: NamingRule = {
  text: 'must be regions/<region>/subnetworks/<name> (or a URL ending in it)',
  test: (v) => /(^|\/)regions\/[a-z0-9-]+\/subnetworks\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v),
};

export function subnetworkRegion(subnetwork: string): string | undefined {
  return /regions\/([a-z0-9-]+)\/subnetworks\//.exec(subnetwork)?.[1];
}

/** A Cloud KMS crypto key resource name. */
export const KMS_KEY_NAME: NamingRule = {
  text: 'must be a Cloud KMS key name: projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>',
  test: (v) => /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/.test(v),
};

export function kmsKeyLocation(keyName: string): string | undefined {
  return /^projects\/[^/]+\/locations\/([^/]+)\//.exec(keyName)?.[1];
}

/** The services a CMEK key is chosen for, each with its own service agents (constructs/iam/cmek.ts). */
export const CMEK_SERVICES = [
  'pubsub',
  'bigquery',
  'storage',
  'dataflow',
  'composer',
  'artifactregistry',
  'secretmanager',
  'run',
  'workflows',
  'looker',
  'dataform',
  'aiplatform',
  'dataplex',
] as const;
export type CmekService = (typeof CMEK_SERVICES)[number];

export type MultiRegion = 'US' | 'EU';

/**
 * Google Cloud regions and the BigQuery/GCS multi-region that contains them. A region maps to EU only when it
 * lies in the EU (London and Zurich do not), so data placed in "EU" stays where the name promises.
 */
export const REGIONS: Readonly<Record<string, MultiRegion | undefined>> = {
  'africa-south1': undefined,
  'asia-east1': undefined,
  'asia-east2': undefined,
  'asia-northeast1': undefined,
  'asia-northeast2': undefined,
  'asia-northeast3': undefined,
  'asia-south1': undefined,
  'asia-south2': undefined,
  'asia-southeast1': undefined,
  'asia-southeast2': undefined,
  'australia-southeast1': undefined,
  'australia-southeast2': undefined,
  'europe-central2': 'EU',
  'europe-north1': 'EU',
  'europe-north2': 'EU',
  'europe-southwest1': 'EU',
  'europe-west1': 'EU',
  'europe-west2': undefined,
  'europe-west3': 'EU',
  'europe-west4': 'EU',
  'europe-west6': undefined,
  'europe-west8': 'EU',
  'europe-west9': 'EU',
  'europe-west10': 'EU',
  'europe-west12': 'EU',
  'me-central1': undefined,
  'me-central2': undefined,
  'me-west1': undefined,
  'northamerica-northeast1': undefined,
  'northamerica-northeast2': undefined,
  'northamerica-south1': undefined,
  'southamerica-east1': undefined,
  'southamerica-west1': undefined,
  'us-central1': 'US',
  'us-east1': 'US',
  'us-east4': 'US',
  'us-east5': 'US',
  'us-south1': 'US',
  'us-west1': 'US',
  'us-west2': 'US',
  'us-west3': 'US',
  'us-west4': 'US',
};

export function isKnownRegion(region: string): boolean {
  return Object.hasOwn(REGIONS, region);
}

/** Locations where data for `region` may live: the region itself, or the multi-region containing it. */
export function dataLocationsFor(region: string): string[] {
  const multi = REGIONS[region];
  return multi ? [region, multi] : [region];
}

/** Cloud KMS location names a key must use to protect data in `dataLocation` (EU data needs a "europe" key). */
export function kmsLocationsFor(dataLocation: string): string[] {
  const upper = dataLocation.toUpperCase();
  if (upper === 'EU') return ['europe'];
  if (upper === 'US') return ['us'];
  return [dataLocation.toLowerCase()];
}

/** Finds label keys and values that break GCP's label rules. */
export function labelProblems(labels: Readonly<Record<string, string>>): { key: string; rule: string }[] {
  const problems: { key: string; rule: string }[] = [];
  const keys = Object.keys(labels);
  if (keys.length > MAX_LABELS) problems.push({ key: '(all)', rule: `at most ${MAX_LABELS} labels` });
  for (const key of keys) {
    if (!LABEL_KEY.test(key)) problems.push({ key, rule: LABEL_KEY.text });
    const value = labels[key];
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) problems.push({ key, rule: LABEL_VALUE.text });
  }
  return problems;
}

/** The label rows of a validation table: every key or value under `field` that breaks GCP's label rules. */
export function checkLabels(
  c: Checks,
  labels: Readonly<Record<string, string>> | undefined,
  field = 'labels',
): void {
  for (const p of labelProblems(labels ?? {})) c.fail(`${field}.${p.key}`, labels?.[p.key], p.rule);
}

/**
 * The rows for a key that protects data: a Cloud KMS key name, in a location whose keys may protect data in
 * `dataLocation` (EU data needs a "europe" key). `purpose` ends the location rule's sentence.
 */
export function checkDataKey(
  c: Checks,
  field: string,
  key: string | undefined,
  dataLocation: string | undefined,
  purpose = `to protect data in ${dataLocation}`,
): void {
  c.rule(field, key, KMS_KEY_NAME.text, KMS_KEY_NAME.test);
  if (!key || !KMS_KEY_NAME.test(key) || !dataLocation) return;
  const allowed = kmsLocationsFor(dataLocation);
  c.rule(field, key, `key location must be ${allowed.join(' or ')} ${purpose}`, (k) =>
    allowed.includes(kmsKeyLocation(k) ?? ''),
  );
}

/** The rows for a regional key (Dataflow job state): a Cloud KMS key name located in `region` itself. */
export function checkRegionalKey(
  c: Checks,
  field: string,
  key: string | undefined,
  region: string,
  rule: string,
): void {
  c.rule(field, key, KMS_KEY_NAME.text, KMS_KEY_NAME.test);
  if (key && KMS_KEY_NAME.test(key)) c.rule(field, key, rule, (k) => kmsKeyLocation(k) === region);
}

/** The region rule every construct and environment file applies. */
export const REGION: NamingRule = {
  text: 'must be a known Google Cloud region such as europe-west1 or us-central1',
  test: isKnownRegion,
};

/** Where BigQuery datasets and Cloud Storage buckets may keep data: a known region or the US or EU multi-region. */
export const DATA_LOCATION: NamingRule = {
  text: 'must be a known Google Cloud region or a multi-region (US, EU)',
  test: (v) => isKnownRegion(v.toLowerCase()) || v.toUpperCase() === 'US' || v.toUpperCase() === 'EU',
};

/** Cloud Storage's predefined dual-regions, accepted as bucket locations besides regions and multi-regions. */
export const DUAL_REGIONS: readonly string[] = ['ASIA1', 'EUR4', 'EUR5', 'EUR7', 'EUR8', 'NAM4'];

export const BUCKET_LOCATION: NamingRule = {
  text: `must be a known Google Cloud region, a multi-region (US, EU) or a dual-region (${DUAL_REGIONS.join(', ')})`,
  test: (v) => DATA_LOCATION.test(v) || DUAL_REGIONS.includes(v.toUpperCase()),
};

/**
 * The rows for a data location: a known location, and, when `region` is known, the region itself or the
 * multi-region containing it, so that data stays where compute runs.
 */
export function checkDataLocation(
  c: Checks,
  field: string,
  location: string | undefined,
  region?: string,
): void {
  c.check(field, location, DATA_LOCATION);
  if (region === undefined || !isKnownRegion(region)) return;
  const allowed = dataLocationsFor(region);
  c.rule(field, location, `must be ${allowed.join(' or ')} to keep data with region ${region}`, (l) =>
    allowed.includes(l),
  );
}

/** `projects/<project>/global/networks/<name>` */
export const NETWORK: NamingRule = {
  text: 'must be projects/<project>/global/networks/<name>',
  test: (n) =>
    new RegExp(`^projects/${PROJECT_ID_SOURCE}/global/networks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`).test(n),
};

/** The rows for a subnetwork: its form, and that it lies in `region`. */
export function checkSubnetwork(
  c: Checks,
  field: string,
  subnetwork: string | undefined,
  region: string,
): void {
  c.check(field, subnetwork, SUBNETWORK);
  if (subnetwork === undefined || !SUBNETWORK.test(subnetwork) || !isKnownRegion(region)) return;
  c.rule(field, subnetwork, `must be in region ${region}`, (s) => subnetworkRegion(s) === region);
}

/** An IAM member as bindings take it. */
export const IAM_MEMBER: NamingRule = {
  text: 'must be group:<email>, user:<email>, domain:<domain> or serviceAccount:<email>',
  test: (v) =>
    /^(group|user|serviceAccount):[^@\s]+@[^@\s]+\.[a-z]{2,}$|^domain:[a-z0-9.-]+\.[a-z]{2,}$/.test(v),
};

/** A service account's email (user-managed or a Google service agent). */
export const SERVICE_ACCOUNT_EMAIL: NamingRule = {
  text: 'must be a service account email such as name@project.iam.gserviceaccount.com',
  test: (v) => /^[a-z0-9][a-z0-9._-]{0,99}@[a-z0-9.-]+\.gserviceaccount\.com$/.test(v),
};

/** Pub/Sub: delivery attempts before a message is dead-lettered. */
export const DELIVERY_ATTEMPTS = wholeNumber(5, 100, '', 'the Pub/Sub limits');
/** Pub/Sub: how long a topic keeps messages for replay. */
export const TOPIC_RETENTION_HOURS = wholeNumber(1, 744, 'hours', '31 days');

/** How long rows or objects are kept before they expire. */
export const RETENTION_DAYS = wholeNumber(1, 3650, 'days');

/** Dataflow: the autoscaling ceiling of a job. */
export const MAX_WORKERS = wholeNumber(1, 1000);
/** Google's template release folder: `latest` or a dated release. */
export const TEMPLATE_VERSION: NamingRule = {
  text: 'must be "latest" or a release folder such as 2025-01-14-00_RC00',
  test: (v) => v === 'latest' || /^\d{4}-\d{2}-\d{2}-\d{2}_RC\d{2}$/.test(v),
};

/** Cloud Run: where requests may come from, before authentication. */
export const INGRESS: NamingRule = {
  text: 'must be INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
  test: (v) =>
    [
      'INGRESS_TRAFFIC_ALL',
      'INGRESS_TRAFFIC_INTERNAL_ONLY',
      'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
    ].includes(v),
};

/** Cloud Run scaling and sizing. */
export const MIN_INSTANCES = wholeNumber(0, 1000);
export const CONCURRENCY = wholeNumber(1, 1000);
export const CPU: NamingRule = {
  text: 'must be one of 1, 2, 4, 6 or 8 (or a fraction below 1 such as 0.5)',
  test: (v) => ['1', '2', '4', '6', '8'].includes(v) || /^0\.\d+$/.test(v),
};
export const MEMORY: NamingRule = {
  text: 'must be a size such as 512Mi or 2Gi',
  test: (m) => /^\d+(Mi|Gi)$/.test(m),
};

/** MiB in a Cloud Run memory size (`512Mi`, `2Gi`); NaN when it is not one. */
export function memoryMiB(memory: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(memory);
  return m ? Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1) : Number.NaN;
}

/** The rows for instance bounds: max at least max(1, min), both within Cloud Run's limit. */
export function checkInstances(
  c: Checks,
  prefix: string,
  min: number | undefined,
  max: number | undefined,
): void {
  c.check(`${prefix}minInstances`, min, MIN_INSTANCES);
  c.rule(
    `${prefix}maxInstances`,
    max,
    'must be a whole number from max(1, minInstances) to 1000',
    (n) => Number.isInteger(n) && n >= Math.max(1, min ?? 0) && n <= 1000,
  );
}
