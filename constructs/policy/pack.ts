import {
  Annotations,
  Aspects,
  DefaultTokenResolver,
  type IAspect,
  StringConcat,
  TerraformDataSource,
  type TerraformElement,
  TerraformResource,
  type TerraformStack,
  Tokenization,
} from 'cdktf';
import type { IConstruct } from 'constructs';
import { onStackSynthesis } from '../core/synthesis';
import { renderReportMarkdown } from './report';
import { DEFAULT_RULES } from './rules';
import { type AppliedSuppression, Suppressions } from './suppressions';
import type { PolicyContext, PolicyLevel, PolicyResource, PolicyRule, Verdict } from './types';

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
  }[];
  readonly findings: readonly PolicyFinding[];
  readonly suppressions: readonly (AppliedSuppression & {
    readonly matched: number;
    readonly knownRule: boolean;
  })[];
}

export interface PolicyPackProps {
  /** Stack facts; default labels are read from the synthesized providers, not given here. */
  readonly context: Omit<PolicyContext, 'defaultLabels'>;
  /** @default DEFAULT_RULES - every rule in constructs/policy/rules */
  readonly rules?: readonly PolicyRule[];
}

/**
 * Runs policy rules over every resource and data source of a stack, as a cdktf Aspect. Unsuppressed error
 * findings become error annotations, which fail synth; warnings become warning annotations. On synth the
 * stack gets `policy-report.json` and `policy-report.md` next to its `cdk.tf.json`, written before cdktf
 * fails on errors, so a failing synth still explains itself.
 */
export class PolicyPack implements IAspect {
  /** Attaches a pack to `stack` and registers its report. */
  public static applyTo(stack: TerraformStack, props: PolicyPackProps): PolicyPack {
    const pack = new PolicyPack(stack, props);
    Aspects.of(stack).add(pack);
    onStackSynthesis(stack, (write) => {
      const report = pack.report();
      write('policy-report.json', `${JSON.stringify(report, null, 2)}\n`);
      write('policy-report.md', renderReportMarkdown(report));
    });
    return pack;
  }

  public readonly rules: readonly PolicyRule[];
  private readonly baseContext: Omit<PolicyContext, 'defaultLabels'>;
  private resolvedContext?: PolicyContext;
  // Keyed by rule and path: aspects can run more than once (Testing.synth, then a full synth).
  private readonly found = new Map<string, PolicyFinding>();
  private readonly checked = new Set<string>();

  private constructor(
    private readonly stack: TerraformStack,
    props: PolicyPackProps,
  ) {
    this.baseContext = props.context;
    this.rules = props.rules ?? DEFAULT_RULES;
    const ids = this.rules.map((r) => r.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup)
      throw new Error(
        `PolicyPack for ${stack.node.path}: rule id ${dup} appears twice; rule ids must be unique`,
      );
  }

  /** Read on first use: by then the stack's providers exist, and aspects run once the tree is complete. */
  public get context(): PolicyContext {
    this.resolvedContext ??= { ...this.baseContext, defaultLabels: synthesizedDefaultLabels(this.stack) };
    return this.resolvedContext;
  }

  public visit(node: IConstruct): void {
    const resource = toPolicyResource(node);
    if (!resource) return;
    this.checked.add(resource.path);
    for (const rule of this.rules) {
      const key = `${rule.id}\u0000${resource.path}`;
      if (this.found.has(key)) continue;
      const verdict = runRule(rule, resource, this.context);
      if (verdict.status !== 'non-compliant') continue;
      const suppressedBy = Suppressions.find(node, rule.id);
      const finding: PolicyFinding = {
        ruleId: rule.id,
        level: rule.level,
        title: rule.title,
        address: resource.address,
        path: resource.path,
        detail: verdict.detail,
        ...(suppressedBy ? { suppressedBy } : {}),
      };
      this.found.set(key, finding);
      if (suppressedBy) continue;
      const message = `[${rule.id}] ${rule.title}: ${verdict.detail}`;
      if (rule.level === 'error') Annotations.of(node).addError(message);
      else Annotations.of(node).addWarning(message);
    }
  }

