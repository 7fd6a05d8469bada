import { escapeHtml } from './html-escape.js';

/**
 * Bar charts as inline SVG, rendered on the server: no script, no inline style (colours come from
 * the stylesheet through classes), so the page keeps its strict Content-Security-Policy. Each bar
 * has a <title> (a tooltip, and what a screen reader reads); the chart as a whole is an image
 * labelled by its caption, and the same numbers are in the tables beside it.
 */
export interface ChartPoint {
  /** What the bar's tooltip says about its slot, e.g. `2026-11-22 10:00 UTC`. */
  readonly label: string;
  /** Null: no data in that slot. */
  readonly value: number | null;
  /** Extra tooltip text, e.g. `1,204 calls`. */
  readonly detail?: string;
}

export interface BarChartOptions {
  readonly id: string;
  readonly title: string;
  readonly points: readonly ChartPoint[];
  /** Values from `min` to `max` fill the height; values outside are clamped. */
  readonly min: number;
  readonly max: number;
  /** Drawn as a dashed line; bars on the wrong side of it are marked `bad`. */
  readonly target?: number;
  /** Whether a value must be at least (availability) or at most (latency) the target. */
  readonly better: 'higher' | 'lower';
  /** Word put before the target's value in the corner, e.g. `Target`. */
  readonly targetLabel?: string;
  readonly format: (value: number) => string;
  readonly noDataText: string;
}

const WIDTH = 300;
const HEIGHT = 96;
const TOP = 14;
const BOTTOM = 4;
const GAP = 1;

export function renderBarChart(options: BarChartOptions): string {
  const { points, min, max } = options;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const span = max - min > 0 ? max - min : 1;
  const y = (value: number): number => TOP + plotHeight - (plotHeight * (Math.min(max, Math.max(min, value)) - min)) / span;
  const slot = WIDTH / Math.max(1, points.length);
  const bars = points
    .map((point, i) => {
      const x = round(i * slot + GAP / 2);
      const width = round(Math.max(1, slot - GAP));
      if (point.value === null) {
        return `<rect class="bar none" x="${x}" y="${HEIGHT - BOTTOM - 2}" width="${width}" height="2"><title>${escapeHtml(`${point.label}: ${options.noDataText}`)}</title></rect>`;
      }
      const top = round(y(point.value));
      const good = options.target === undefined || (options.better === 'higher' ? point.value >= options.target : point.value <= options.target);
      const tooltip = `${point.label}: ${options.format(point.value)}${point.detail !== undefined ? ` (${point.detail})` : ''}`;
      return `<rect class="bar ${good ? 'ok' : 'bad'}" x="${x}" y="${top}" width="${width}" height="${round(Math.max(1, HEIGHT - BOTTOM - top))}"><title>${escapeHtml(tooltip)}</title></rect>`;
    })
    .join('');
  const target =
    options.target !== undefined && options.target >= min && options.target <= max
      ? `<line class="target" x1="0" x2="${WIDTH}" y1="${round(y(options.target))}" y2="${round(y(options.target))}"/>`
      : '';
  const titleId = `${options.id}-title`;
  return `<svg class="chart" id="${escapeHtml(options.id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${escapeHtml(titleId)}" xmlns="http://www.w3.org/2000/svg">`
    + `<title id="${escapeHtml(titleId)}">${escapeHtml(options.title)}</title>`
    + `<rect class="frame" x="0" y="${TOP}" width="${WIDTH}" height="${plotHeight}"/>`
    + bars
    + target
    + `<text class="axis" x="2" y="10">${escapeHtml(`${options.format(min)} – ${options.format(max)}`)}</text>`
    + (options.target !== undefined ? `<text class="axis target-label" x="${WIDTH - 2}" y="10" text-anchor="end">${escapeHtml(`${options.targetLabel ?? ''} ${options.format(options.target)}`.trim())}</text>` : '')
    + `</svg>`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
