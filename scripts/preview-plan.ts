/**
 * `npm run preview:plan -- --plan <stack>=<plan.json> [--plan …] [--offline preview.json] [--synth <dir>]
 *   [--out <dir>] [--acknowledge]`
 *
 * The preview from real plans: reads `terraform show -json <planfile>` output per stack, renders the same summary
 * as the offline preview, and, given the offline `preview.json` of the same change, lists where the two disagree
 * and writes one comment holding both (`plan-preview.md`, with `plan-preview.json`). `--synth` (default
 * `cdktf.out` when it exists) names the synthesized app, for construct paths and prevent_destroy.
 *
 * Exits 0, 3 when a protected resource would be destroyed or replaced without `--acknowledge`, 2 on a usage
 * error and 1 when a file cannot be read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildPlanPreview, parsePlan, type TerraformPlan } from '../preview/plan';
import { planSections } from '../preview/plan-render';
import { PREVIEW_FORMAT_VERSION, previewSections, renderComment } from '../preview/render';
import type { PreviewReport } from '../preview/report';
import { loadSnapshot } from '../preview/snapshot';
import { parseCommandLine, runScript, UsageError } from './cli';

const USAGE =
  'npm run preview:plan -- --plan <stack>=<plan.json> [--plan ...] [--offline preview.json] [--synth <dir>] [--out <dir>] [--acknowledge]';

/** Reads an offline preview.json written by `npm run preview`, checking its format version. */
export function readOfflinePreview(file: string): PreviewReport {
  let raw: { formatVersion?: unknown } & PreviewReport;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--offline ${file}: ${(error as Error).message}`);
  }
  if (raw.formatVersion !== PREVIEW_FORMAT_VERSION)
    throw new Error(
      `--offline ${file}: formatVersion is ${JSON.stringify(raw.formatVersion)}; this reads version ${PREVIEW_FORMAT_VERSION} (regenerate it with npm run preview)`,
    );
  if (!Array.isArray(raw.stacks))
    throw new Error(`--offline ${file}: stacks is missing; is this a preview.json?`);
  return raw;
}

export function main(
  argv: readonly string[],
  cwd = process.cwd(),
  log: (s: string) => unknown = (s) => process.stdout.write(s),
): number {
  const { values } = parseCommandLine(
    argv,
    {
      plan: { type: 'string', multiple: true },
      offline: { type: 'string' },
      synth: { type: 'string' },
      out: { type: 'string' },
      acknowledge: { type: 'boolean' },
    },
    USAGE,
  );
  if (!values.plan || values.plan.length === 0)
    throw new UsageError(`at least one --plan is required\nusage: ${USAGE}`);
  const plans = new Map<string, TerraformPlan>();
  for (const spec of values.plan) {
    const match = /^([A-Za-z0-9_-]+)=(.+)$/.exec(spec);
    if (!match)
      throw new UsageError(`--plan ${JSON.stringify(spec)} must be <stack>=<plan.json>\nusage: ${USAGE}`);
    const [, stack, file] = match as unknown as [string, string, string];
    if (plans.has(stack)) throw new UsageError(`--plan names stack ${stack} twice\nusage: ${USAGE}`);
    const abs = path.resolve(cwd, file);
    if (!fs.existsSync(abs)) throw new Error(`--plan ${stack}=${file}: no such file`);
    plans.set(stack, parsePlan(fs.readFileSync(abs, 'utf8'), file));
  }
  const offline = values.offline ? readOfflinePreview(path.resolve(cwd, values.offline)) : undefined;
  const synthDir = path.resolve(cwd, values.synth ?? 'cdktf.out');
  const heads = fs.existsSync(path.join(synthDir, 'manifest.json'))
    ? loadSnapshot(synthDir).stacks
    : undefined;
  if (values.synth && !heads) throw new Error(`--synth ${values.synth}: no manifest.json; synthesize first`);
  const preview = buildPlanPreview(plans, {
    base: 'deployed state',
    head: offline?.head ?? 'this change',
    acknowledged: values.acknowledge ?? false,
    ...(offline ? { offline } : {}),
    ...(heads ? { heads } : {}),
  });
  const groups = [...(offline ? [previewSections(offline)] : []), planSections(preview)];
  const markdown = renderComment(groups, undefined, [
    ...(offline?.destructive ?? []),
    ...preview.report.destructive,
  ]);
  const out = path.resolve(cwd, values.out ?? path.join('cdktf.out', 'preview'));
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'plan-preview.md'), markdown);
  fs.writeFileSync(
    path.join(out, 'plan-preview.json'),
    `${JSON.stringify({ formatVersion: PREVIEW_FORMAT_VERSION, ...preview }, null, 2)}\n`,
  );
  log(
    `${preview.report.exitCode === 0 ? 'plan preview' : 'plan preview BLOCKED'}: ${preview.report.verdict}; ` +
      `${preview.disagreements.length} disagreement(s) with the offline preview\n` +
      `wrote ${path.relative(cwd, path.join(out, 'plan-preview.md'))}, ${path.relative(cwd, path.join(out, 'plan-preview.json'))}\n`,
  );
  return preview.report.exitCode;
}

if (require.main === module) void runScript('preview:plan', () => main(process.argv.slice(2)));
