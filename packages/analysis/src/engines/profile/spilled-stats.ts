import { forEachChunk, readColumn } from '../../data/spill';
import { type ColumnStats, describeColumn, fewValues } from './column-stats';
import { countDistinct } from './distinct';
import { histogram } from './histogram';
import { lerp, select } from './quantiles';
import type { TopValue } from './types';

/**
 * A numeric column's statistics from its file on disk (data/spill.ts), the same numbers
 * describeColumn gives from memory, within a memory budget of `budgetValues` doubles. A column
 * that fits is read whole and described in memory. A larger one is described in passes over the
 * file: moments, the histogram and few-value counts as it streams by; exact distinct counts and
 * quartiles by cutting the values into ranges of their bit patterns (read in the order doubles
 * sort) small enough to hold, one pass per range: the ranges do not overlap, so their distinct
 * counts add up, and each order statistic lies in the range its rank falls in. A range too full
 * at 20 bits of the pattern is cut again by the next bits, down to a single value.
 */

export interface SpilledColumn {
  path: string;
  /** Values in the file (rows), missing ones included as NaN. */
  rows: number;
  budgetValues: number;
}

const chunkValues = 1 << 20;

// A double's bits as an unsigned 64-bit key in the order the doubles sort: [high, low] words.
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
let keyHigh = 0;
let keyLow = 0;
function keyOf(x: number): void {
  // -0 is +0: equal values share a key, so they fall in one range.
  bits[0] = x === 0 ? 0 : x;
  const high = words[1]!;
  const low = words[0]!;
  if (high & 0x80000000) {
    keyHigh = ~high >>> 0;
    keyLow = ~low >>> 0;
  } else {
    keyHigh = (high | 0x80000000) >>> 0;
    keyLow = low;
  }
}

function valueOfKey(high: number, low: number): number {
  if (high & 0x80000000) {
    words[1] = high & 0x7fffffff;
    words[0] = low;
  } else {
    words[1] = ~high >>> 0;
    words[0] = ~low >>> 0;
  }
  return bits[0]!;
}

/** The four cuts of a key, from its top 20 bits down to its last 16: where each puts its bucket number. */
const levels = [
  {
    size: 1 << 20,
    of: (high: number, _low: number) => high >>> 12,
    highMask: 0xfffff000,
    highShift: 12,
    lowMask: 0,
    lowShift: 0,
  },
  {
    size: 1 << 12,
    of: (high: number, _low: number) => high & 0xfff,
    highMask: 0xfff,
    highShift: 0,
    lowMask: 0,
    lowShift: 0,
  },
  {
    size: 1 << 16,
    of: (_high: number, low: number) => low >>> 16,
    highMask: 0,
    highShift: 0,
    lowMask: 0xffff0000,
    lowShift: 16,
  },
  {
    size: 1 << 16,
    of: (_high: number, low: number) => low & 0xffff,
    highMask: 0,
    highShift: 0,
    lowMask: 0xffff,
    lowShift: 0,
  },
] as const;

/** Keys with these bits fixed: (key & mask) === value, in the high and low words. */
interface Prefix {
  highMask: number;
  highValue: number;
  lowMask: number;
  lowValue: number;
}

const matches = (prefix: Prefix) =>
  (keyHigh & prefix.highMask) >>> 0 === prefix.highValue &&
  (keyLow & prefix.lowMask) >>> 0 === prefix.lowValue;

/** The prefix narrowed to bucket `bucket` at `level`. */
function narrow(prefix: Prefix, level: number, bucket: number): Prefix {
  const cut = levels[level]!;
  return cut.highMask
    ? {
        ...prefix,
        highMask: (prefix.highMask | cut.highMask) >>> 0,
        highValue: (prefix.highValue | (bucket << cut.highShift)) >>> 0,
      }
    : {
        ...prefix,
        lowMask: (prefix.lowMask | cut.lowMask) >>> 0,
        lowValue: (prefix.lowValue | (bucket << cut.lowShift)) >>> 0,
      };
}

class External {
  private readonly ranks: number[];
  readonly found = new Map<number, number>();
  distinct = 0;

