import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { GoogleBetaProvider } from '@cdktf/provider-google-beta/lib/provider';
import { Annotations, TerraformOutput, TerraformStack } from 'cdktf';
// cdktf's own resolver and merge, so the document is built exactly as cdktf builds it (see toTerraform).
import { resolve } from 'cdktf/lib/_tokens';
import { deepMerge } from 'cdktf/lib/util';
import type { Construct } from 'constructs';
// Faster token keys for every Tributary stack (same output); see the module.
import '../core/cdktf-tokens';
import { resolveSelectively } from '../core/selective-resolve';
import { mergeFragment, mergeResource, plainResource, terraformElements } from '../core/stack-document';
import { onStackSynthesis } from '../core/synthesis';
import { GrantLedger } from '../iam/grants';
import { PolicyPack } from '../policy/pack';
import type { PolicyRule } from '../policy/types';
import { TributaryStackSynthesizer } from './stack-synthesizer';

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
  /**
   * Lets this stack reference resources of other stacks (cdktf wires them through outputs and remote state).
   * Tributary's stacks are deployed independently, so this is off: synth then skips cdktf's cross-stack
   * preparation pass (a full token resolution of the stack) and instead fails if any reference in the output
   * points outside the stack.
   * @default false
   */
  readonly crossStackReferences?: boolean;
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
  private readonly crossStackReferences: boolean;

  constructor(scope: Construct, id: string, props: TributaryStackProps) {
    super(scope, id);
    this.synthesizer = new TributaryStackSynthesizer(
      this,
      process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined,
      process.env.SYNTH_HCL_OUTPUT === 'true' || process.env.SYNTH_HCL_OUTPUT === '1',
    );
    this.crossStackReferences = props.crossStackReferences ?? false;
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
    if (!this.crossStackReferences) {
      onStackSynthesis(this, () => {
        const dangling = danglingReferences(this.toTerraform() as SynthesizedJson);
        if (dangling.length === 0) return;
        Annotations.of(this).addError(
          `references to elements outside stack ${id}: ${dangling.slice(0, 5).join(', ')}${dangling.length > 5 ? ` and ${dangling.length - 5} more` : ''}. ` +
            'Tributary stacks are deployed independently; pass crossStackReferences: true to let cdktf wire them through remote state.',
        );
      });
    }
  }

  /** cdktf's preparation resolves every token once more only to find cross-stack references; see crossStackReferences. */
  public override prepareStack(): void {
    if (this.crossStackReferences) super.prepareStack();
    else this.ensureBackendExists();
  }

  /**
   * The same document as TerraformStack.toTerraform (a test compares them for every stack), built with less
   * work: plain resources are rendered without cdktf's per-resource key conversion and path walks (see
   * stack-document.ts), element fragments go through resolveSelectively, and cdktf's final pass over the whole
   * merged document is skipped, since the fragments are already resolved and only stack overrides need it.
   */
  public override toTerraform(): Record<string, unknown> {
    if (this.crossStackReferences) return super.toTerraform();
    const self = this as unknown as { cdktfVersion: string; rawOverrides: Record<string, unknown> };
    const elements = terraformElements(this);
    const metadata: Record<string, unknown> = {
      version: self.cdktfVersion,
      stackName: this.node.id,
      backend: 'local',
      cloud: undefined,
      ...(Object.keys(self.rawOverrides).length > 0
        ? { overrides: { stack: Object.keys(self.rawOverrides) } }
        : {}),
    };
    for (const { element: e } of elements) {
      const meta = e.toMetadata() as Record<string, unknown>;
      // Almost always empty (resources report overrides/imports/moved as undefined); resolving it anyway
      // costs more than the check.
      if (Object.values(meta).some((v) => v !== undefined)) deepMerge(metadata, resolve(this, meta));
    }
    const outputs: Record<string, unknown> = {};
    for (const { element: e, path } of elements) {
      if (!TerraformOutput.isTerraformOutput(e)) continue;
      deepMerge(
        outputs,
        path
          .split('/')
          .reduceRight<Record<string, unknown>>(
            (inner, part) =>
              Object.keys(inner).length === 0 ? { [part]: e.friendlyUniqueId } : { [part]: inner },
            {},
          ),
      );
    }
    const tf: Record<string, unknown> = { '//': { metadata, outputs } };
    const strings = new Map<string, unknown>();
    for (const { element: e, path } of elements) {
      const resource = plainResource(e, path);
      if (resource)
        mergeResource(tf, resource.type, resource.id, resolveSelectively(this, resource.attributes, strings));
      else mergeFragment(tf, resolveSelectively(this, e.toTerraform(), strings));
    }
    deepMerge(tf, resolve(this, self.rawOverrides));
    return tf;
  }
}

interface SynthesizedJson {
  readonly resource?: Record<string, Record<string, unknown>>;
  readonly data?: Record<string, Record<string, unknown>>;
}

/** Interpolated `type.name` / `data.type.name` references whose target is not in this stack's output. */
export function danglingReferences(json: SynthesizedJson): string[] {
  const found = new Set<string>();
  const reference = /(?<![\w.])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/g;
  // The same interpolation (an id, an email) is repeated across many resources: check each string once.
  const seen = new Set<string>();
  const check = (value: string): void => {
    if (seen.has(value)) return;
    seen.add(value);
    for (const expr of value.match(/\$\{[^}]*\}/g) ?? []) {
      for (const m of expr.matchAll(reference)) {
        const [, data, type, name] = m as unknown as [string, string | undefined, string, string];
        const block = data ? json.data : json.resource;
        if (!block?.[type]?.[name]) found.add(`${data ?? ''}${type}.${name}`);
      }
    }
  };
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.includes('${')) check(value);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v);
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) visit((value as Record<string, unknown>)[key]);
    }
  };
  visit(json.resource);
  visit(json.data);
  return [...found].sort();
}
