import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformStack } from 'cdktf';
// cdktf's own hook for constructs that write files during synth (TerraformAsset uses it). It runs after
// aspects and validations, and before cdktf fails on error annotations, so reports exist even when synth fails.
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import type { IConstruct } from 'constructs';

export type StackFileWriter = (write: (fileName: string, content: string) => void) => void;

// cdktf allows one hook per construct; every writer registered on a construct runs from that one hook, in order.
const writers = new WeakMap<IConstruct, StackFileWriter[]>();

/**
 * Registers `writer` to run whenever the stack is synthesized; it may emit files next to the stack's
 * `cdk.tf.json`.
 */
export function onStackSynthesis(construct: IConstruct, writer: StackFileWriter): void {
  const existing = writers.get(construct);
  if (existing) {
    existing.push(writer);
    return;
  }
  const list = [writer];
  writers.set(construct, list);
  const stack = TerraformStack.of(construct);
  addCustomSynthesis(construct, {
    onSynthesize(session) {
      const dir = path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      fs.mkdirSync(dir, { recursive: true });
      for (const run of list) run((fileName, content) => fs.writeFileSync(path.join(dir, fileName), content));
    },
  });
}
