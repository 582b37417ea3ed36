import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * The project a construct deploys into: the explicit value when given, else the project of the stack's
 * default (un-aliased) `google` provider.
 */
export function projectOf(scope: IConstruct, explicit?: string): string | undefined {
  if (explicit !== undefined) return explicit;
  const provider = TerraformStack.of(scope)
    .allProviders()
    .find((p): p is GoogleProvider => p instanceof GoogleProvider && p.alias === undefined);
  return provider?.project;
}

/** The region of the stack's default (un-aliased) `google` provider, if it names one. */
export function regionOf(scope: IConstruct): string | undefined {
  const provider = TerraformStack.of(scope)
    .allProviders()
    .find((p): p is GoogleProvider => p instanceof GoogleProvider && p.alias === undefined);
  return provider?.region;
}
