/**
 * The constructs the embedded engine's translation gets silently wrong (measured: they run on DuckDB and give
 * another result than BigQuery). A model that uses one cannot be vouched for by the local tests, so it fails
 * here, naming the model, the construct, what goes wrong and what to write instead.
 */

export interface GuardFinding {
  readonly model: string;
  readonly construct: string;
  readonly why: string;
  readonly instead: string;
}

interface Rule {
  readonly construct: string;
  readonly pattern: RegExp;
  readonly why: string;
  readonly instead: string;
}

export const TRANSLATION_GUARD: readonly Rule[] = [
  {
    construct: 'NUMERIC without precision and scale',
    pattern: /\bAS\s+(?:BIG)?NUMERIC\b(?!\s*\()|\b(?:BIG)?NUMERIC\s+'/i,
    why: 'translates to DuckDB DECIMAL(18,3): 12.3456789 becomes 12.346',
    instead: 'NUMERIC(p, s) with the precision and scale of the column',
  },
  {
    construct: 'REGEXP_CONTAINS',
    pattern: /\bREGEXP_CONTAINS\s*\(/i,
    why: 'translates to a full match (BigQuery matches anywhere in the string)',
    instead: "a LIKE pattern, or a regexp anchored with '^…$' written as a full match",
  },
  {
    construct: 'REGEXP_EXTRACT',
    pattern: /\bREGEXP_EXTRACT\s*\(/i,
    why: "always extracts group 1 and returns '' on no match (BigQuery: the whole match, NULL)",
    instead: 'SPLIT or STRPOS-based extraction',
  },
  {
    construct: 'REGEXP_REPLACE',
    pattern: /\bREGEXP_REPLACE\s*\(/i,
    why: 'replaces the first match only (BigQuery: every match)',
    instead: 'REPLACE for fixed strings',
  },
  {
    construct: 'DAYOFWEEK',
    pattern: /\bDAYOFWEEK\b/i,
    why: 'numbers Sunday 0 (BigQuery: 1)',
    instead: 'FORMAT_DATE with a day name, or EXTRACT(DAYOFWEEK …) checked in BigQuery',
  },
  {
    construct: 'WEEK parts',
    pattern: /\b(?:ISO)?WEEK\b/i,
    why: 'truncates to Monday and numbers ISO weeks (BigQuery: Sunday, week 0)',
    instead: 'DATE_DIFF in days from a known Sunday',
  },
  {
    construct: 'DATE_ADD / DATE_SUB / DATE_TRUNC',
    pattern: /\bDATE_(?:ADD|SUB|TRUNC)\s*\(/i,
    why: 'returns a TIMESTAMP for a DATE (BigQuery: a DATE)',
    instead: 'TIMESTAMP_ADD/TIMESTAMP_SUB on a TIMESTAMP, then DATE(…)',
  },
  {
    construct: 'TIMESTAMP_DIFF',
    pattern: /\bTIMESTAMP_DIFF\s*\(/i,
    why: 'counts boundaries crossed (BigQuery: whole intervals elapsed)',
    instead: 'UNIX_MICROS(b) - UNIX_MICROS(a), divided as needed',
  },
  {
    construct: 'FORMAT',
    pattern: /(?<![\w.])FORMAT\s*\(/i,
    why: "DuckDB's FORMAT uses {} placeholders: '%05d' stays as written",
    instead: 'CAST and LPAD, or FORMAT_DATE for dates',
  },
  {
    construct: 'JSON_VALUE',
    pattern: /\bJSON_VALUE\s*\(/i,
    why: 'keeps the quotes of strings and returns objects (BigQuery: the unquoted scalar, NULL)',
    instead: 'JSON_EXTRACT_SCALAR',
  },
  {
    construct: 'SUBSTR from position 0',
    pattern: /\bSUBSTR(?:ING)?\s*\([^,()]+,\s*0\s*[,)]/i,
    why: "position 0 takes one character less ('a' for 'ab')",
    instead: 'position 1',
  },
  {
    construct: 'CONCAT of two values',
    pattern: /\bCONCAT\s*\(\s*[^,()]+(?:\([^()]*\))?[^,()]*,\s*[^,()]+(?:\([^()]*\))?[^,()]*\)/i,
    why: 'ignores a NULL argument (BigQuery: NULL)',
    instead: '|| or CONCAT with three or more arguments',
  },
];

/** Strips string literals and comments, so a construct named inside a string does not count. */
function code(sql: string): string {
  return sql.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''").replace(/--[^\n]*|#[^\n]*/g, '');
}

export function guardStatement(model: string, sql: string): GuardFinding[] {
  const text = code(sql);
  return TRANSLATION_GUARD.filter((r) => r.pattern.test(text)).map((r) => ({
    model,
    construct: r.construct,
    why: r.why,
    instead: r.instead,
  }));
}

export class GuardError extends Error {
  constructor(public readonly findings: readonly GuardFinding[]) {
    super(
      `${findings.length} construct${findings.length === 1 ? '' : 's'} the local engine translates wrongly:\n${findings
        .map((f) => `  - ${f.model}: ${f.construct} ${f.why}; write ${f.instead}`)
        .join('\n')}`,
    );
  }
}
