import {
  Annotations,
  Aspects,
  type IAspect,
  TerraformDataSource,
  TerraformResource,
  type TerraformStack,
} from 'cdktf';
import type { IConstruct } from 'constructs';
import { Suppressions } from '../core/suppressions';
import { renderReportMarkdown } from './report';
import { referenceResolver } from './resolve';
import { DEFAULT_RULES } from './rules';
import type {
  PolicyContext,
  PolicyFinding,
  PolicyReport,
  PolicyResource,
  PolicyRule,
  Verdict,
} from './types';

export interface PolicyPackProps {
  /** Stack facts; default labels are read from the synthesized providers, not given here. */
  readonly context: Omit<PolicyContext, 'defaultLabels'>;
  /** @default DEFAULT_RULES - every rule in constructs/policy/rules */
  readonly rules?: readonly PolicyRule[];
}

/**
 * Runs policy rules over every resource and data source of a stack, cdk-nag style, on the stack's synthesized
 * Terraform (the resolved JSON written to cdk.tf.json). Unsuppressed error findings become error annotations,
 * which fail synth; warnings become warning annotations. `reportFiles()` renders `policy-report.json` and
 * `policy-report.md`, which the app writes next to `cdk.tf.json`, also when synth fails.
 */
export class PolicyPack implements IAspect {
  /**
   * Attaches a pack to `stack`: an Aspect that starts each synthesis afresh, and a validation of the stack
   * that runs the rules once every aspect has run, turning findings into annotations before cdktf collects
   * them (error annotations fail synth).
   */
  public static applyTo(stack: TerraformStack, props: PolicyPackProps): PolicyPack {
    const pack = new PolicyPack(stack, props);
    Aspects.of(stack).add(pack);
    stack.node.addValidation({
      validate: () => {
        pack.evaluate();
        return [];
      },
    });
    return pack;
  }

  public readonly rules: readonly PolicyRule[];
  private readonly baseContext: Omit<PolicyContext, 'defaultLabels'>;
  /** The stack's elements by Terraform address, built only when a finding needs its construct. */
  private elements?: Map<string, IConstruct>;
  /** Findings already annotated: aspects and evaluation can run more than once (Testing.synth, then fullSynth). */
  private readonly annotated = new Set<string>();
  private evaluation?: Evaluation;

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

  public visit(node: IConstruct): void {
    if (node !== this.stack) return;
    this.elements = undefined;
    this.evaluation = undefined;
  }

  private elementAt(address: string): IConstruct | undefined {
    if (!this.elements) {
      this.elements = new Map();
      for (const node of this.stack.node.findAll()) {
        const a = addressOf(node);
        if (a) this.elements.set(a, node);
      }
    }
    return this.elements.get(address);
  }

  /** Stack facts the rules see, with default labels read from the synthesized providers. */
  public get context(): PolicyContext {
    return this.evaluate().context;
  }

  public get findings(): readonly PolicyFinding[] {
    return this.evaluate().findings;
  }

  /** Unsuppressed error findings: synth fails when there are any. */
  public get errors(): readonly PolicyFinding[] {
    return this.findings.filter((f) => f.level === 'error' && !f.suppressedBy);
  }

  /** Whether the rules ran on the stack as it is now (since its aspects last ran). */
  public get evaluated(): boolean {
    return this.evaluation !== undefined;
  }

  /** `policy-report.json` and `policy-report.md`. */
  public reportFiles(): Readonly<Record<string, string>> {
    const report = this.report();
    return {
      'policy-report.json': `${JSON.stringify(report, null, 2)}\n`,
      'policy-report.md': renderReportMarkdown(report),
    };
  }

