/**
 * Runbooks as data, rendered to the Markdown an alert policy carries as its documentation. Every runbook says
 * what the alert means, gives the first three checks with the exact command for each, says how to recover and
 * how to confirm that nothing was lost. The sections are fixed so an on-call engineer finds the same thing in
 * the same place in every alert, and a test can check every policy has them.
 */

export interface RunbookStep {
  /** What the step finds out or does, one sentence. */
  readonly why: string;
  /** The exact `gcloud`/`bq` command, with the environment's names filled in. */
  readonly command: string;
}

export interface Runbook {
  readonly meaning: string;
  /** Exactly three. */
  readonly checks: readonly RunbookStep[];
  readonly recover: readonly (string | RunbookStep)[];
  readonly confirm: readonly (string | RunbookStep)[];
}

/** The headings every rendered runbook has, in order. */
export const RUNBOOK_SECTIONS = [
  '## What it means',
  '## First three checks',
  '## Recover',
  '## Confirm nothing was lost',
] as const;

/** Cloud Monitoring's limit on documentation content: 8,192 characters and 10,240 bytes. */
export const DOCUMENTATION_LIMIT = { chars: 8192, bytes: 10240 };

const step = (s: string | RunbookStep, i: number) =>
  typeof s === 'string' ? `${i + 1}. ${s}` : `${i + 1}. ${s.why}\n\n   \`\`\`sh\n   ${s.command}\n   \`\`\``;

export function renderRunbook(title: string, r: Runbook): string {
  return [
    `# ${title}`,
    '',
    RUNBOOK_SECTIONS[0],
    '',
    r.meaning,
    '',
    RUNBOOK_SECTIONS[1],
    '',
    ...r.checks.map(step),
    '',
    RUNBOOK_SECTIONS[2],
    '',
    ...r.recover.map(step),
    '',
    RUNBOOK_SECTIONS[3],
    '',
    ...r.confirm.map(step),
    '',
  ].join('\n');
}

/** What is wrong with a runbook and its rendering, as rule sentences; empty when it is complete. */
export function runbookProblems(r: Runbook, rendered: string): string[] {
  const out: string[] = [];
  if (!r.meaning.trim()) out.push('runbook must say what the alert means');
  if (r.checks.length !== 3)
    out.push(`runbook must give exactly three first checks (it gives ${r.checks.length})`);
  for (const [i, c] of r.checks.entries())
    if (!/^(gcloud|bq|gsutil) /.test(c.command))
      out.push(
        `runbook check ${i + 1} must be a gcloud, bq or gsutil command (it is ${JSON.stringify(c.command)})`,
      );
  if (r.recover.length === 0) out.push('runbook must say how to recover');
  if (r.confirm.length === 0) out.push('runbook must say how to confirm nothing was lost');
  const bytes = Buffer.byteLength(rendered);
  if (rendered.length > DOCUMENTATION_LIMIT.chars || bytes > DOCUMENTATION_LIMIT.bytes)
    out.push(
      `runbook renders to ${rendered.length} characters / ${bytes} bytes; Cloud Monitoring takes at most ${DOCUMENTATION_LIMIT.chars} / ${DOCUMENTATION_LIMIT.bytes}`,
    );
  return out;
}
