/**
 * The preview as a pull-request comment (Atlantis/tfcmt style) and as JSON. The comment leads with a one-line
 * verdict and the warnings a reviewer must not miss (destroys and replacements, IAM widenings, breaking
 * contracts, new policy findings), then one table row per environment, then each changed stack's details
 * collapsed. GitHub refuses comments over 65,536 characters, so when the comment is longer the details are
 * trimmed, largest first; the warnings never are.
 */
import type { ContractReport } from '../contracts/compat/index';
import type { GrantChange } from './iam';
import type { DestructiveChange, PreviewReport, StackPreview } from './report';
import type { ResourceChange } from './resources';

/** Marks the comment so a workflow can find and update it. */
export const COMMENT_MARKER = '<!-- tributary-preview -->';
/** The pull-request label the preview workflow maps to `--acknowledge`. */
export const ACKNOWLEDGE_LABEL = 'preview:acknowledge-destroy';
/** GitHub's limit on an issue or pull-request comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** The JSON document's format; bumped when a field changes meaning. */
export const PREVIEW_FORMAT_VERSION = 1;

export interface RenderOptions {
  /** @default GITHUB_COMMENT_LIMIT */
  readonly maxLength?: number;
  /** More sections after the preview's own (the plan-based summary). */
  readonly extra?: readonly (readonly Section[])[];
}

/** Escapes text for a Markdown table cell: pipes and newlines would break the row. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function destructiveTable(rows: readonly DestructiveChange[]): string {
  const lines = ['| Stack | Action | Resource | Why |', '| --- | --- | --- | --- |'];
  for (const r of rows) {
    const flags = [r.protected ? '**protected**' : '', r.stateful ? 'stateful' : '']
      .filter(Boolean)
      .join(', ');
    const why = r.action === 'delete' ? 'removed from the configuration' : r.reasons.join('; ');
    lines.push(
      `| ${cell(r.stack)} | ${r.action === 'delete' ? 'destroy' : 'replace'}${flags ? ` (${flags})` : ''} | ${code(r.address)} | ${cell(why)} |`,
    );
  }
  return lines.join('\n');
}

/** The same rows with only what identifies them: the fallback when even the warnings are too long. */
function destructiveList(rows: readonly DestructiveChange[]): string {
  return rows
    .map(
      (r) =>
        `- ${r.stack}: ${r.action === 'delete' ? 'destroy' : 'replace'} ${code(r.address)}${r.protected ? ' (protected)' : ''}`,
    )
    .join('\n');
}

export function grantTable(grants: readonly GrantChange[]): string {
  const lines = ['| Change | Principal | Role | On | Widening |', '| --- | --- | --- | --- | --- |'];
  for (const g of grants) {
    const on = g.scope === 'project' ? `project ${g.resource}` : `${g.resourceType} ${g.resource}`;
    lines.push(
      `| ${g.change === 'added' ? '+' : '−'} | ${code(g.principal)} | ${code(g.role)} | ${cell(on)} | ${g.widening.length > 0 ? `**${g.widening.join(', ')}**` : ''} |`,
    );
  }
  return lines.join('\n');
}

/** Widened grants, one row per stack, principal, scope and kind of widening, with the roles listed. */
function wideningTable(rows: readonly { s: StackPreview; g: GrantChange }[]): string {
  const byKey = new Map<
    string,
    { stack: string; principal: string; on: string; widening: string; roles: string[] }
  >();
  for (const { s, g } of rows) {
    const on = g.scope === 'project' ? `project ${g.resource}` : `${g.resourceType} ${g.resource}`;
    const widening = g.widening.join(', ');
    const key = `${s.name}\u0000${g.principal}\u0000${g.scope === 'project' ? on : ''}\u0000${widening}`;
    const row = byKey.get(key) ?? {
      stack: s.name,
      principal: g.principal,
      on: g.scope === 'project' ? on : '',
      widening,
      roles: [],
    };
    row.roles.push(g.scope === 'project' ? code(g.role) : `${code(g.role)} on ${cell(on)}`);
    byKey.set(key, row);
  }
  return [
    '| Stack | Principal | Roles added | Widening |',
    '| --- | --- | --- | --- |',
    ...[...byKey.values()].map(
      (r) =>
        `| ${cell(r.stack)} | ${code(r.principal)} | ${r.roles.join(', ')}${r.on ? ` on ${cell(r.on)}` : ''} | **${r.widening}** |`,
    ),
  ].join('\n');
}

/** The diagram of an architecture.md, without its heading. */
function diagramOf(architecture: string): string {
  const start = architecture.indexOf('```mermaid');
  return start < 0 ? architecture.trim() : architecture.slice(start).trim();
}

