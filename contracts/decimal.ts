/** Exact decimal strings (NUMERIC values and bounds), compared without converting to floating point. */

const DECIMAL = /^(-)?(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

export interface Decimal {
  readonly negative: boolean;
  readonly integer: string;
  /** Fraction digits without trailing zeros. */
  readonly fraction: string;
}

export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const integer = m[2] as string;
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const zero = integer === '0' && fraction === '';
  return { negative: Boolean(m[1]) && !zero, integer, fraction };
}

/** Digits before and after the point, as written (trailing fraction zeros count toward the scale). */
export function decimalDigits(text: string): { integerDigits: number; scale: number } | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  return { integerDigits: m[2] === '0' ? 0 : (m[2] as string).length, scale: (m[3] ?? '').length };
}

/** -1, 0 or 1. Both arguments must be valid decimals. */
export function compareDecimal(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) throw new Error(`compareDecimal: "${a}" or "${b}" is not a decimal`);
  return compareParsed(x, y);
}

/** compareDecimal on parsed values, for bounds parsed once and compared against many values. */
export function compareParsed(x: Decimal, y: Decimal): number {
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const sign = x.negative ? -1 : 1;
  if (x.integer.length !== y.integer.length) return sign * (x.integer.length < y.integer.length ? -1 : 1);
  if (x.integer !== y.integer) return sign * (x.integer < y.integer ? -1 : 1);
  const width = Math.max(x.fraction.length, y.fraction.length);
  const fx = x.fraction.padEnd(width, '0');
  const fy = y.fraction.padEnd(width, '0');
  return fx === fy ? 0 : sign * (fx < fy ? -1 : 1);
}

/** True when `text` fits NUMERIC(precision, scale): at most scale fraction digits, precision-scale integer digits. */
export function fitsNumeric(text: string, precision: number, scale: number): boolean {
  const d = decimalDigits(text);
  return d !== undefined && d.scale <= scale && d.integerDigits <= precision - scale;
}
