import { GoogleBetaProvider } from '@cdktf/provider-google-beta/lib/provider';
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * The stack's `google-beta` provider, for resources that exist only there (Dataflow Flex Template jobs). A
 * stack with none, or with several and no explicit choice, is an error that says what to do.
 */
export function googleBetaProviderOf(scope: IConstruct, explicit?: GoogleBetaProvider): GoogleBetaProvider {
  if (explicit) return explicit;
  const stack = TerraformStack.of(scope);
  const found = stack.node.children.filter((c): c is GoogleBetaProvider => c instanceof GoogleBetaProvider);
  if (found.length === 1 && found[0]) return found[0];
  throw new Error(
    `${scope.node.path}: needs the google-beta provider, and stack ${stack.node.id} has ${found.length === 0 ? 'none' : `${found.length}`}; ` +
      'add one to the stack (TributaryStack does) or pass props.provider',
  );
}