  public get findings(): readonly PolicyFinding[] {
    return [...this.found.values()].sort((a, b) => compare(`${a.ruleId} ${a.path}`, `${b.ruleId} ${b.path}`));
  }

  /** Unsuppressed error findings: synth fails when there are any. */
  public get errors(): readonly PolicyFinding[] {
    return this.findings.filter((f) => f.level === 'error' && !f.suppressedBy);
  }

  public report(): PolicyReport {
    const findings = this.findings;
    const ruleIds = new Set(this.rules.map((r) => r.id));
    const suppressions = this.stack.node
      .findAll()
      .flatMap((c) => Suppressions.on(c))
      .map((s) => ({
        ...s,
        matched: findings.filter((f) => f.suppressedBy?.id === s.id && f.suppressedBy.path === s.path).length,
        knownRule: ruleIds.has(s.id),
      }))
      .sort((a, b) => compare(`${a.path} ${a.id}`, `${b.path} ${b.id}`));
    return {
      stack: this.context.stack,
      environment: this.context.environment,
      production: this.context.production,
      resourcesChecked: this.checked.size,
      summary: {
        errors: findings.filter((f) => f.level === 'error' && !f.suppressedBy).length,
        warnings: findings.filter((f) => f.level === 'warning' && !f.suppressedBy).length,
        suppressed: findings.filter((f) => f.suppressedBy).length,
      },
      rules: this.rules.map(({ id, level, title, explanation }) => ({ id, level, title, explanation })),
      findings,
      suppressions,
    };
  }
}

/** A rule that throws is a violation: a broken rule must never pass a resource silently. */
function runRule(rule: PolicyRule, resource: PolicyResource, context: PolicyContext): Verdict {
  try {
    return rule.check(resource, context);
  } catch (error) {
    return {
      status: 'non-compliant',
      detail: `rule threw while checking ${resource.type}: ${(error as Error).message}`,
    };
  }
}

function resolve(element: TerraformElement): Record<string, unknown> {
  return Tokenization.resolve(element.toTerraform(), {
    scope: element,
    resolver: new DefaultTokenResolver(new StringConcat()),
  }) as Record<string, unknown>;
}

/** Labels every default (un-aliased) google/google-beta provider applies, exactly as synthesized. */
function synthesizedDefaultLabels(stack: TerraformStack): Record<string, string> {
  const sets = stack
    .allProviders()
    .filter((p) => ['google', 'google-beta'].includes(p.terraformResourceType) && p.alias === undefined)
    .map((p) => {
      const blocks = (resolve(p).provider as Record<string, { default_labels?: Record<string, string> }[]>)[
        p.terraformResourceType
      ];
      return blocks?.[0]?.default_labels ?? {};
    });
  if (sets.length === 0) return {};
  const [first, ...rest] = sets as [Record<string, string>, ...Record<string, string>[]];
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((other) => other[k] === v)));
}

function toPolicyResource(node: IConstruct): PolicyResource | undefined {
  const mode = TerraformResource.isTerraformResource(node)
    ? 'managed'
    : TerraformDataSource.isTerraformDataSource(node)
      ? 'data'
      : undefined;
  if (!mode) return undefined;
  const element = node as TerraformResource | TerraformDataSource;
  const resolved = resolve(element) as Record<
    string,
    Record<string, Record<string, Record<string, unknown>>>
  >;
  const block = resolved[mode === 'managed' ? 'resource' : 'data']?.[element.terraformResourceType] ?? {};
  const [name, config] = Object.entries(block)[0] ?? [element.friendlyUniqueId, {}];
  const { '//': _metadata, ...args } = config;
  return {
    mode,
    type: element.terraformResourceType,
    address: `${mode === 'data' ? 'data.' : ''}${element.terraformResourceType}.${name}`,
    path: node.node.path,
    config: args,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
