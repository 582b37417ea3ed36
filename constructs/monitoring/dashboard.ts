import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import { Construct } from 'constructs';
import { constructChecks } from '../core/validation';
import type { Aggregation } from './alert-policy';

/** A dashboard widget: a time-series chart, a logs panel, or Markdown text. */
export type DashboardWidget =
  | {
      readonly kind: 'chart';
      readonly title: string;
      readonly filter: string;
      readonly aggregation: Aggregation;
    }
  | { readonly kind: 'promql'; readonly title: string; readonly query: string }
  | { readonly kind: 'logs'; readonly title: string; readonly filter: string }
  | { readonly kind: 'text'; readonly title: string; readonly markdown: string };

/** One row: a section header, then up to four widgets side by side. */
export interface DashboardRow {
  readonly title: string;
  readonly subtitle?: string;
  readonly widgets: readonly DashboardWidget[];
}

export interface DashboardProps {
  readonly displayName: string;
  readonly rows: readonly DashboardRow[];
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
}

export interface Tile {
  readonly xPos: number;
  readonly yPos: number;
  readonly width: number;
  readonly height: number;
  readonly widget: Record<string, unknown>;
}

/** Mosaic layouts are 48 columns wide. */
export const COLUMNS = 48;
const HEADER_HEIGHT = 4;
const WIDGET_HEIGHT = 16;
const MAX_PER_ROW = 4;

function widget(w: DashboardWidget): Record<string, unknown> {
  if (w.kind === 'text') return { title: w.title, text: { content: w.markdown, format: 'MARKDOWN' } };
  if (w.kind === 'logs') return { title: w.title, logsPanel: { filter: w.filter } };
  if (w.kind === 'promql')
    return {
      title: w.title,
      xyChart: {
        dataSets: [{ plotType: 'LINE', timeSeriesQuery: { prometheusQuery: w.query } }],
        yAxis: { scale: 'LINEAR' },
      },
    };
  const a = w.aggregation;
  return {
    title: w.title,
    xyChart: {
      dataSets: [
        {
          plotType: 'LINE',
          timeSeriesQuery: {
            timeSeriesFilter: {
              filter: w.filter,
              aggregation: {
                alignmentPeriod: `${a.alignmentSeconds}s`,
                perSeriesAligner: a.aligner,
                ...(a.reducer ? { crossSeriesReducer: a.reducer } : {}),
                ...(a.groupBy ? { groupByFields: [...a.groupBy] } : {}),
              },
            },
          },
        },
      ],
      yAxis: { scale: 'LINEAR' },
    },
  };
}

/** The tiles of a mosaic layout: per row a full-width section header, then its widgets in equal widths. */
export function mosaicTiles(rows: readonly DashboardRow[]): Tile[] {
  const tiles: Tile[] = [];
  let y = 0;
  for (const row of rows) {
    tiles.push({
      xPos: 0,
      yPos: y,
      width: COLUMNS,
      height: HEADER_HEIGHT,
      widget: { title: row.title, sectionHeader: { subtitle: row.subtitle ?? '', dividerBelow: true } },
    });
    y += HEADER_HEIGHT;
    const width = COLUMNS / Math.max(1, row.widgets.length);
    row.widgets.forEach((w, i) => {
      tiles.push({ xPos: i * width, yPos: y, width, height: WIDGET_HEIGHT, widget: widget(w) });
    });
    y += WIDGET_HEIGHT;
  }
  return tiles;
}

/** A Cloud Monitoring dashboard generated as a mosaic layout: a row per stream and per component. */
export class Dashboard extends Construct {
  public readonly resource: MonitoringDashboard;
  public readonly tiles: readonly Tile[];

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const c = constructChecks(this);
    c.rule('displayName', props.displayName, 'must not be empty', (n) => n.trim().length > 0);
    c.rule('rows', props.rows.length, 'must hold at least one row', (n) => n > 0);
    for (const [i, row] of props.rows.entries())
      c.rule(
        `rows[${i}].widgets`,
        row.widgets.length,
        `must hold 1 to ${MAX_PER_ROW} widgets (48 columns, 12 each at least)`,
        (n) => n >= 1 && n <= MAX_PER_ROW,
      );
    c.throwIfAny();
    this.tiles = mosaicTiles(props.rows);
    this.resource = new MonitoringDashboard(this, 'Resource', {
      ...(props.project ? { project: props.project } : {}),
      dashboardJson: JSON.stringify({
        displayName: props.displayName,
        mosaicLayout: { columns: COLUMNS, tiles: this.tiles },
      }),
    });
  }
}
