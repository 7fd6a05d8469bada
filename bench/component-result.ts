/**
 * How a component benchmark (evidence log, trust, events) hands its figures to the federation
 * harness (`npm run bench`), which runs it as a child process: when the harness sets
 * `GCCGW_BENCH_RESULT_FILE`, the benchmark writes its figures there as one JSON document at the
 * end. Run by hand, a benchmark only prints, as before.
 */
import { writeFileSync } from 'node:fs';

/** Environment variable naming the file a component benchmark writes its figures to. */
export const RESULT_FILE_ENV = 'GCCGW_BENCH_RESULT_FILE';

/** One measured figure and, where its issue sets one, the target it is judged against. */
export interface ComponentFigure {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  /** The target in the same unit, when there is one. */
  readonly target?: number;
  /** Whether a higher value is better (rates) or a lower one (latencies, CPU per item). @default true */
  readonly higherIsBetter?: boolean;
}

export interface ComponentResult {
  readonly figures: readonly ComponentFigure[];
  /** Anything the figures need to be read right (sizes, settings, load). */
  readonly notes?: readonly string[];
}

/** Writes the figures for the harness if it asked for them (`GCCGW_BENCH_RESULT_FILE`); otherwise does nothing. */
export function reportComponentResult(result: ComponentResult, env: NodeJS.ProcessEnv = process.env): void {
  const file = env[RESULT_FILE_ENV];
  if (file === undefined || file === '') return;
  for (const figure of result.figures) {
    if (!Number.isFinite(figure.value)) throw new Error(`component benchmark figure "${figure.label}" is not a finite number: ${figure.value}`);
  }
  writeFileSync(file, `${JSON.stringify(result)}\n`);
}

/** The ratio of a figure to its target, oriented so that >= 1 means the target is met. */
export function ratioToTarget(figure: ComponentFigure): number | undefined {
  if (figure.target === undefined) return undefined;
  return figure.higherIsBetter === false ? figure.target / figure.value : figure.value / figure.target;
}
