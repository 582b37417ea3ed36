/**
 * Rule-table validation shared by every layer (contracts, constructs, stacks, runtime).
 *
 * Pure TypeScript on purpose: it sits at the root of the dependency graph so that a contract, a construct's
 * props and an environment file all fail the same way: every broken rule is collected first, then one error
 * lists each one with the field, the offending value and the rule.
 */

/** A reason (for public access, a project-wide grant, a policy suppression) must say something. */
export const MIN_REASON_LENGTH = 20;

/** A rule defined once and used wherever the value it governs is accepted: the sentence and the test. */
export interface Rule<T> {
  readonly text: string;
  readonly test: (value: T) => boolean;
}

/** A whole number within bounds, for example `wholeNumber(5, 100, '', 'the Pub/Sub limits')`. */
export function wholeNumber(min: number, max: number, unit = '', why = ''): Rule<number> {
  return {
    text: `must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}${why ? ` (${why})` : ''}`,
    test: (v) => Number.isInteger(v) && v >= min && v <= max,
  };
}

/** One broken rule: what was checked, the value found, and the rule it breaks. */
export interface Violation {
  readonly field: string;
  readonly value: unknown;
  readonly rule: string;
}

/** Thrown once per subject with every violation found. */
export class ValidationError extends Error {
  public readonly subject: string;
  public readonly violations: readonly Violation[];

  constructor(subject: string, violations: readonly Violation[]) {
    super(formatViolations(subject, violations));
    this.name = 'ValidationError';
    this.subject = subject;
    this.violations = violations;
  }
}

export interface ChecksOptions {
  /**
   * Values this returns true for are skipped; constructs use it to skip unresolved Terraform tokens, whose
   * real value is only known at apply time.
   * @default - nothing is skipped
   */
  readonly isUnresolved?: (value: unknown) => boolean;
}

/**
 * A validation table for one subject. Rows are added with `rule`/`require`, then `throwIfAny` raises a single
 * error listing every failure. Predicates are not wrapped in try/catch: a predicate that throws is a bug and
 * must surface as one.
 */
export class Checks {
  private readonly found: Violation[] = [];

  /** `subject` may be a function: it is called only when there is something to report. */
  constructor(
    private readonly subjectOf: string | (() => string),
    private readonly options: ChecksOptions = {},
  ) {}

  public get subject(): string {
    return typeof this.subjectOf === 'string' ? this.subjectOf : this.subjectOf();
  }

  /** Records a violation when `value` is undefined, null or an empty string. */
  public require(field: string, value: unknown, rule = 'is required'): this {
    if (value === undefined || value === null || value === '') {
      this.found.push({ field, value, rule });
    }
    return this;
  }

  /**
   * Checks `ok(value)`. Undefined values are skipped (optional fields; use `require` for mandatory ones), as
   * are values the subject's `isUnresolved` reports.
   */
  public rule<T>(field: string, value: T | undefined, rule: string, ok: (value: T) => boolean): this {
    if (value === undefined) return this;
    if (this.options.isUnresolved?.(value)) return this;
    if (!ok(value)) this.found.push({ field, value, rule });
    return this;
  }

  /** Checks `value` against a shared rule (skipped when undefined, like `rule`). */
  public check<T>(field: string, value: T | undefined, rule: Rule<T>): this {
    return this.rule(field, value, rule.text, rule.test);
  }

  /** Requires a reason for `what` (for example "public access") of at least MIN_REASON_LENGTH characters. */
  public reason(field: string, value: string | undefined, what: string): this {
    if (value === undefined || value.trim().length < MIN_REASON_LENGTH)
      this.found.push({
        field,
        value,
        rule: `must explain ${what} in at least ${MIN_REASON_LENGTH} characters`,
      });
    return this;
  }

  /** Records a violation found by other means (for example a cross-field check). */
  public fail(field: string, value: unknown, rule: string): this {
    this.found.push({ field, value, rule });
    return this;
  }

  public get violations(): readonly Violation[] {
    return [...this.found];
  }

  public throwIfAny(): void {
    if (this.found.length > 0) throw new ValidationError(this.subject, this.found);
  }
}

/** Parses a configuration file's text; a syntax error names the file (`source`) and where the text broke. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
}

/** Renders a value for an error message: strings quoted, objects as compact JSON, long values cut. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = '(not set)';
  else if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'function') text = '(function)';
  else text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function formatViolations(subject: string, violations: readonly Violation[]): string {
  const count = violations.length === 1 ? '1 problem' : `${violations.length} problems`;
  const lines = violations.map((v) => `  - ${v.field} = ${describeValue(v.value)}: ${v.rule}`);
  return [`${subject}: ${count}`, ...lines].join('\n');
}
