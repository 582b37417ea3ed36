/**
 * Documents a stack writes next to its cdk.tf.json besides the policy report, the IAM matrix and the diagram:
 * a capability registers one (the warehouse models' manifest, for example), and `TributaryStack.reportFiles`
 * renders it at synth.
 */
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';

const reports = new WeakMap<TerraformStack, Map<string, () => string>>();

/** Registers `fileName` in the stack of `scope`; `render` runs when the reports are written. */
export function addStackReport(scope: IConstruct, fileName: string, render: () => string): void {
  const stack = TerraformStack.of(scope);
  const map = reports.get(stack) ?? new Map<string, () => string>();
  if (map.has(fileName))
    throw new Error(`${scope.node.path}: stack ${stack.node.id} already writes a report named ${fileName}`);
  map.set(fileName, render);
  reports.set(stack, map);
}

/** The registered reports of `stack`, rendered, by file name. */
export function stackReports(stack: TerraformStack): Record<string, string> {
  return Object.fromEntries([...(reports.get(stack) ?? [])].map(([name, render]) => [name, render()]));
}