function resourceTable(rows: readonly ResourceChange[]): string {
  const lines = ['| Action | Resource | Detail |', '| --- | --- | --- |'];
  for (const r of rows) {
    const detail =
      r.action === 'update'
        ? `changes ${r.changed.join(', ')}${r.notes.length > 0 ? ` (${r.notes.join('; ')})` : ''}`
        : r.action === 'replace'
          ? r.reasons.join('; ')
          : r.action === 'delete'
            ? 'removed from the configuration'
            : r.path;
    lines.push(`| ${r.action === 'delete' ? 'destroy' : r.action} | ${code(r.address)} | ${cell(detail)} |`);
  }
  return lines.join('\n');
}

function contractLines(contracts: readonly ContractReport[]): string {
  const lines = [
    '| Contract | Change | Raw table | Topic schema | Old events | Breaking |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const c of contracts) {
    const versions =
      c.oldVersion && c.newVersion && c.oldVersion !== c.newVersion
        ? `${c.oldVersion} → ${c.newVersion}`
        : (c.newVersion ?? c.oldVersion ?? '');
    lines.push(
      `| ${code(c.name)} | ${c.status} ${versions} | ${c.table.verdict} | ${c.topic.compatible ? 'compatible' : '**incompatible**'} | ${c.validator.compatible ? 'valid' : '**rejected**'} | ${cell(c.breaking.join('; '))} |`,
    );
  }
  return lines.join('\n');
}

function countsCell(s: StackPreview): string {
  const { create, update, replace, delete: destroy } = s.counts;
  return `${create} / ${update} / ${replace} / ${destroy}`;
}

/** One stack's details: resources, IAM, policy, code and architecture. */
function stackDetails(s: StackPreview): string {
  const parts: string[] = [];
  if (s.resources.length > 0) parts.push(`**Resources**\n\n${resourceTable(s.resources)}`);
  if (s.grants.length > 0) parts.push(`**IAM**\n\n${grantTable(s.grants)}`);
  const policy = [
    ...s.policy.added.map(
      (f) =>
        `- new ${f.level} ${code(f.ruleId)} at ${code(f.path)}: ${f.title}${f.suppressedBy ? ` (suppressed by ${f.suppressedBy.id})` : ''}`,
    ),
    ...s.policy.resolved.map((f) => `- resolved ${code(f.ruleId)} at ${code(f.path)}`),
    ...s.policy.suppressionsAdded.map(
      (x) => `- suppression added: ${code(x.id)} at ${code(x.path)}: ${x.reason}`,
    ),
  ];
  if (policy.length > 0) parts.push(`**Policy**\n\n${policy.join('\n')}`);
  if (s.artifacts.length > 0)
    parts.push(
      `**Code**\n\n${s.artifacts
        .map(
          (a) =>
            `- ${a.kind} ${code(a.name)}: ${a.change}${a.before ? ` ${code(a.before)}` : ''}${a.after ? ` → ${code(a.after)}` : ''}${a.consequence ? ` (${a.consequence})` : ''}`,
        )
        .join('\n')}`,
    );
  if (s.architecture) parts.push(`**Architecture** (changed)\n\n${diagramOf(s.architecture)}`);
  return parts.join('\n\n');
}

export interface Section {
  readonly text: string;
  /** The details that may be trimmed to fit, and what replaces them. */
  readonly trimmable?: { readonly summary: string; readonly body: string; readonly trimmed: string };
}

