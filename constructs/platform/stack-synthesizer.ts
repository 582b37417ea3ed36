import * as fs from 'node:fs';
import * as path from 'node:path';
import { AnnotationMetadataEntryType, type ISynthesisSession, type TerraformStack } from 'cdktf';
import { encounteredAnnotationWithLevelError } from 'cdktf/lib/errors';
import { invokeAspects, StackSynthesizer } from 'cdktf/lib/synthesize/synthesizer';
import { ConstructOrder, type IConstruct } from 'constructs';
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
    invokeAspects(stack);
    if (stack.hasResourceMove()) {
      // Resource moves need Terraform >= 1.5; cdktf's synthesizer adds that validation, so delegate.
      super.synthesize(session);
      return;
    }
    if (!session.skipValidation) stack.runAllValidations();
    const stackManifest = session.manifest.forStack(stack);
    const workingDirectory = path.join(session.outdir, stackManifest.workingDirectory);
    if (!fs.existsSync(workingDirectory)) fs.mkdirSync(workingDirectory);

    for (const node of stack.node.findAll(ConstructOrder.POSTORDER))
      customSynthesis(node)?.onSynthesize(session);

    const annotations: Annotation[] = [];
    for (const node of stack.node.findAll()) {
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

function customSynthesis(node: IConstruct): { onSynthesize(session: ISynthesisSession): void } | undefined {
  return (node as unknown as Record<symbol, { onSynthesize(session: ISynthesisSession): void } | undefined>)[
    CUSTOM_SYNTHESIS
  ];
}
