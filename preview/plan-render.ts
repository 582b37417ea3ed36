/** The plan-based preview as comment sections, with where it and the offline preview disagree. */
import type { PlanDisagreement, PlanPreview } from './plan';
import { cell, code, previewSections, type Section } from './render';

const word = (a: PlanDisagreement['offline']) =>
  a === 'none' ? 'no change' : a === 'delete' ? 'destroy' : a;

function table(rows: readonly PlanDisagreement[]): string {
  return [
    '| Stack | Resource | Offline preview | Plan |',
    '| --- | --- | --- | --- |',
    ...rows.map((d) => `| ${cell(d.stack)} | ${code(d.address)} | ${word(d.offline)} | ${word(d.plan)} |`),
  ].join('\n');
}

export function planSections(plan: PlanPreview): Section[] {
  const stacks = plan.report.stacks.map((s) => s.name).join(', ');
  const out = previewSections(plan.report, `Terraform plans (${stacks})`);
  const unconfirmed = plan.disagreements.filter((d) => d.offline !== 'none');
  const unpredicted = plan.disagreements.filter((d) => d.offline === 'none');
  const destroys = (d: PlanDisagreement) =>
    [d.offline, d.plan].some((a) => a === 'delete' || a === 'replace');
  const loud = plan.disagreements.filter(destroys);
  if (loud.length > 0)
    out.push({ text: `#### Destroys and replacements the two previews disagree on\n\n${table(loud)}` });
  if (plan.disagreements.length === 0 && plan.unmatchedStacks.length === 0)
    out.push({ text: 'The plans confirm the offline preview: every resource has the same action in both.' });
  else {
    out.push({
      text: '',
      trimmable: {
        summary: `Offline findings the plans did not confirm: ${unconfirmed.length}; plan changes the offline preview did not predict: ${unpredicted.length}`,
        body: [
          unconfirmed.length > 0 ? `**Not confirmed by the plans**\n\n${table(unconfirmed)}` : '',
          unpredicted.length > 0
            ? `**Not predicted offline** (often values only the provider knows, or drift)\n\n${table(unpredicted)}`
            : '',
          plan.unmatchedStacks.length > 0
            ? `Stacks planned that the offline preview does not have: ${plan.unmatchedStacks.join(', ')}`
            : '',
        ]
          .filter(Boolean)
          .join('\n\n'),
        trimmed:
          '_Details trimmed to keep the comment under GitHub’s limit; they are in the plan-preview.json artifact._',
      },
    });
  }
  return out;
}