/** The sections of a preview; `title` heads them (the offline preview, or the plans). */
export function previewSections(
  report: PreviewReport,
  title = `Tributary preview: ${code(report.base)} → ${code(report.head)}`,
): Section[] {
  const out: Section[] = [];
  const icon =
    report.exitCode !== 0 ? '⛔' : report.destructive.length > 0 || report.contractsBreaking ? '⚠️' : '✅';
  out.push({ text: `### ${title}\n\n${icon} **${report.verdict}**` });
  if (report.blocking.length > 0 && !report.acknowledged)
    out.push({
      text: `> [!CAUTION]\n> This change destroys or replaces protected resources. If that is intended, acknowledge it (the \`${ACKNOWLEDGE_LABEL}\` label, or \`--acknowledge\`) and the preview passes.`,
    });
  if (report.destructive.length > 0)
    out.push({ text: `#### Destroys and replacements\n\n${destructiveTable(report.destructive)}` });
  const widened = report.stacks.flatMap((s) =>
    s.grants.filter((g) => g.widening.length > 0).map((g) => ({ s, g })),
  );
  if (widened.length > 0) out.push({ text: `#### IAM widened\n\n${wideningTable(widened)}` });
  if (report.contracts.length > 0) out.push({ text: `#### Contracts\n\n${contractLines(report.contracts)}` });
  const newFindings = report.stacks.flatMap((s) =>
    s.policy.added
      .filter((f) => !f.suppressedBy)
      .map((f) => `- ${s.name}: ${f.level} ${code(f.ruleId)} ${f.title} at ${code(f.path)}`),
  );
  if (newFindings.length > 0) out.push({ text: `#### New policy findings\n\n${newFindings.join('\n')}` });

  const changed = report.stacks.filter((s) => s.status !== 'unchanged');
  const unchanged = report.stacks.filter((s) => s.status === 'unchanged');
  if (changed.length > 0) {
    const rows = changed.map(
      (s) =>
        `| ${s.name}${s.production ? ' (production)' : ''} | ${s.status} | ${countsCell(s)} | ${s.grants.length} | ${s.policy.added.filter((f) => !f.suppressedBy).length} / ${s.policy.resolved.length} / ${s.policy.added.filter((f) => f.suppressedBy).length} | ${s.artifacts.length} |`,
    );
    out.push({
      text: `#### Environments\n\n| Stack | Status | Create / update / replace / destroy | IAM changes | Findings new / resolved / suppressed | Code |\n| --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}`,
    });
  }
  if (unchanged.length > 0) out.push({ text: `No changes: ${unchanged.map((s) => s.name).join(', ')}.` });
  for (const s of changed) {
    const summary = `${s.name}: ${
      [
        s.resources.length > 0 ? plural(s.resources.length, 'resource change') : '',
        s.grants.length > 0 ? plural(s.grants.length, 'grant change') : '',
        s.artifacts.length > 0 ? plural(s.artifacts.length, 'code change') : '',
        s.architecture ? 'architecture changed' : '',
      ]
        .filter(Boolean)
        .join(', ') || 'policy changes'
    }`;
    out.push({
      text: '',
      trimmable: {
        summary,
        body: stackDetails(s),
        trimmed:
          '_Details trimmed to keep the comment under GitHub’s limit; they are in the preview.json artifact._',
      },
    });
  }
  return out;
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary.replace(/</g, '&lt;')}</summary>\n\n${body}\n\n</details>`;
}

/** The comment body, at most `maxLength` characters. */
export function renderMarkdown(report: PreviewReport, options: RenderOptions = {}): string {
  return renderComment(
    [previewSections(report), ...(options.extra ?? [])],
    options.maxLength,
    report.destructive,
  );
}

/**
 * Joins groups of sections into one comment under the marker, trimming the largest details first until it fits.
 * If only the warnings are left and they are still too long, every destroy and replacement is listed by address.
 */
export function renderComment(
  groups: readonly (readonly Section[])[],
  maxLength = GITHUB_COMMENT_LIMIT,
  destructive: readonly DestructiveChange[] = [],
): string {
  const all = groups.flat();
  const bodies = all.map((s) => s.trimmable?.body);
  const join = () =>
    `${[
      COMMENT_MARKER,
      ...all.map((s, i) =>
        s.trimmable ? details(s.trimmable.summary, bodies[i] ?? s.trimmable.trimmed) : s.text,
      ),
    ].join('\n\n')}\n`;
  let text = join();
  while (text.length > maxLength) {
    let largest = -1;
    for (let i = 0; i < bodies.length; i++) {
      const b = bodies[i];
      if (
        b !== undefined &&
        b !== all[i]?.trimmable?.trimmed &&
        (largest < 0 || b.length > (bodies[largest] ?? '').length)
      )
        largest = i;
    }
    if (largest < 0) break;
    bodies[largest] = all[largest]?.trimmable?.trimmed;
    text = join();
  }
  if (text.length <= maxLength) return text;
  const compact = [
    COMMENT_MARKER,
    all[0]?.text ?? '',
    `#### Destroys and replacements\n\n${destructiveList(destructive)}`,
    '_The rest of the preview is in the preview.json artifact: the comment would exceed GitHub’s limit._',
  ].join('\n\n');
  if (compact.length + 1 <= maxLength) return `${compact}\n`;
  const note = `\n\n_… the list is cut at GitHub’s comment limit; all ${destructive.length} destroys and replacements are in preview.json._\n`;
  return compact.slice(0, compact.lastIndexOf('\n', maxLength - note.length)) + note;
}

/** The machine-readable preview. */
export function renderJson(report: PreviewReport): string {
  return `${JSON.stringify({ formatVersion: PREVIEW_FORMAT_VERSION, ...report }, null, 2)}\n`;
}
