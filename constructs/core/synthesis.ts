import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformStack } from 'cdktf';
// cdktf's own hook for constructs that write files during synth (TerraformAsset uses it). It runs after
// aspects and validations, and before cdktf fails on error annotations, so reports exist even when synth fails.
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import type { IConstruct } from 'constructs';

export type StackFileWriter = (write: (fileName: string, content: string) => void) => void;

/**
 * Registers `writer` to emit files next to the stack's `cdk.tf.json` whenever the stack is synthesized.
 */
export function onStackSynthesis(construct: IConstruct, writer: StackFileWriter): void {
  const stack = TerraformStack.of(construct);
  addCustomSynthesis(construct, {
    onSynthesize(session) {
      const dir = path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      fs.mkdirSync(dir, { recursive: true });
      writer((fileName, content) => fs.writeFileSync(path.join(dir, fileName), content));
    },
  });
}
