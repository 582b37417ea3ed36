import type { AppliedSuppression } from '../core/suppressions';

/** Error findings fail synth; warnings are reported. */
export type PolicyLevel = 'error' | 'warning';

/** A resource or data source as a rule sees it: its resolved, snake_case Terraform config. */
export interface PolicyResource {
  readonly mode: 'managed' | 'data';
  /** Terraform type, for example `google_storage_bucket`. */
  readonly type: string;
  /** Terraform address, for example `google_storage_bucket.Platform_Landing_1A2B3C4D`. */
  readonly address: string;
  /** Construct path. */
  readonly path: string;
  /** Arguments with tokens rendered as `${...}` expressions. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Facts about the stack a rule may depend on. */
export interface PolicyContext {
  readonly stack: string;
  readonly environment: string;
  readonly production: boolean;
  /** Label keys every labelled resource must carry. */
  readonly requiredLabels: readonly string[];
  /**
   * Labels the default google providers add to every resource, read from their synthesized `default_labels`
   * (what Terraform will really send), intersected across `google` and `google-beta`.
   */
  readonly defaultLabels: Readonly<Record<string, string>>;
  /**
   * Resolves `${type.name.attribute}` references to other resources of the stack where the value is known at
   * synth (`referenceResolver`). @default - values as written
   */
  readonly resolve?: (value: string) => string;
  /** The environment requires CMEK on every stateful resource (TRB-CMEK-1). @default false */
  readonly requireCmek?: boolean;
}

export type Verdict =
  | { readonly status: 'compliant' }
  | { readonly status: 'not-applicable' }
  | { readonly status: 'non-compliant'; readonly detail: string };

export const COMPLIANT: Verdict = { status: 'compliant' };
export const NOT_APPLICABLE: Verdict = { status: 'not-applicable' };
export function nonCompliant(detail: string): Verdict {
  return { status: 'non-compliant', detail };
}

/** A cdk-nag style rule: an id, a level, an explanation, and one pure function over a resource. */
export interface PolicyRule {
  /** For example `TRB-GCS-1`. */
  readonly id: string;
  readonly level: PolicyLevel;
  /** One line: what must hold. */
  readonly title: string;
  /** Why it matters and how to comply. */
  readonly explanation: string;
  /**
   * The benchmark controls the rule implements: CIS Google Cloud Foundations items (`CIS GCP v3.0 <n>`) and checkov
   * ids (`CKV_GCP_<n>`, `CKV2_GCP_<n>`), or one `none: <why>` entry where neither has a control.
   */
  readonly references?: readonly string[];
  readonly check: (resource: PolicyResource, context: PolicyContext) => Verdict;
}

export interface PolicyFinding {
  readonly ruleId: string;
  readonly level: PolicyLevel;
  readonly title: string;
  readonly address: string;
  readonly path: string;
  readonly detail: string;
  /** Set when a suppression accepted the finding. */
  readonly suppressedBy?: AppliedSuppression;
}

export interface PolicyReport {
  readonly stack: string;
  readonly environment: string;
  readonly production: boolean;
  readonly resourcesChecked: number;
  readonly summary: { readonly errors: number; readonly warnings: number; readonly suppressed: number };
  readonly rules: readonly {
    readonly id: string;
    readonly level: PolicyLevel;
    readonly title: string;
    readonly explanation: string;
    /** CIS Google Cloud Foundations items the rule implements. */
    readonly cis: readonly string[];
    /** checkov ids the rule matches. */
    readonly checkov: readonly string[];
    /** Why a rule has neither, or what else it relates to. */
    readonly note?: string;
  }[];
  readonly findings: readonly PolicyFinding[];
  readonly suppressions: readonly (AppliedSuppression & {
    readonly matched: number;
    readonly knownRule: boolean;
  })[];
}
