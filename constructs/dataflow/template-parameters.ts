/**
 * Typed Flex Template parameters. One definition per template drives three things: the TypeScript type of a
 * job's `parameters` (so a typo is a compile error), the synth-time check of the values (so an unknown key or
 * a malformed value fails before the API rejects the launch), and the parameter metadata of a custom
 * template's spec file. No cdktf here: the definitions are plain data.
 */
import { PROJECT_ID_SOURCE, SUBSCRIPTION_NAME_SOURCE, TOPIC_NAME_SOURCE } from '../../core/gcp';
import { Checks } from '../../core/validation';

/** Dataflow's ParameterType (v1beta3), the kinds of input a template parameter takes. */
export type TemplateParamType =
  | 'TEXT'
  | 'GCS_READ_BUCKET'
  | 'GCS_WRITE_BUCKET'
  | 'GCS_READ_FILE'
  | 'GCS_WRITE_FILE'
  | 'GCS_READ_FOLDER'
  | 'GCS_WRITE_FOLDER'
  | 'PUBSUB_TOPIC'
  | 'PUBSUB_SUBSCRIPTION'
  | 'BIGQUERY_TABLE'
  | 'JAVASCRIPT_UDF_FILE'
  | 'SERVICE_ACCOUNT'
  | 'KMS_KEY_NAME'
  | 'BOOLEAN'
  | 'NUMBER'
  | 'ENUM';

export interface TemplateParameter {
  /** The key in the job's `parameters` map, as the template's pipeline options spell it (lowerCamelCase). */
  readonly name: string;
  readonly label: string;
  readonly helpText: string;
  readonly type: TemplateParamType;
  /** @default false - the parameter is required */
  readonly optional?: boolean;
  /** The value must match every one of these (anchored) patterns. @default - per type, see TYPE_PATTERNS */
  readonly regexes?: readonly string[];
  /** Allowed values, for ENUM parameters. */
  readonly values?: readonly string[];
  /** Inclusive bounds, for NUMBER parameters. @default - any integer >= 0 */
  readonly min?: number;
  readonly max?: number;
}

export interface FlexTemplateDefinition<
  P extends readonly TemplateParameter[] = readonly TemplateParameter[],
> {
  /** Template name, for example `PubSub_to_BigQuery_Flex`. */
  readonly name: string;
  readonly description: string;
  readonly parameters: P;
  /** Groups of parameters of which exactly one must be set (for example inputTopic / inputSubscription). */
  readonly exactlyOneOf?: readonly (readonly P[number]['name'][])[];
  /** Cross-parameter rules: each returns a problem sentence, or undefined when satisfied. */
  readonly rules?: readonly ((
    values: Readonly<Record<string, ParameterValue>>,
  ) => ParameterProblem | undefined)[];
  /** A streaming template: its jobs drain on delete. */
  readonly streaming: boolean;
}

export interface ParameterProblem {
  readonly field: string;
  readonly value: unknown;
  readonly rule: string;
}

export type ParameterValue = string | number | boolean;

type ValueOf<T extends TemplateParamType> = T extends 'BOOLEAN'
  ? boolean
  : T extends 'NUMBER'
    ? number
    : string;

/** The `parameters` a job of template P takes: required keys required, optional keys optional, typed. */
export type ParameterValues<P extends readonly TemplateParameter[]> = {
  readonly [K in P[number] as K['optional'] extends true ? never : K['name']]: ValueOf<K['type']>;
} & {
  readonly [K in P[number] as K['optional'] extends true ? K['name'] : never]?: ValueOf<K['type']>;
};

/**
 * Launch options the job resource has as its own arguments. The API rejects a launch that also passes them as
 * parameters, so neither a template definition nor a job's parameters may use these keys.
 */
export const RESERVED_PARAMETERS: Readonly<Record<string, string>> = {
  network: 'network',
  subnetwork: 'subnetwork',
  serviceAccount: 'the worker identity',
  serviceAccountEmail: 'the worker identity',
  tempLocation: 'the staging bucket',
  stagingLocation: 'the staging bucket',
  gcpTempLocation: 'the staging bucket',
  machineType: 'machineType',
  workerMachineType: 'machineType',
  launcherMachineType: 'launcherMachineType',
  maxWorkers: 'maxWorkers',
  maxNumWorkers: 'maxWorkers',
  numWorkers: 'numWorkers',
  kmsKeyName: 'encryptionKey',
  dataflowKmsKey: 'encryptionKey',
  ipConfiguration: 'the private-IP setting (always WORKER_IP_PRIVATE)',
  usePublicIps: 'the private-IP setting (always WORKER_IP_PRIVATE)',
  enableStreamingEngine: 'the streaming engine setting (always on for streaming templates)',
  autoscalingAlgorithm: 'autoscalingAlgorithm',
  sdkContainerImage: 'sdkContainerImage',
  additionalExperiments: 'additionalExperiments',
  labels: 'labels',
  region: 'region',
  project: 'project',
  jobName: 'jobName',
};