  public report(): PolicyReport {
    const { findings, checked } = this.evaluate();
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
      stack: this.baseContext.stack,
      environment: this.baseContext.environment,
      production: this.baseContext.production,
      resourcesChecked: checked,
      summary: {
        errors: findings.filter((f) => f.level === 'error' && !f.suppressedBy).length,
        warnings: findings.filter((f) => f.level === 'warning' && !f.suppressedBy).length,
        suppressed: findings.filter((f) => f.suppressedBy).length,
      },
      rules: this.rules.map(({ id, level, title, explanation, references }) => ({
        id,
        level,
        title,
        explanation,
        ...controlsOf(references),
      })),
      findings,
      suppressions,
    };
  }

  /** Runs the rules over the stack's synthesized Terraform (once per synthesis) and annotates findings. */
  public evaluate(): Evaluation {
    if (this.evaluation) return this.evaluation;
    const json = this.stack.toTerraform() as SynthesizedStack;
    const context: PolicyContext = {
      ...this.baseContext,
      defaultLabels: defaultLabelsOf(json),
      resolve: referenceResolver(json.resource),
    };
    const findings: PolicyFinding[] = [];
    let checked = 0;
    for (const resource of policyResources(json)) {
      checked++;
      for (const rule of this.rules) {
        const verdict = runRule(rule, resource, context);
        if (verdict.status !== 'non-compliant') continue;
        const node = this.elementAt(resource.address);
        const suppressedBy = node ? Suppressions.find(node, rule.id) : undefined;
        findings.push({
          ruleId: rule.id,
          level: rule.level,
          title: rule.title,
          address: resource.address,
          path: resource.path,
          detail: verdict.detail,
          ...(suppressedBy ? { suppressedBy } : {}),
        });
        const key = `${rule.id}\u0000${resource.path}`;
        if (suppressedBy || this.annotated.has(key)) continue;
        this.annotated.add(key);
        const message = `[${rule.id}] ${rule.title}: ${verdict.detail}`;
        const target = node ?? this.stack;
        if (rule.level === 'error') Annotations.of(target).addError(message);
        else Annotations.of(target).addWarning(message);
      }
    }
    findings.sort((a, b) => compare(`${a.ruleId} ${a.path}`, `${b.ruleId} ${b.path}`));
    this.evaluation = { findings, checked, context };
    return this.evaluation;
  }
}

export interface Evaluation {
  readonly findings: PolicyFinding[];
  readonly checked: number;
  readonly context: PolicyContext;
}

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

interface SynthesizedStack {
  readonly resource?: Blocks;
  readonly data?: Blocks;
  readonly provider?: Record<string, { alias?: string; default_labels?: Record<string, string> }[]>;
}

/** A rule's references split into the report's mapping: CIS items, checkov ids, and what has neither. */
export function controlsOf(references: readonly string[] = ['none: not mapped by its author']): {
  cis: string[];
  checkov: string[];
  note?: string;
} {
  const cis = references.filter((r) => r.startsWith('CIS '));
  const checkov = references.filter((r) => /^CKV2?_GCP_\d+/.test(r));
  const other = references.filter((r) => !cis.includes(r) && !checkov.includes(r));
  return { cis, checkov, ...(other.length > 0 ? { note: other.join('; ') } : {}) };
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

function addressOf(node: IConstruct): string | undefined {
  if (TerraformResource.isTerraformResource(node))
    return `${node.terraformResourceType}.${node.friendlyUniqueId}`;
  if (TerraformDataSource.isTerraformDataSource(node))
    return `data.${node.terraformResourceType}.${node.friendlyUniqueId}`;
  return undefined;
}

/** Every resource and data source of a synthesized stack, as the rules see them. */
function policyResources(json: SynthesizedStack): PolicyResource[] {
  const out: PolicyResource[] = [];
  for (const mode of ['managed', 'data'] as const) {
    for (const [type, byName] of Object.entries((mode === 'managed' ? json.resource : json.data) ?? {})) {
      for (const [name, block] of Object.entries(byName)) {
        const { '//': meta, ...config } = block;
        const address = `${mode === 'data' ? 'data.' : ''}${type}.${name}`;
        const path = (meta as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? address;
        out.push({ mode, type, address, path, config });
      }
    }
  }
  return out;
}

/** Labels every default (un-aliased) google/google-beta provider applies, exactly as synthesized. */
function defaultLabelsOf(json: SynthesizedStack): Record<string, string> {
  const sets = ['google', 'google-beta'].flatMap((type) =>
    (json.provider?.[type] ?? []).filter((p) => p.alias === undefined).map((p) => p.default_labels ?? {}),
  );
  if (sets.length === 0) return {};
  const [first, ...rest] = sets as [Record<string, string>, ...Record<string, string>[]];
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((other) => other[k] === v)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