  constructor(
    private readonly column: SpilledColumn,
    ranks: number[],
  ) {
    this.ranks = ranks;
  }

  /** Counts per bucket at `level` of the present values under `prefix`: one pass. */
  private counts(level: number, prefix: Prefix): Float64Array {
    const cut = levels[level]!;
    const counts = new Float64Array(cut.size);
    forEachChunk(this.column.path, this.column.rows, chunkValues, (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        const x = chunk[i]!;
        if (Number.isNaN(x)) continue;
        keyOf(x);
        if (matches(prefix)) counts[cut.of(keyHigh, keyLow)]!++;
      }
    });
    return counts;
  }

  /** Where loaded values go: one buffer for every range, as large as the budget allows. */
  private space: Float64Array | undefined;

  /** The present values under `prefix` whose bucket at `level` is in [from, to]: one pass. */
  private load(level: number, prefix: Prefix, from: number, to: number, count: number): Float64Array {
    const cut = levels[level]!;
    if (!this.space || this.space.length < count)
      this.space = new Float64Array(Math.max(count, Math.min(this.column.budgetValues, this.column.rows)));
    const values = this.space.subarray(0, count);
    let at = 0;
    forEachChunk(this.column.path, this.column.rows, chunkValues, (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        const x = chunk[i]!;
        if (Number.isNaN(x)) continue;
        keyOf(x);
        if (!matches(prefix)) continue;
        const bucket = cut.of(keyHigh, keyLow);
        if (bucket >= from && bucket <= to) values[at++] = x;
      }
    });
    return values;
  }

  private wanted(offset: number, count: number): number[] {
    return this.ranks.filter((rank) => rank >= offset && rank < offset + count);
  }

  /**
   * Visits the buckets at `level` under `prefix` in key order, from rank `offset` on: runs of
   * buckets that fit the budget are loaded and counted; a bucket that alone does not fit is cut
   * again at the next level.
   */
  visit(level: number, prefix: Prefix, counts: Float64Array, offset: number): number {
    const budget = Math.max(1, this.column.budgetValues);
    let runStart = -1;
    let runCount = 0;
    const flush = (end: number) => {
      if (runStart < 0) return;
      const values = this.load(level, prefix, runStart, end, runCount);
      this.distinct += countDistinct(values);
      // Distinct counting reorders the values; selection does not mind.
      for (const rank of this.wanted(offset, runCount)) {
        select(values, rank - offset);
        this.found.set(rank, values[rank - offset]!);
      }
      offset += runCount;
      runStart = -1;
      runCount = 0;
    };
    for (let bucket = 0; bucket < counts.length; bucket++) {
      const count = counts[bucket]!;
      if (count === 0) continue;
      if (count > budget) {
        flush(bucket - 1);
        const inner = narrow(prefix, level, bucket);
        if (level === levels.length - 1) {
          // Every bit fixed: one value, however many times.
          this.distinct += 1;
          const value = valueOfKey(inner.highValue, inner.lowValue);
          for (const rank of this.wanted(offset, count)) this.found.set(rank, value);
          offset += count;
        } else offset = this.visit(level + 1, inner, this.counts(level + 1, inner), offset);
        continue;
      }
      if (runCount + count > budget) flush(bucket - 1);
      if (runStart < 0) runStart = bucket;
      runCount += count;
    }
    flush(counts.length - 1);
    return offset;
  }

  /** The first pass: present count, compensated sum (as moments.ts's PresentSum sums), extremes, top-bucket counts and few-value counts. */
  static summarize(column: SpilledColumn) {
    let n = 0;
    let sum = 0;
    let compensation = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    const counts = new Float64Array(levels[0].size);
    const few = new Map<number, number>();
    let many = false;
    forEachChunk(column.path, column.rows, chunkValues, (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        const x = chunk[i]!;
        if (Number.isNaN(x)) continue;
        n++;
        const t = sum + x;
        compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
        sum = t;
        if (x < min) min = x;
        if (x > max) max = x;
        keyOf(x);
        counts[keyHigh >>> 12]!++;
        if (!many) {
          const key = x === 0 ? 0 : x;
          few.set(key, (few.get(key) ?? 0) + 1);
          if (few.size > fewValues) many = true;
        }
      }
    });
    return { n, mean: (sum + compensation) / n, min, max, counts, few: many ? undefined : few };
  }
}

