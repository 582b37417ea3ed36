import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AnnotationMetadataEntryType,
  Annotations,
  Aspects,
  type IAspect,
  type ISynthesisSession,
  type TerraformStack,
} from 'cdktf';
import { encounteredAnnotationWithLevelError } from 'cdktf/lib/errors';
import { StackSynthesizer } from 'cdktf/lib/synthesize/synthesizer';
import type { IConstruct } from 'constructs';
import { stableJson } from '../core/stable-json';

// Where cdktf's addCustomSynthesis keeps a construct's synthesis hook.
const CUSTOM_SYNTHESIS = Symbol.for('cdktf/customSynthesis');
const ANNOTATION_TYPES: readonly string[] = [
  AnnotationMetadataEntryType.INFO,
  AnnotationMetadataEntryType.WARN,
  AnnotationMetadataEntryType.ERROR,
];

interface Annotation {
  readonly constructPath: string;
  readonly level: string;
  readonly message: unknown;
  readonly stacktrace?: string[];
}

/**
 * cdktf's StackSynthesizer, step for step (aspects, validations, custom synthesis leaves first, annotations
 * into the manifest, abort on errors, write `cdk.tf.json`), except that the document is serialized by
 * `stableJson`, which writes the same bytes as cdktf's `json-stable-stringify` in about half the time on
 * large stacks. HCL output and resource moves are left to cdktf. cdktf is archived, so the steps copied here
 * no longer move; a test compares the written file with cdktf's own synthesizer.
 */
export class TributaryStackSynthesizer extends StackSynthesizer {
  constructor(
    private readonly target: TerraformStack,
    private readonly continueOnErrors: boolean,
    private readonly hcl: boolean,
  ) {
    super(target, continueOnErrors, hcl);
  }

  public override synthesize(session: ISynthesisSession): void {
    if (this.hcl) {
      super.synthesize(session);
      return;
    }
    const stack = this.target;
    applyAspects(stack);
    if (stack.hasResourceMove()) {
      // Resource moves need Terraform >= 1.5; cdktf's synthesizer adds that validation, so delegate.
      super.synthesize(session);
      return;
    }
    if (!session.skipValidation) stack.runAllValidations();
    const stackManifest = session.manifest.forStack(stack);
    const workingDirectory = path.join(session.outdir, stackManifest.workingDirectory);
    if (!fs.existsSync(workingDirectory)) fs.mkdirSync(workingDirectory);

    // One walk: every node in pre-order (for annotations) and the synthesis hooks in post-order.
    const nodes: IConstruct[] = [];
    const hooks: { onSynthesize(session: ISynthesisSession): void }[] = [];
    const walk = (node: IConstruct): void => {
      nodes.push(node);
      for (const child of node.node.children) walk(child);
      const hook = customSynthesis(node);
      if (hook) hooks.push(hook);
    };
    walk(stack);
    for (const hook of hooks) hook.onSynthesize(session);

    const annotations: Annotation[] = [];
    for (const node of nodes) {
      for (const m of node.node.metadata) {
        if (!ANNOTATION_TYPES.includes(m.type)) continue;
        annotations.push({
          constructPath: node.node.path,
          level: m.type,
          message: m.data,
          stacktrace: m.trace,
        });
      }
    }
    (stackManifest as { annotations: Annotation[] }).annotations = annotations;
    const errors = annotations.filter((a) => a.level === AnnotationMetadataEntryType.ERROR);
    if (!this.continueOnErrors && errors.length > 0) {
      throw encounteredAnnotationWithLevelError(
        errors.map((a) => `[${a.constructPath}] ${String(a.message)}`).join('\n'),
      );
    }
    fs.writeFileSync(
      path.join(session.outdir, stackManifest.synthesizedStackPath),
      stableJson(stack.toTerraform()),
    );
  }
}

/**
 * cdktf's invokeAspects with the same order and rules (inherited aspects first, each aspect once per node,
 * a warning for aspects added while aspects run), minus its per-node cost: cdktf creates an Aspects holder
 * on every construct it visits (a defineProperty each) and keys visits by path strings. Here a node's
 * aspects are read only where a holder exists.
 */
function applyAspects(root: IConstruct): void {
  const symbol = aspectsSymbol(root);
  let warned = false;
  const own = (c: IConstruct): readonly IAspect[] =>
    (c as unknown as Record<symbol, Aspects | undefined>)[symbol]?.all ?? [];
  const visit = (construct: IConstruct, inherited: readonly IAspect[]): void => {
    const mine = own(construct);
    const all = mine.length === 0 ? inherited : [...inherited, ...mine];
    const invoked: IAspect[] = [];
    for (const aspect of all) {
      if (invoked.includes(aspect)) continue;
      aspect.visit(construct);
      if (!warned && own(construct).length !== mine.length) {
        Annotations.of(construct).addWarning(
          'We detected an Aspect was added via another Aspect, and will not be applied',
        );
        warned = true;
      }
      invoked.push(aspect);
    }
    for (const child of construct.node.children) visit(child, all);
  };
  visit(root, []);
}

/** The private symbol under which cdktf keeps a construct's Aspects (found on a construct that has them). */
function aspectsSymbol(root: IConstruct): symbol {
  const holder = Aspects.of(root);
  const symbol = Object.getOwnPropertySymbols(root).find(
    (s) => (root as unknown as Record<symbol, unknown>)[s] === holder,
  );
  if (!symbol) throw new Error('cdktf keeps Aspects differently than this synthesizer expects');
  return symbol;
}

function customSynthesis(node: IConstruct): { onSynthesize(session: ISynthesisSession): void } | undefined {
  return (node as unknown as Record<symbol, { onSynthesize(session: ISynthesisSession): void } | undefined>)[
    CUSTOM_SYNTHESIS
  ];
}
