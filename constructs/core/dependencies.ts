import { dependable, type ITerraformDependable, type TerraformResource } from 'cdktf';

/**
 * Makes `resource` wait for `dependencies`. The one way to add dependencies after construction: cdktf's
 * `dependsOn` property holds strings, and a resource's `fqn` is an interpolation (`${type.name}`) that
 * Terraform rejects there ("A single static variable reference is required"); `dependable` renders the bare
 * address Terraform expects. Policy rule TRB-TF-1 refuses any other form in the synthesized stack.
 */
export function addDependencies(resource: TerraformResource, ...dependencies: ITerraformDependable[]): void {
  if (dependencies.length === 0) return;
  resource.dependsOn = [...(resource.dependsOn ?? []), ...dependencies.map((d) => dependable(d))];
}

/** Adds a dependency unless the resource already has it (grants are shared between resources). */
export function dependOnce(resource: TerraformResource, on: ITerraformDependable): void {
  const address = String(dependable(on));
  if (!(resource.dependsOn ?? []).some((d) => String(d) === address)) addDependencies(resource, on);
}
