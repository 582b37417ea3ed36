/**
 * Counters per stream and outcome, in the Prometheus text format. The server exposes them on a localhost-only
 * port (TRIBUTARY_METRICS_PORT, default 9464) for the Cloud Run sidecar of Google Cloud Managed Service for
 * Prometheus, which writes them to Cloud Monitoring; nothing about them is reachable from outside the
 * instance. Label values are the stream names of the manifest and fixed outcome words, so cardinality is
 * bounded by configuration, never by request content.
 */

export type EventOutcome = 'accepted' | 'rejected' | 'failed';

interface Counter {
  readonly help: string;
  readonly values: Map<string, number>;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map(
      (k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
    );
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

export class IngestMetrics {
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, { help: string; read: () => number }>();
  // Rendered label sets by their raw values: the hot path adds to a few series many thousand times a second.
  private readonly series = new Map<string, string>();

  constructor() {
    this.counter(
      'tributary_ingest_events_total',
      'Events by stream and outcome (accepted, rejected, failed).',
    );
    this.counter('tributary_ingest_requests_total', 'Requests by stream and HTTP status.');
  }

  private counter(name: string, help: string): void {
    this.counters.set(name, { help, values: new Map() });
  }

  public add(name: string, labels: Readonly<Record<string, string>>, by = 1): void {
    const c = this.counters.get(name);
    if (!c) throw new Error(`unknown counter ${name}`);
    const raw = `${name}\u0000${Object.keys(labels)
      .map((k) => `${k}\u0001${labels[k]}`)
      .join('\u0000')}`;
    let key = this.series.get(raw);
    if (key === undefined) {
      key = labelText(labels);
      this.series.set(raw, key);
    }
    c.values.set(key, (c.values.get(key) ?? 0) + by);
  }

  public events(stream: string, outcome: EventOutcome, count: number): void {
    if (count > 0) this.hot('tributary_ingest_events_total', stream, 'outcome', outcome, count);
  }

  public request(stream: string, status: number): void {
    this.hot('tributary_ingest_requests_total', stream, 'status', status, 1);
  }

  // The per-request counters, keyed by stream and one more label without building strings on every call.
  private readonly hotSeries = new Map<string, Map<string, Map<string | number, string>>>();

  private hot(name: string, stream: string, label: string, value: string | number, by: number): void {
    let byStream = this.hotSeries.get(name);
    if (!byStream) {
      byStream = new Map();
      this.hotSeries.set(name, byStream);
    }
    let byValue = byStream.get(stream);
    if (!byValue) {
      byValue = new Map();
      byStream.set(stream, byValue);
    }
    let key = byValue.get(value);
    if (key === undefined) {
      key = labelText({ stream, [label]: String(value) });
      byValue.set(value, key);
    }
    const c = this.counters.get(name) as Counter;
    c.values.set(key, (c.values.get(key) ?? 0) + by);
  }

  public gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read });
  }

  /** The value of one series, for tests and health decisions. */
  public value(name: string, labels: Readonly<Record<string, string>>): number {
    return this.counters.get(name)?.values.get(labelText(labels)) ?? 0;
  }

  public render(): string {
    const lines: string[] = [];
    for (const [name, c] of this.counters) {
      lines.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of [...c.values].sort()) lines.push(`${name}${labels} ${v}`);
    }
    for (const [name, g] of this.gauges)
      lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.read()}`);
    return `${lines.join('\n')}\n`;
  }
}
