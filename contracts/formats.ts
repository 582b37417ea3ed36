/**
 * Value formats shared by the validator and the tests, written to match what BigQuery and Pub/Sub accept,
 * not the loosest reading of each RFC.
 */

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

/** The patterns themselves, shared with the ES5 UDF runtime (which receives their sources). */
export const FORMAT_PATTERNS: Readonly<Record<string, RegExp>> = {
  TIMESTAMP,
  DATE,
  BASE64,
  EMAIL,
  UUID,
  IPV4,
  URI,
};

// BigQuery TIMESTAMP covers 0001-01-01 00:00:00 to 9999-12-31 23:59:59.999999 UTC.
const MIN_MS = new Date('0001-01-01T00:00:00Z').getTime();
const MAX_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

function daysInMonth(year: number, month: number): number {
  return (
    [
      31,
      year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
      31,
      30,
      31,
      30,
      31,
      31,
      30,
      31,
      30,
      31,
    ][month - 1] ?? 0
  );
}

function validDate(y: number, m: number, d: number): boolean {
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** RFC 3339 date-time (uppercase T and Z, the forms BigQuery documents) with a zone, seconds 00-59, at most 6 fraction digits, inside BigQuery's range. */
export function isTimestamp(text: string): boolean {
  const m = TIMESTAMP.exec(text);
  if (!m) return false;
  // Read field by field: this runs for every timestamp of every event the gateway and the loader check.
  const y = Number(m[1]);
  if (
    !validDate(y, Number(m[2]), Number(m[3])) ||
    Number(m[4]) > 23 ||
    Number(m[5]) > 59 ||
    Number(m[6]) > 59
  )
    return false;
  if (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return false;
  // Only the first and last year can leave BigQuery's range once the offset is applied.
  if (y > 1 && y < 9999) return true;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS;
}

export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function isBase64(text: string): boolean {
  return BASE64.test(text);
}

export function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.length > 45) return false;
  let groups = text;
  const lastColon = groups.lastIndexOf(':');
  const tail = groups.slice(lastColon + 1);
  // An embedded IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    groups = `${groups.slice(0, lastColon + 1)}0:0`;
  }
  const halves = groups.split('::');
  if (halves.length > 2) return false;
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const head = part(halves[0] as string);
  const rest = halves.length === 2 ? part(halves[1] as string) : [];
  const all = [...head, ...rest];
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? all.length < 8 : all.length === 8;
}

export const FORMATS: Readonly<Record<string, (text: string) => boolean>> = {
  'date-time': isTimestamp,
  date: isDate,
  json: isJsonText,
  byte: isBase64,
  email: (s) => s.length <= 254 && EMAIL.test(s),
  uuid: (s) => UUID.test(s),
  ipv4: (s) => IPV4.test(s),
  ipv6: isIpv6,
  ip: (s) => IPV4.test(s) || isIpv6(s),
  uri: (s) => URI.test(s),
};
