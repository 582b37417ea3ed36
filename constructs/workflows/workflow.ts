import { WorkflowsWorkflow } from '@cdktf/provider-google/lib/workflows-workflow';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkLabels, REGION } from '../../core/gcp';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { useKey } from '../iam/cmek';
import type { IServiceIdentity } from '../iam/service-identity';

export type WorkflowCallLogLevel = 'LOG_ALL_CALLS' | 'LOG_ERRORS_ONLY' | 'LOG_NONE';

/** A workflow as other constructs use it (for example as an Eventarc destination). */
export interface IWorkflow {
  /** `projects/<project>/locations/<region>/workflows/<name>` */
  readonly workflowPath: string;
  readonly workflowName: string;
  readonly region: string;
}

export interface WorkflowProps {
  readonly workflowName: string;
  readonly region: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  /** The identity its steps call Google APIs as; never the project's default account. */
  readonly identity: IServiceIdentity;
  /**
   * The definition, in the Workflows YAML syntax as Google documents it (`${...}` expressions written as is;
   * they are escaped from Terraform here). It must be plain text, not built from tokens.
   */
  readonly source: string;
  /** @default - none */
  readonly description?: string;
  /** What Cloud Logging records of each call. @default 'LOG_ERRORS_ONLY' */
  readonly callLogLevel?: WorkflowCallLogLevel;
  /** Terraform refuses to delete the workflow. */
  readonly deletionProtection: boolean;
  /** @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** @default - none beyond the provider defaults */
  readonly labels?: Readonly<Record<string, string>>;
}

const WORKFLOW_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** Workflows' limit on a definition's size. */
const MAX_SOURCE_BYTES = 128 * 1024;

/** Terraform would read `${...}` as its own interpolation; `$${` is its escape for a literal `${`. */
export function escapeForTerraform(text: string): string {
  // Replacement functions: in a replacement string `$$` itself means one `$`.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** A Workflows workflow running as its own identity, with call logging, labels and CMEK when configured. */
export class Workflow extends Construct implements IWorkflow {
  public readonly resource: WorkflowsWorkflow;
  public readonly workflowName: string;
  public readonly region: string;
  public readonly workflowPath: string;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.rule(
      'workflowName',
      props.workflowName,
      'must be 1-64 letters, digits, hyphens and underscores, starting with a letter',
      (n) => WORKFLOW_NAME.test(n),
    );
    c.check('region', props.region, REGION);
    checkProject(c, project);
    // Not a rule: rules skip unresolved values, and here a token is the problem (its text would be escaped).
    if (Token.isUnresolved(props.source))
      c.fail('source', '(unresolved token)', 'must be plain text, not built from unresolved tokens');
    c.rule(
      'source',
      props.source,
      `must be at most ${MAX_SOURCE_BYTES} bytes (the Workflows limit)`,
      (s) => s.length > 0 && Buffer.byteLength(s) <= MAX_SOURCE_BYTES,
    );
    c.rule('description', props.description, 'must be at most 1000 characters', (d) => d.length <= 1000);
    checkLabels(c, props.labels);
    c.throwIfAny();

    this.workflowName = props.workflowName;
    this.region = props.region;
    this.workflowPath = `projects/${project}/locations/${props.region}/workflows/${props.workflowName}`;
    this.resource = new WorkflowsWorkflow(this, 'Resource', {
      name: props.workflowName,
      region: props.region,
      project,
      description: props.description,
      serviceAccount: props.identity.email,
      sourceContents: escapeForTerraform(props.source),
      callLogLevel: props.callLogLevel ?? 'LOG_ERRORS_ONLY',
      cryptoKeyName: props.encryptionKey,
      deletionProtection: props.deletionProtection,
      labels: props.labels ? { ...props.labels } : undefined,
    });
    if (props.encryptionKey)
      useKey(this, this.resource, props.encryptionKey, 'workflows', {
        project: project as string,
      });
  }
}
