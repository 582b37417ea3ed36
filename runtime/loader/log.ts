/**
 * Logs in the gateway's Cloud Logging shape (runtime/ingest/logging.ts): one JSON object per line on stdout with
 * `severity`, `timestamp` and `message`, and the entry's fields next to them, so Cloud Logging files each line
 * as a structured entry and log-based metrics can extract the fields (the loader's counters are read that way).
 */
export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface Logger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** A logger writing to `out` (stdout by default); `base` fields go on every line. */
export function jsonLogger(
  out: { write(line: string): unknown } = process.stdout,
  base: Readonly<Record<string, unknown>> = {},
): Logger & { line(severity: Severity, message: string, fields?: Readonly<Record<string, unknown>>): void } {
  const line = (severity: Severity, message: string, fields: Readonly<Record<string, unknown>> = {}) => {
    out.write(
      `${JSON.stringify({ severity, timestamp: new Date().toISOString(), ...base, ...fields, message })}\n`,
    );
  };
  return {
    line,
    info: (m, f) => line('INFO', m, f),
    warn: (m, f) => line('WARNING', m, f),
    error: (m, f) => line('ERROR', m, f),
  };
}
