import { closeSync, openSync, writeSync } from 'node:fs';
import type { GroupPropensity, Overlap } from '@cascade/core/contract';
import { Binning, histogramBins } from '../profile/histogram';
import { lerp, select } from '../profile/quantiles';
import { orderStatistics } from '../profile/spilled-stats';
import { chunkRows } from './study-rows';

export type { GroupPropensity, Overlap } from '@cascade/core/contract';

/**
 * How far the treated and control propensity distributions share ground: each group's range,
 * histogram and 5 %, 50 % and 95 % points, the rows outside the range both groups cover, and the
 * rows with extreme propensities. The counts come from passes over the rows, in ranges that add
 * up (OverlapCounts); each group's propensities are written where they wait for the quantiles
 * (ScoreTarget), each range from its own first position, so the ranges fill them as one pass would.
 */

/** Propensities below this or above 1 − this are extreme. */
const extremeBound = 0.05;
/** numpy's 20 bins over [0, 1]. */
const propensityBins = new Binning(0, 1);

/** Where one group's propensities wait for their quantiles: shared memory, or a file on disk (a study too large for memory). */
export type ScoreTarget = { memory: Float64Array } | { file: string; budgetValues: number };

/** Writes a range's propensities of one group into its target, from position `offset` on. */
export class ScoreWriter {
  private readonly fd: number | undefined;

  constructor(
    private readonly target: ScoreTarget,
    private offset: number,
  ) {
    this.fd = 'file' in target ? openSync(target.file, 'r+') : undefined;
  }

  write(values: Float64Array): void {
    if (this.fd === undefined) (this.target as { memory: Float64Array }).memory.set(values, this.offset);
    else {
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      for (let written = 0; written < bytes.length; )
        written += writeSync(this.fd, bytes, written, bytes.length - written, this.offset * 8 + written);
    }
    this.offset += values.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** The values of these ranks (0-based, ascending) among the first `count` of a target. */
function ranked(target: ScoreTarget, count: number, ranks: readonly number[]): Map<number, number> {
  if ('file' in target)
    return orderStatistics({ path: target.file, rows: count, budgetValues: target.budgetValues }, ranks);
  const values = target.memory.subarray(0, count);
  const found = new Map<number, number>();
  // Each selection leaves everything above its rank to its right, so the next starts there.
  let left = 0;
  for (const rank of [...ranks].sort((a, b) => a - b)) {
    select(values, rank, left, count - 1);
    found.set(rank, values[rank]!);
    left = rank;
  }
  return found;
}

/** Where each group's counts sit: its size, range and histogram bins. */
const group = { count: 0, min: 1, max: 2, bins: 3 } as const;
const groupWidth = group.bins + histogramBins;

/**
 * The counts of a range's propensities, by group (control, then treated), in one flat array that
 * ranges add up: sizes, extremes, histogram bins, the rows with extreme propensities and those outside the common
 * support (a second pass's, once the ranges are known).
 */
export class OverlapCounts {
  readonly counts: Float64Array;
  private readonly chunk = [new Float64Array(chunkRows), new Float64Array(chunkRows)];

  constructor(counts?: Float64Array) {
    this.counts = counts ?? OverlapCounts.empty();
  }

  private static empty(): Float64Array {
    const counts = new Float64Array(2 * groupWidth + 2);
    for (const g of [0, 1]) {
      counts[g * groupWidth + group.min] = Number.POSITIVE_INFINITY;
      counts[g * groupWidth + group.max] = Number.NEGATIVE_INFINITY;
    }
    return counts;
  }

  private get extremeAt(): number {
    return 2 * groupWidth;
  }

  /** The propensities `e` (from 0) of rows [from, from + length) of treatments `t`, each group's also to its writer. */
  add(
    t: Float64Array,
    from: number,
    e: Float64Array,
    length: number,
    writers: readonly [ScoreWriter, ScoreWriter],
  ): void {
    const { counts, chunk } = this;
    const filled = [0, 0];
    let extreme = 0;
    for (let i = 0; i < length; i++) {
      const p = e[i]!;
      const g = t[from + i] === 1 ? 1 : 0;
      chunk[g]![filled[g]!++] = p;
      if (p < extremeBound || p > 1 - extremeBound) extreme++;
    }
    counts[this.extremeAt]! += extreme;
    for (let g = 0; g < 2; g++) {
      const values = chunk[g]!;
      const size = filled[g]!;
      const at = g * groupWidth;
      let min = counts[at + group.min]!;
      let max = counts[at + group.max]!;
      for (let i = 0; i < size; i++) {
        if (values[i]! < min) min = values[i]!;
        if (values[i]! > max) max = values[i]!;
      }
      counts[at + group.min] = min;
      counts[at + group.max] = max;
      propensityBins.add(values, size, counts, at + group.bins);
      counts[at + group.count]! += size;
      writers[g]!.write(values.subarray(0, size));
    }
  }

  /** The range both groups cover. */
  commonSupport(): [number, number] {
    const { counts } = this;
    return [
      Math.max(counts[group.min]!, counts[groupWidth + group.min]!),
      Math.min(counts[group.max]!, counts[groupWidth + group.max]!),
    ];
  }

  /** Counts the rows outside the common support `[low, high]` among the propensities `e` (from 0). */
  countOutside(e: Float64Array, length: number, [low, high]: readonly [number, number]): void {
    let outside = 0;
    for (let i = 0; i < length; i++) if (e[i]! < low || e[i]! > high) outside++;
    this.counts[this.extremeAt + 1]! += outside;
  }

  /** Two ranges' counts together. */
  static merge(first: Float64Array, second: Float64Array): Float64Array {
    const out = Float64Array.from(first);
    for (let i = 0; i < out.length; i++) {
      const field = i < 2 * groupWidth ? i % groupWidth : -1;
      if (field === group.min) out[i] = Math.min(out[i]!, second[i]!);
      else if (field === group.max) out[i] = Math.max(out[i]!, second[i]!);
      else out[i]! += second[i]!;
    }
    return out;
  }

  /** The overlap, each group's quantiles read from its target. */
  result(targets: readonly [ScoreTarget, ScoreTarget]): Overlap {
    const { counts } = this;
    const summary = (g: 0 | 1): GroupPropensity => {
      const at = g * groupWidth;
      const count = counts[at + group.count]!;
      const positions = [0.05, 0.5, 0.95].map((p) => {
        const h = (count - 1) * p;
        const low = Math.floor(h);
        return { low, high: Math.min(low + 1, count - 1), t: h - low };
      });
      const found = ranked(targets[g], count, [
        ...new Set(positions.flatMap(({ low, high }) => [low, high])),
      ]);
      const [q05, median, q95] = positions.map(({ low, high, t }) =>
        lerp(found.get(low)!, found.get(high)!, t),
      );
      return {
        min: counts[at + group.min]!,
        q05: q05!,
        median: median!,
        q95: q95!,
        max: counts[at + group.max]!,
      };
    };
    const bins = (g: number) =>
      Array.from(counts.subarray(g * groupWidth + group.bins, (g + 1) * groupWidth));
    return {
      treated: summary(1),
      control: summary(0),
      commonSupport: this.commonSupport(),
      outsideSupport: counts[this.extremeAt + 1]!,
      extreme: counts[this.extremeAt]!,
      histogram: { edges: [...propensityBins.edges], treated: bins(1), control: bins(0) },
    };
  }
}
