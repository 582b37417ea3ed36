import * as fs from 'node:fs';
import * as path from 'node:path';

interface Manifest {
  readonly stacks: Record<
    string,
    { readonly workingDirectory: string; readonly synthesizedStackPath: string }
  >;
}

interface PolicySummary {
  readonly resourcesChecked: number;
  readonly summary: { readonly errors: number; readonly warnings: number; readonly suppressed: number };
}

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

/** Count per GCP service and in all, of one block kind (resources or data sources). */
function countByService(blocks: Blocks | undefined): { total: number; text: string } {
  const byService = new Map<string, number>();
  let total = 0;
  for (const [type, items] of Object.entries(blocks ?? {})) {
    const count = Object.keys(items).length;
    total += count;
    byService.set(serviceOf(type), (byService.get(serviceOf(type)) ?? 0) + count);
  }
  const text = [...byService.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return { total, text };
}

/** Maps a Terraform type to the GCP service it belongs to, for counting. */
const SERVICE_PREFIXES: readonly [string, string][] = [
  ['google_storage_', 'storage'],
  ['google_pubsub_', 'pubsub'],
  ['google_bigquery_', 'bigquery'],
  ['google_dataflow_', 'dataflow'],
  ['google_cloud_run_', 'run'],
  ['google_artifact_registry_', 'artifactregistry'],
  ['google_secret_manager_', 'secretmanager'],
  ['google_composer_', 'composer'],
  ['google_data_catalog_', 'datacatalog'],
  ['google_dataform_', 'dataform'],
  ['google_monitoring_', 'monitoring'],
  ['google_logging_', 'logging'],
  ['google_kms_', 'kms'],
  ['google_project_service', 'serviceusage'],
  ['google_project_iam_', 'iam'],
  ['google_service_account', 'iam'],
  ['google_iam_', 'iam'],
];

export function serviceOf(type: string): string {
  const hit = SERVICE_PREFIXES.find(([prefix]) => type.startsWith(prefix));
  return hit ? hit[1] : (type.replace(/^google_/, '').split('_')[0] ?? type);
}

/**
 * A short per-stack summary of a synth: resources by service, service accounts, grants, the policy verdict
 * and where the generated docs are. Reads what synth wrote, so it reports the output, not intentions.
 */
export function summarize(outdir: string, projectIds: readonly string[] = []): string {
  const manifest = readJson<Manifest>(path.join(outdir, 'manifest.json'));
  const rel = (p: string) => path.relative(process.cwd(), p) || '.';
  const lines = [`Synthesized ${Object.keys(manifest.stacks).length} stacks into ${rel(outdir)}/`, ''];
  for (const [name, stack] of Object.entries(manifest.stacks)) {
    const dir = path.join(outdir, stack.workingDirectory);
    const tf = readJson<{ resource?: Blocks; data?: Blocks }>(path.join(outdir, stack.synthesizedStackPath));
    const resources = countByService(tf.resource);
    const data = countByService(tf.data);
    const accounts = Object.values(tf.resource?.google_service_account ?? {}).map((r) =>
      String(r.account_id),
    );
    const grants = readJson<unknown[]>(path.join(dir, 'iam-matrix.json')).length;
    const report = readJson<PolicySummary>(path.join(dir, 'policy-report.json'));
    const policy = report.summary;
    lines.push(
      `${name}  ${rel(path.join(outdir, stack.synthesizedStackPath))}`,
      `  resources   ${resources.total}: ${resources.text}`,
      ...(data.total > 0 ? [`  data        ${data.total}: ${data.text}`] : []),
      `  identities  ${accounts.length}: ${accounts.sort().join(', ')}`,
      `  grants      ${grants}`,
      `  policy      ${policy.errors === 0 ? 'passed' : 'FAILED'}: ${policy.errors} errors, ${policy.warnings} warnings, ${policy.suppressed} suppressed over ${report.resourcesChecked} resources and data sources`,
      `  docs        ${['policy-report.md', 'iam-matrix.md', 'architecture.md'].map((f) => rel(path.join(dir, f))).join(', ')}`,
      '',
    );
  }
  const placeholders = projectIds.filter((id) => id.endsWith('-placeholder'));
  if (placeholders.length > 0) {
    lines.push(
      `Note: placeholder project ids (${placeholders.join(', ')}) keep this synth offline.`,
      'Set real ids in stacks/environments/*.ts before `npx cdktn deploy` (see README).',
      '',
    );
  }
  return lines.join('\n');
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
