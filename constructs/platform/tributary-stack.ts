import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { GoogleBetaProvider } from '@cdktf/provider-google-beta/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { GrantLedger } from '../iam/grants';
import { PolicyPack } from '../policy/pack';
import type { PolicyRule } from '../policy/types';

export interface TributaryStackProps {
  /** Environment name, for example `dev`; shown in reports. */
  readonly environment: string;
  /** Production turns on the production-only policy rules. */
  readonly production: boolean;
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
}

/**
 * A stack that governs itself: `google` and `google-beta` providers with default labels, the policy pack as
 * an Aspect, and the grant ledger. On synth it writes `policy-report.{json,md}` and `iam-matrix.{json,md}`
 * next to `cdk.tf.json`.
 */
export class TributaryStack extends TerraformStack {
  public readonly policy: PolicyPack;
  public readonly grants: GrantLedger;
  public readonly google: GoogleProvider;
  public readonly googleBeta: GoogleBetaProvider;

  constructor(scope: Construct, id: string, props: TributaryStackProps) {
    super(scope, id);
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
        requiredLabels: props.requiredLabels,
      },
    });
  }
}