const GCS = '^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](/.*)?$';
const BUCKET = '^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]/?$';

/** What each type's value must look like when the definition gives no regexes. */
export const TYPE_PATTERNS: Partial<
  Record<TemplateParamType, { readonly re: string; readonly text: string }>
> = {
  GCS_READ_BUCKET: { re: BUCKET, text: 'must be a bucket URL gs://<bucket>' },
  GCS_WRITE_BUCKET: { re: BUCKET, text: 'must be a bucket URL gs://<bucket>' },
  GCS_READ_FILE: { re: GCS, text: 'must be a Cloud Storage URL gs://<bucket>/<object>' },
  GCS_WRITE_FILE: { re: GCS, text: 'must be a Cloud Storage URL gs://<bucket>/<object>' },
  GCS_READ_FOLDER: { re: GCS, text: 'must be a Cloud Storage URL gs://<bucket>/<path>' },
  GCS_WRITE_FOLDER: { re: GCS, text: 'must be a Cloud Storage URL gs://<bucket>/<path>' },
  JAVASCRIPT_UDF_FILE: { re: '^gs://[^/]+/.+\\.js$', text: 'must be a Cloud Storage URL of a .js file' },
  PUBSUB_TOPIC: {
    re: TOPIC_NAME_SOURCE,
    text: 'must be a full topic name projects/<project>/topics/<topic>',
  },
  PUBSUB_SUBSCRIPTION: {
    re: SUBSCRIPTION_NAME_SOURCE,
    text: 'must be a full subscription name projects/<project>/subscriptions/<subscription>',
  },
  BIGQUERY_TABLE: {
    re: `^${PROJECT_ID_SOURCE}:[A-Za-z0-9_]{1,1024}\\.[\\p{L}\\p{M}\\p{N}\\p{Pc}\\p{Pd}\\p{Zs}]{1,1024}$`,
    text: 'must be a table spec <project>:<dataset>.<table>',
  },
  SERVICE_ACCOUNT: {
    re: `^[a-z][-a-z0-9]{4,28}[a-z0-9]@${PROJECT_ID_SOURCE}\\.iam\\.gserviceaccount\\.com$`,
    text: 'must be a service account email',
  },
  KMS_KEY_NAME: {
    re: '^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$',
    text: 'must be a key name projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>',
  },
};

const PARAM_NAME = /^[a-z][A-Za-z0-9]{0,99}$/;

/** Validates a template definition (names, reserved keys, enums, bounds) and returns it unchanged. */
export function defineFlexTemplate<const P extends readonly TemplateParameter[]>(
  definition: FlexTemplateDefinition<P>,
): FlexTemplateDefinition<P> {
  const checks = new Checks(`Flex Template ${definition.name}`);
  checks.rule('name', definition.name, 'must be 1-100 letters, digits, "_" and "-"', (n) =>
    /^[A-Za-z0-9_-]{1,100}$/.test(n),
  );
  checks.require('description', definition.description);
  const seen = new Set<string>();
  for (const p of definition.parameters) {
    const at = `parameters.${p.name}`;
    checks.rule(at, p.name, 'must be lowerCamelCase: a lowercase letter, then letters and digits', (n) =>
      PARAM_NAME.test(n),
    );
    if (seen.has(p.name)) checks.fail(at, p.name, 'is declared twice');
    seen.add(p.name);
    const reserved = RESERVED_PARAMETERS[p.name];
    if (reserved !== undefined)
      checks.fail(
        at,
        p.name,
        `is a launch option of the job resource (${reserved}); it cannot be a template parameter`,
      );
    checks.require(`${at}.label`, p.label);
    checks.require(`${at}.helpText`, p.helpText);
    if (p.type === 'ENUM')
      checks.rule(
        `${at}.values`,
        p.values ?? [],
        'ENUM parameters list at least one distinct value',
        (v) => v.length > 0 && new Set(v).size === v.length,
      );
    else if (p.values !== undefined)
      checks.fail(`${at}.values`, p.values, 'only ENUM parameters take values');
    if (p.min !== undefined && p.max !== undefined && p.min > p.max)
      checks.fail(`${at}.min`, p.min, `must not exceed max (${p.max})`);
    for (const re of p.regexes ?? [])
      checks.rule(`${at}.regexes`, re, 'must be a valid regular expression', isRegex);
  }
  for (const group of definition.exactlyOneOf ?? [])
    for (const name of group)
      if (!seen.has(name))
        checks.fail('exactlyOneOf', name, 'names a parameter the template does not declare');
  checks.throwIfAny();
  return definition;
}

