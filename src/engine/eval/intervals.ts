/** Mean and 95 % confidence interval over seeds (Student's t). */
import type { Interval } from '../report';

const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];

export function tQuantile95(df: number): number {
  return df < T95.length ? T95[df] : 1.96 + 2.5 / df;
}

export function meanInterval(values: number[]): Interval {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  if (n < 2) return { mean, ci95: null, n };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile95(n - 1) * sd) / Math.sqrt(n);
  return { mean, ci95: [mean - half, mean + half], n };
}
