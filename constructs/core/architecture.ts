/**
 * The architecture diagram of a stack, generated from its construct tree. Constructs describe themselves (a
 * node: what it is and what to call it) and their data flow (edges to other constructs); capabilities describe
 * themselves as groups. `renderArchitecture(stack)` walks the tree and writes a Mermaid flowchart, so the picture
 * follows the code: a capability appears in it by describing its constructs, nothing else changes.
 */
import { createHash } from 'node:crypto';
import type { IConstruct } from 'constructs';

/** What a node is; each has its own Mermaid shape. */
export type DiagramShape =
  | 'service'
  | 'topic'
  | 'subscription'
  | 'job'
  | 'dataset'
  | 'table'
  | 'bucket'
  | 'repository'
  | 'identity'
  | 'workflow'
  | 'external';

export interface DiagramNode {
  readonly shape: DiagramShape;
  /** Shown in the node, for example the contract or resource name. */
  readonly label: string;
  /** Sources outside the platform that feed this node (producers, partners), drawn as external nodes. */
  readonly inputs?: readonly string[];
}

interface DiagramEdge {
  readonly to: IConstruct;
  readonly label?: string;
  readonly style: 'flow' | 'reference';
}

const nodes = new WeakMap<IConstruct, DiagramNode>();
const groups = new WeakMap<IConstruct, string>();
const edges = new WeakMap<IConstruct, DiagramEdge[]>();

/** Puts `construct` in its stack's diagram as one node. */
export function describeNode(construct: IConstruct, node: DiagramNode): void {
  nodes.set(construct, node);
}

/** Draws `construct` as a box around the nodes below it (a capability, a stream). */
export function describeGroup(construct: IConstruct, label: string): void {
  groups.set(construct, label);
}

/**
 * Data flows from `from` to `to` (`reference` draws a dotted line: configuration, not data). Either end may be a
 * construct below a described one; the edge is drawn from the nearest described ancestor. Imported resources
 * that are not constructs are left out.
 */
export function connect(
  from: IConstruct,
  to: IConstruct | object | undefined,
  label?: string,
  style: DiagramEdge['style'] = 'flow',
): void {
  if (!to || !('node' in to)) return;
  const list = edges.get(from) ?? [];
  list.push({ to: to as IConstruct, style, ...(label ? { label } : {}) });
  edges.set(from, list);
}

const SHAPES: Readonly<Record<DiagramShape, [string, string]>> = {
  service: ['(', ')'],
  topic: ['>', ']'],
  subscription: ['[/', '/]'],
  job: ['[[', ']]'],
  dataset: ['[(', ')]'],
  table: ['[(', ')]'],
  bucket: ['[(', ')]'],
  repository: ['[(', ')]'],
  identity: ['([', '])'],
  workflow: ['{{', '}}'],
  external: ['((', '))'],
};

/** Mermaid ids: a hash of the construct path, so they are stable and short. */
function idOf(kind: 'n' | 'g', c: IConstruct): string {
  return `${kind}${createHash('sha256').update(c.node.path).digest('hex').slice(0, 10)}`;
}

const quote = (text: string) =>
  `"${text.replace(/"/g, '#quot;').replace(/[<>]/g, (m) => (m === '<' ? '#lt;' : '#gt;'))}"`;

/** The nearest construct at or above `c` (inside `root`) that is a node. */
function describedAncestor(c: IConstruct, root: IConstruct): IConstruct | undefined {
  for (const s of c.node.scopes.slice().reverse()) {
    if (nodes.has(s)) return s;
    if (s === root) return undefined;
  }
  return undefined;
}

/** The stack's diagram as Mermaid flowchart source; empty when nothing in it is described. */
export function architectureMermaid(root: IConstruct): string {
  const all = root.node.findAll();
  const inTree = new Set(all);
  const lines: string[] = ['flowchart LR'];
  const inputs: string[] = [];
  const render = (scope: IConstruct, depth: number) => {
    const pad = '  '.repeat(depth);
    for (const child of scope.node.children) {
      const node = nodes.get(child);
      const group = groups.get(child);
      if (node) {
        const [open, close] = SHAPES[node.shape];
        lines.push(`${pad}${idOf('n', child)}${open}${quote(node.label)}${close}`);
        for (const [i, input] of (node.inputs ?? []).entries()) {
          const [o, c] = SHAPES.external;
          inputs.push(`  ${idOf('n', child)}_in${i}${o}${quote(input)}${c} --> ${idOf('n', child)}`);
        }
      }
      if (group && !node) {
        const before = lines.length;
        lines.push(`${pad}subgraph ${idOf('g', child)}[${quote(group)}]`);
        render(child, depth + 1);
        if (lines.length === before + 1) lines.pop();
        else lines.push(`${pad}end`);
      } else render(child, depth);
    }
  };
  render(root, 1);
  if (lines.length === 1) return '';
  lines.push(...inputs);
  const drawn = new Set<string>();
  for (const c of all) {
    for (const e of edges.get(c) ?? []) {
      const from = describedAncestor(c, root);
      const to = inTree.has(e.to) ? describedAncestor(e.to, root) : undefined;
      if (!from || !to || from === to) continue;
      const arrow = e.style === 'reference' ? '-.->' : '-->';
      const line = `  ${idOf('n', from)} ${arrow}${e.label ? `|${quote(e.label)}|` : ''} ${idOf('n', to)}`;
      if (!drawn.has(line)) {
        drawn.add(line);
        lines.push(line);
      }
    }
  }
  return lines.join('\n');
}

/** `architecture.md` of a stack: a heading, the diagram, and where it comes from. */
export function renderArchitecture(stack: IConstruct, title = stack.node.id): string {
  const mermaid = architectureMermaid(stack);
  return [
    `# Architecture: ${title}`,
    '',
    'Generated by synth from the construct tree (constructs/core/architecture.ts); do not edit.',
    '',
    ...(mermaid
      ? ['```mermaid', mermaid, '```']
      : ['_Nothing in this stack describes itself in the diagram._']),
    '',
  ].join('\n');
}