/** Moments and the histogram, in a second pass, as describeColumn computes them. */
function spread(column: SpilledColumn, n: number, mean: number, min: number, max: number) {
  let squares = 0;
  let deviations = 0;
  let histogramCounts: number[] | undefined;
  let edges: number[] = [];
  const present = new Float64Array(Math.min(chunkValues, column.rows));
  forEachChunk(column.path, column.rows, chunkValues, (chunk) => {
    let m = 0;
    for (let i = 0; i < chunk.length; i++) {
      const x = chunk[i]!;
      if (Number.isNaN(x)) continue;
      present[m++] = x;
      const d = x - mean;
      squares += d * d;
      deviations += d;
    }
    const binned = histogram(present.subarray(0, m), min, max);
    edges = binned.edges;
    if (!histogramCounts) histogramCounts = binned.counts;
    else for (const [bin, count] of binned.counts.entries()) histogramCounts[bin]! += count;
  });
  const variance = n < 2 ? Number.NaN : (squares - (deviations * deviations) / n) / (n - 1);
  return {
    std: n < 2 ? null : Math.sqrt(Math.max(variance, 0)),
    histogram: { edges, counts: histogramCounts ?? [] },
  };
}

/** A column read whole: one buffer per thread, reused from column to column. */
let whole: Float64Array | undefined;
function readWhole(column: SpilledColumn): Float64Array {
  if (!whole || whole.length < column.rows) whole = new Float64Array(column.rows);
  const values = whole.subarray(0, column.rows);
  readColumn(column.path, 0, column.rows, values);
  return values;
}

export function describeSpilled(column: SpilledColumn): ColumnStats | undefined {
  if (column.rows <= column.budgetValues) {
    const values = readWhole(column);
    return describeColumn(values, { values });
  }
  const { n, mean, min, max, counts, few } = External.summarize(column);
  if (n === 0) return undefined;
  const { std, histogram: binned } = spread(column, n, mean, min, max);
  const probabilities = [0.25, 0.5, 0.75];
  const positions = probabilities.map((p) => {
    const h = (n - 1) * p;
    const k = Math.floor(h);
    return { k, next: Math.min(k + 1, n - 1), t: h - k };
  });
  const external = new External(column, [...new Set(positions.flatMap(({ k, next }) => [k, next]))]);
  external.visit(0, { highMask: 0, highValue: 0, lowMask: 0, lowValue: 0 }, counts, 0);
  const [q25, q50, q75] = positions.map(({ k, next, t }) =>
    lerp(external.found.get(k)!, external.found.get(next)!, t),
  );
  const stats: ColumnStats = {
    unique: external.distinct,
    mean,
    std,
    min,
    q25: q25!,
    q50: q50!,
    q75: q75!,
    max,
    histogram: binned,
  };
  if (!few) return stats;
  const top: TopValue[] = [...few]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value - b.value);
  return { ...stats, top };
}

/**
 * The values of the given ranks (0-based, in sorted order, among the present values) of a column
 * on disk, within its memory budget: the file read whole if it fits, else in passes over ranges.
 */
export function orderStatistics(column: SpilledColumn, ranks: readonly number[]): Map<number, number> {
  if (column.rows <= column.budgetValues) {
    const values = readWhole(column);
    let n = 0;
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) values[n++] = values[i]!;
    const present = values.subarray(0, n);
    const found = new Map<number, number>();
    for (const rank of [...ranks].sort((a, b) => a - b)) {
      select(present, rank);
      found.set(rank, present[rank]!);
    }
    return found;
  }
  const { counts } = External.summarize(column);
  const external = new External(column, [...ranks]);
  external.visit(0, { highMask: 0, highValue: 0, lowMask: 0, lowValue: 0 }, counts, 0);
  return external.found;
}
