// Summaries over rounds, and the markdown the results are printed as.

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

export interface Metric {
  readonly name: string;
  /** One value per round. */
  readonly values: readonly number[];
  readonly format: (value: number) => string;
  /** Absent for the rows that only explain the others. */
  readonly target?: { readonly text: string; readonly pass: (median: number) => boolean };
}

export const fixed =
  (digits: number, unit = ''): ((value: number) => string) =>
  (value) =>
    `${value.toFixed(digits)}${unit}`;
export const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

export function table(metrics: readonly Metric[], withTarget: boolean): string {
  const header = withTarget ? ['metric', 'median', 'min', 'max', 'target', 'result'] : ['measure', 'median', 'min', 'max'];
  const rows = metrics.map((metric) => {
    const s = spread(metric.values);
    const cells = [metric.name, metric.format(s.median), metric.format(s.min), metric.format(s.max)];
    if (withTarget) cells.push(metric.target?.text ?? '', metric.target === undefined ? '' : metric.target.pass(s.median) ? 'pass' : '**FAIL**');
    return cells;
  });
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
