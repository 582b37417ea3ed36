/**
 * A synthesized app as the preview reads it: for each stack, its resources (by Terraform address, with their
 * construct path and configuration), its IAM matrix, its policy report and its architecture diagram. Read from
 * the files synth writes (`manifest.json` and `stacks/<stack>/…`), so the preview needs nothing but the output
 * of `npm run synth`, for any ref.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SnapshotResource {
  /** `type.name`, or `data.type.name`. */
  readonly address: string;
  readonly type: string;
  readonly mode: 'managed' | 'data';
  /** Construct path, from the resource's synthesized metadata. */
  readonly path: string;
  /** Arguments as synthesized, without cdktf's metadata. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** One row of a stack's IAM matrix (iam-matrix.json). */
export interface SnapshotGrant {
  readonly principal: string;
  readonly principalKind: string;
  readonly resourceType: string;
  readonly resource: string;
  readonly role: string;
  readonly scope: 'resource' | 'project';
  readonly path: string;
  readonly justification?: string;
}

export interface SnapshotFinding {
  readonly ruleId: string;
  readonly level: string;
  readonly title: string;
  readonly path: string;
  readonly detail: string;
  readonly suppressedBy?: { readonly id: string; readonly reason: string; readonly path: string };
}

export interface StackSnapshot {
  readonly name: string;
  readonly resources: ReadonlyMap<string, SnapshotResource>;
  readonly grants: readonly SnapshotGrant[];
  readonly findings: readonly SnapshotFinding[];
  readonly suppressions: readonly { readonly id: string; readonly path: string; readonly reason: string }[];
  readonly production: boolean;
  /** `moved` blocks: old address -> new address. */
  readonly moves: ReadonlyMap<string, string>;
  /** architecture.md, when the stack wrote one. */
  readonly architecture?: string;
  /** Other JSON reports the stack wrote (a capability's manifest, such as models.json), by file name. */
  readonly reports?: ReadonlyMap<string, string>;
}

export interface AppSnapshot {
  readonly stacks: ReadonlyMap<string, StackSnapshot>;
}

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

/** The resources of a synthesized stack document, keyed by address. */
export function resourcesOf(document: { resource?: Blocks; data?: Blocks }): Map<string, SnapshotResource> {
  const out = new Map<string, SnapshotResource>();
  for (const mode of ['managed', 'data'] as const)
    for (const [type, byName] of Object.entries(
      (mode === 'managed' ? document.resource : document.data) ?? {},
    ))
      for (const [name, block] of Object.entries(byName)) {
        const { '//': meta, ...config } = block;
        const address = `${mode === 'data' ? 'data.' : ''}${type}.${name}`;
        const p = (meta as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? address;
        out.set(address, { address, type, mode, path: p, config });
      }
  return out;
}

function readJson<T>(file: string, fallback?: T): T {
  if (!fs.existsSync(file)) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${file}: missing; synthesize first (npm run synth)`);
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** Reads a synth output directory (the one holding manifest.json). */
export function loadSnapshot(outdir: string): AppSnapshot {
  const manifest = readJson<{
    stacks: Record<string, { workingDirectory: string; synthesizedStackPath: string }>;
  }>(path.join(outdir, 'manifest.json'));
  const stacks = new Map<string, StackSnapshot>();
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    const dir = path.join(outdir, entry.workingDirectory);
    const document = readJson<{ resource?: Blocks; data?: Blocks; moved?: { from: string; to: string }[] }>(
      path.join(outdir, entry.synthesizedStackPath),
    );
    const policy = readJson<{
      production?: boolean;
      findings?: SnapshotFinding[];
      suppressions?: { id: string; path: string; reason: string }[];
    }>(path.join(dir, 'policy-report.json'), {});
    const architecture = path.join(dir, 'architecture.md');
    const known = new Set(['cdk.tf.json', 'iam-matrix.json', 'policy-report.json']);
    const reports = new Map(
      (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
        .filter((f) => f.endsWith('.json') && !known.has(f))
        .sort()
        .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')] as const),
    );
    stacks.set(name, {
      name,
      resources: resourcesOf(document),
      moves: new Map((document.moved ?? []).map((m) => [m.from, m.to])),
      grants: readJson<SnapshotGrant[]>(path.join(dir, 'iam-matrix.json'), []),
      findings: policy.findings ?? [],
      suppressions: (policy.suppressions ?? []).map(({ id, path: p, reason }) => ({ id, path: p, reason })),
      production: policy.production ?? false,
      ...(fs.existsSync(architecture) ? { architecture: fs.readFileSync(architecture, 'utf8') } : {}),
      ...(reports.size > 0 ? { reports } : {}),
    });
  }
  return { stacks };
}
