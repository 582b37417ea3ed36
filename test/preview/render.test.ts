/** The comment stays under GitHub's limit by trimming details, never the warnings; cells cannot break tables. */
import { COMMENT_MARKER, cell, GITHUB_COMMENT_LIMIT, renderMarkdown } from '../../preview/render';
import { assembleReport, stackPreview } from '../../preview/report';
import type { ResourceChange } from '../../preview/resources';

const change = (i: number, action: ResourceChange['action'], protectedResource = false): ResourceChange => ({
  action,
  type: 'google_bigquery_table',
  address: `google_bigquery_table.Platform_Streams_stream_${i}_Table_${String(i).padStart(8, '0')}`,
  path: `prod/Platform/Streams/stream_${i}/Table/Resource`,
  changed: action === 'update' ? ['labels.owner', 'description'] : [],
  reasons:
    action === 'replace'
      ? ['schema: column amount changes type NUMERIC → STRING, which forces replacement']
      : [],
  notes: [],
  protected: protectedResource,
  stateful: true,
});

function report(stacks: number, updatesPerStack: number, destroys: number) {
  const previews = Array.from({ length: stacks }, (_, s) =>
    stackPreview(
      `env${s}`,
      { base: { production: s === 0 }, head: { production: s === 0 } },
      {
        resources: [
          ...Array.from({ length: s === 0 ? destroys : 0 }, (_, i) => change(i, 'replace', true)),
          ...Array.from({ length: updatesPerStack }, (_, i) => change(1000 + i, 'update')),
        ],
        grants: [],
        policy: { added: [], resolved: [], suppressionsAdded: [] },
        artifacts: [],
      },
    ),
  );
  return assembleReport(previews, { base: 'main', head: 'feature' });
}

describe('renderMarkdown', () => {
  test('a large change is trimmed under the limit: details go, the warnings and the table per environment stay', () => {
    const r = report(12, 300, 20);
    const markdown = renderMarkdown(r);
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown.startsWith(COMMENT_MARKER)).toBe(true);
    for (const d of r.destructive) expect(markdown).toContain(d.address);
    for (const s of r.stacks) expect(markdown).toContain(`| ${s.name}`);
    expect(markdown).toContain('Details trimmed to keep the comment under GitHub’s limit');
    // Only as much is trimmed as needed: some stacks keep their details.
    expect(markdown).toContain('**Resources**');
  });

  test('with a tiny limit every destroy and replacement is still listed, by address', () => {
    const r = report(3, 50, 30);
    const markdown = renderMarkdown(r, { maxLength: 6000 });
    expect(markdown.length).toBeLessThanOrEqual(6000);
    for (const d of r.destructive) expect(markdown).toContain(d.address);
    expect(markdown).toContain('The rest of the preview is in the preview.json artifact');
  });

  test('when even the addresses do not fit, the list says it is cut and where the rest is', () => {
    const r = report(1, 0, 400);
    const markdown = renderMarkdown(r, { maxLength: 4000 });
    expect(markdown.length).toBeLessThanOrEqual(4000);
    expect(markdown).toContain('all 400 destroys and replacements are in preview.json');
  });

  test('a small change is rendered whole', () => {
    const r = report(2, 3, 1);
    const markdown = renderMarkdown(r);
    expect(markdown).not.toContain('trimmed');
    expect(markdown).toContain('<details><summary>env0: 4 resource changes</summary>');
    expect(markdown).toContain(
      '| update | `google_bigquery_table.Platform_Streams_stream_1000_Table_00001000` | changes labels.owner, description |',
    );
  });

  test('cells escape pipes, backslashes and newlines', () => {
    expect(cell('a|b\\c\nd')).toBe('a\\|b\\\\c d');
  });
});
