import type { PolicyReport } from './types';

/** Renders a policy report for humans: verdict first, then open findings, suppressions and the rule book. */
export function renderReportMarkdown(report: PolicyReport): string {
  const { errors, warnings, suppressed } = report.summary;
  const verdict = errors > 0 ? 'FAILED' : 'PASSED';
  const open = report.findings.filter((f) => !f.suppressedBy);
  const accepted = report.findings.filter((f) => f.suppressedBy);
  const lines: string[] = [
    `# Policy report: ${report.stack}`,
    '',
    `**${verdict}**: ${errors} errors, ${warnings} warnings, ${suppressed} suppressed findings over ${report.resourcesChecked} resources (environment \`${report.environment}\`${report.production ? ', production' : ''}).`,
    '',
    '## Open findings',
    '',
  ];
  if (open.length === 0) lines.push('None.', '');
  else {
    lines.push('| Rule | Level | Resource | Detail |', '| --- | --- | --- | --- |');
    for (const f of open) lines.push(`| ${f.ruleId} | ${f.level} | \`${f.address}\` | ${cell(f.detail)} |`);
    lines.push('');
  }
  lines.push('## Suppressions', '');
  if (report.suppressions.length === 0) lines.push('None.', '');
  else {
    lines.push('| Rule | On | Reason | Findings accepted |', '| --- | --- | --- | --- |');
    for (const s of report.suppressions) {
      const note = s.knownRule ? String(s.matched) : `${s.matched} (no rule ${s.id} in this pack)`;
      lines.push(`| ${s.id} | \`${s.path}\` | ${cell(s.reason)} | ${note} |`);
    }
    lines.push('');
  }
  if (accepted.length > 0) {
    lines.push(
      '### Suppressed findings',
      '',
      '| Rule | Resource | Detail | Reason |',
      '| --- | --- | --- | --- |',
    );
    for (const f of accepted) {
      lines.push(
        `| ${f.ruleId} | \`${f.address}\` | ${cell(f.detail)} | ${cell(f.suppressedBy?.reason ?? '')} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '## Rules',
    '',
    '| Rule | Level | Requirement | CIS | checkov | Why |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const r of report.rules)
    lines.push(
      `| ${r.id} | ${r.level} | ${cell(r.title)} | ${cell(r.cis.join(', ') || '-')} | ${cell(r.checkov.join(', ') || '-')} | ${cell(r.explanation)}${r.note ? ` (${cell(r.note)})` : ''} |`,
    );
  lines.push('');
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
