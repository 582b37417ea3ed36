import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { PROJECT_ID } from '../../core/gcp';
import { Checks } from '../../core/validation';

/**
 * A validation table for a construct's props. The subject is the construct path and type, so an error points
 * at the exact construct; unresolved tokens are skipped because their value is only known at apply time.
 */
export function constructChecks(scope: IConstruct): Checks {
  // The path is built only for an error: constructs are validated by the thousand in a large synth.
  return new Checks(() => `${scope.node.path} (${scope.constructor.name})`, { isUnresolved });
}

/**
 * The table for a construct that validates its props before it exists (a subclass checking what it passes to
 * its parent's constructor); the subject is the path it is about to have.
 */
export function childChecks(scope: IConstruct, id: string, type: string): Checks {
  return new Checks(() => `${scope.node.path}/${id} (${type})`, { isUnresolved });
}

export function isUnresolved(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'number' || Array.isArray(value)) {
    return Token.isUnresolved(value);
  }
  return false;
}

/** The project rows every construct applies: present (given or from the stack's provider) and a valid id. */
export function checkProject(c: Checks, project: string | undefined, field = 'project'): Checks {
  if (!project)
    return c.require(
      field,
      project,
      'is required: pass props.project or configure a default google provider',
    );
  return c.check(field, project, PROJECT_ID);
}