const compiled = new Map<string, RegExp>();

/** Patterns are compiled once per process: every job of a template checks the same ones. */
function regex(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(source, 'u');
    compiled.set(source, re);
  }
  return re;
}

function isRegex(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a job's parameter values against the template and returns them as the string map the API takes,
 * keys sorted. Every problem is reported: unknown and reserved keys, missing required ones, wrong types,
 * values outside their patterns, enums or bounds, and the template's cross-parameter rules. Values for which
 * `isUnresolved` is true (Terraform tokens) are passed through unchecked.
 */
export function templateParameterProblems(
  definition: FlexTemplateDefinition,
  values: Readonly<Record<string, ParameterValue | undefined>>,
  isUnresolved: (value: unknown) => boolean = () => false,
): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  const byName = new Map(definition.parameters.map((p) => [p.name, p]));
  const fail = (field: string, value: unknown, rule: string) =>
    problems.push({ field: `parameters.${field}`, value, rule });
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const reserved = RESERVED_PARAMETERS[key];
    if (reserved !== undefined) {
      fail(
        key,
        value,
        `is a launch option of the job resource; set ${reserved} instead (the API rejects duplicates)`,
      );
      continue;
    }
    const p = byName.get(key);
    if (!p) {
      fail(key, value, `is not a parameter of ${definition.name} (known: ${[...byName.keys()].join(', ')})`);
      continue;
    }
    if (isUnresolved(value)) continue;
    problems.push(...valueProblems(p, value).map((rule) => ({ field: `parameters.${key}`, value, rule })));
  }
  for (const p of definition.parameters)
    if (!p.optional && values[p.name] === undefined) fail(p.name, undefined, 'is required');
  for (const group of definition.exactlyOneOf ?? []) {
    const set = group.filter((n) => values[n] !== undefined);
    if (set.length !== 1)
      fail(group.join('|'), set, `exactly one of ${group.join(', ')} must be set, found ${set.length}`);
  }
  const defined = Object.fromEntries(
    Object.entries(values).filter((e): e is [string, ParameterValue] => e[1] !== undefined),
  );
  for (const rule of definition.rules ?? []) {
    const problem = rule(defined);
    if (problem) problems.push({ ...problem, field: `parameters.${problem.field}` });
  }
  return problems;
}

function valueProblems(p: TemplateParameter, value: ParameterValue): string[] {
  if (p.type === 'BOOLEAN') return typeof value === 'boolean' ? [] : ['must be a boolean'];
  if (p.type === 'NUMBER') {
    if (typeof value !== 'number' || !Number.isInteger(value)) return ['must be an integer'];
    const min = p.min ?? 0;
    const out: string[] = [];
    if (value < min) out.push(`must be >= ${min}`);
    if (p.max !== undefined && value > p.max) out.push(`must be <= ${p.max}`);
    return out;
  }
  if (typeof value !== 'string') return ['must be a string'];
  if (value === '') return ['must not be empty'];
  if (p.type === 'ENUM')
    return (p.values ?? []).includes(value) ? [] : [`must be one of ${(p.values ?? []).join(', ')}`];
  const patterns = p.regexes ?? [];
  if (patterns.length > 0)
    return patterns.filter((re) => !regex(re).test(value)).map((re) => `must match ${re}`);
  const byType = TYPE_PATTERNS[p.type];
  return byType && !regex(byType.re).test(value) ? [byType.text] : [];
}

/** The values as the string map the job resource's `parameters` takes, keys sorted for a stable plan. */
export function parameterMap(
  definition: FlexTemplateDefinition,
  values: Readonly<Record<string, ParameterValue | undefined>>,
): Record<string, string> {
  const byName = new Map(definition.parameters.map((p) => [p.name, p]));
  const out: Record<string, string> = {};
  for (const key of Object.keys(values).sort()) {
    const value = values[key];
    if (value !== undefined && byName.has(key)) out[key] = String(value);
  }
  return out;
}

/** The `metadata.parameters` of a Flex Template spec file, in Dataflow's ParameterMetadata form. */
export function parameterMetadata(definition: FlexTemplateDefinition): Record<string, unknown>[] {
  return definition.parameters.map((p) => ({
    name: p.name,
    label: p.label,
    helpText: p.helpText,
    isOptional: p.optional ?? false,
    paramType: p.type,
    ...(p.regexes?.length
      ? { regexes: [...p.regexes] }
      : TYPE_PATTERNS[p.type]
        ? { regexes: [TYPE_PATTERNS[p.type]?.re] }
        : {}),
    ...(p.type === 'ENUM' ? { enumOptions: (p.values ?? []).map((value) => ({ value, label: value })) } : {}),
  }));
}
