import * as fs from 'node:fs';
import * as path from 'node:path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { GoogleBetaProvider } from '@cdktf/provider-google-beta/lib/provider';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { checkLabels, PROJECT_ID, REGION } from '../../../core/gcp';
import { renderArchitecture } from '../../core/architecture';
import { stackReports } from '../../core/reports';
import { constructChecks } from '../../core/validation';
import { GrantLedger } from '../../iam/grants';
import { PolicyPack } from '../../policy/pack';
import type { PolicyRule } from '../../policy/types';

export interface TributaryStackProps {
  /** Environment name, for example `dev`; shown in reports. */
  readonly environment: string;
  /** Production turns on the production-only policy rules. */
  readonly production: boolean;
  /** Every stateful resource must use a customer-managed key (policy TRB-CMEK-1). @default false */
  readonly requireCmek?: boolean;
  /** Default project of both google providers. */
  readonly project: string;
  /** Default region of both google providers. */
  readonly region: string;
  /** Labels the providers add to every labelled resource. */
  readonly labels: Readonly<Record<string, string>>;
  /** Label keys the policy requires on every labelled resource. */
  readonly requiredLabels: readonly string[];
  /** @default DEFAULT_RULES */
  readonly rules?: readonly PolicyRule[];
  /**
   * Lets this stack reference resources of other stacks, which cdktf wires through outputs and remote state.
   * Tributary's stacks are deployed independently, so by default such a reference fails synth, naming it.
   * @default false
   */
  readonly crossStackReferences?: boolean;
}

/** Prefix cdktf gives the outputs it adds to a stack that another stack references. */
const CROSS_STACK_OUTPUT = 'cross-stack-output-';

/**
 * A stack that governs itself: `google` and `google-beta` providers with default labels, the policy pack, and
 * the grant ledger. Its reports (`policy-report.{json,md}`, `iam-matrix.{json,md}`, `architecture.md`) are written next to
 * `cdk.tf.json` by `TributaryApp` (or `writeStackReports` for an app of your own).
 */
export class TributaryStack extends TerraformStack {
  public readonly policy: PolicyPack;
  public readonly grants: GrantLedger;
  public readonly google: GoogleProvider;
  public readonly googleBeta: GoogleBetaProvider;

  constructor(scope: Construct, id: string, props: TributaryStackProps) {
    super(scope, id);
    const c = constructChecks(this);
    c.require('project', props.project).check('project', props.project, PROJECT_ID);
    c.require('region', props.region).check('region', props.region, REGION);
    checkLabels(c, props.labels);
    c.throwIfAny();
    const providerConfig = { project: props.project, region: props.region };
    this.google = new GoogleProvider(this, 'google', providerConfig);
    this.googleBeta = new GoogleBetaProvider(this, 'google-beta', providerConfig);
    // cdktf snake-cases map keys in provider blocks (`cost-center` would become `cost_center`); an override
    // is written verbatim, so the labels GCP receives are exactly the configured ones.
    for (const provider of [this.google, this.googleBeta])
      provider.addOverride('default_labels', { ...props.labels });
    this.grants = GrantLedger.of(this);
    this.policy = PolicyPack.applyTo(this, {
      rules: props.rules,
      context: {
        stack: id,
        environment: props.environment,
        production: props.production,
        requireCmek: props.requireCmek ?? false,
        requiredLabels: props.requiredLabels,
      },
    });
    if (!(props.crossStackReferences ?? false))
      this.node.addValidation({ validate: () => crossStackProblems(this) });
  }

  /** The generated documents of this stack, by file name. */
  public reportFiles(): Readonly<Record<string, string>> {
    return {
      ...this.policy.reportFiles(),
      ...this.grants.reportFiles(),
      'architecture.md': renderArchitecture(this),
      ...stackReports(this),
    };
  }
}

/**
 * The references this stack makes into other stacks. cdktf records them while preparing the stacks (before
 * validation) as a dependency plus an output in the referenced stack, named after what is referenced.
 */
function crossStackProblems(stack: TerraformStack): string[] {
  return stack.dependencies.map((other) => {
    const referenced = other.node.children
      .filter((c) => TerraformOutput.isTerraformOutput(c) && c.node.id.startsWith(CROSS_STACK_OUTPUT))
      .map((c) => c.node.id.slice(CROSS_STACK_OUTPUT.length));
    return (
      `references elements of stack ${other.node.id}${referenced.length ? ` (${referenced.join(', ')})` : ''}. ` +
      'Tributary stacks are deployed independently; pass crossStackReferences: true to let cdktf wire them through remote state.'
    );
  });
}

/**
 * Writes every Tributary stack's reports next to its `cdk.tf.json`, for stacks whose synthesis got as far as
 * validation (so a stack that failed on policy errors still explains itself; one that never started gets none).
 * With `skipValidation` the rules run here instead. Call it after `app.synth()`, also when synth threw;
 * `TributaryApp` does. Returns the files written.
 */
export function writeStackReports(app: App): string[] {
  const written: string[] = [];
  for (const stack of app.node.findAll()) {
    if (!(stack instanceof TributaryStack)) continue;
    if (!stack.policy.evaluated && !app.skipValidation) continue;
    const dir = path.join(app.outdir, app.manifest.forStack(stack).workingDirectory);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(stack.reportFiles())) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      written.push(file);
    }
  }
  return written;
}

/** A cdktf App whose `synth()` also writes each Tributary stack's policy report and IAM matrix. */
export class TributaryApp extends App {
  public override synth(): void {
    try {
      super.synth();
    } finally {
      writeStackReports(this);
    }
  }
}
