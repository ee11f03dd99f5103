import { Matrix } from 'ml-matrix';
import type { Standardized } from './standardized';

/**
 * A new array of `length` values in the same kind of memory as `template` (shared or not): V8
 * runs a loop that has only ever seen one kind noticeably faster, so a computation's arrays match.
 */
export function alike(template: Float64Array, length = template.length): Float64Array {
  return template.buffer instanceof SharedArrayBuffer
    ? new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT))
    : new Float64Array(length);
}

/** Rows per block: a block of every column stays in cache while all pairs of columns are summed. */
const blockRows = 512;

/**
 * Σ_i w_i x_i x_i' over the rows of column arrays, the k × k matrix behind every Hessian and
 * sandwich here. Summing column pairs over cache-sized blocks of rows keeps the work in cache;
 * it is several times faster than row by row and never forms anything n × n.
 */
export function weightedGram(columns: readonly Float64Array[], weights: Float64Array): Matrix {
  const k = columns.length;
  const n = weights.length;
  const sums = new Float64Array(k * k);
  const weighted = new Float64Array(blockRows);
  for (let start = 0; start < n; start += blockRows) {
    const length = Math.min(n, start + blockRows) - start;
    addBlock(columns, start, weights, start, length, sums, weighted);
  }
  return symmetric(sums, k);
}

/** weightedGram over a standardized design, a block of its columns computed at a time: the same sums. */
export function designGram(design: Standardized, weights: Float64Array): Matrix {
  const k = design.width;
  const n = weights.length;
  const sums = new Float64Array(k * k);
  const weighted = new Float64Array(blockRows);
  const block = Array.from({ length: k }, () => new Float64Array(blockRows));
  for (let start = 0; start < n; start += blockRows) {
    const length = Math.min(n, start + blockRows) - start;
    for (let j = 0; j < k; j++) design.fill(j, start, length, block[j]!);
    addBlock(block, 0, weights, start, length, sums, weighted);
  }
  return symmetric(sums, k);
}

/** Adds the block of rows [from, from + length) of the columns (weights from `at`) to the upper triangle of `sums`. */
function addBlock(
  columns: readonly Float64Array[],
  from: number,
  weights: Float64Array,
  at: number,
  length: number,
  sums: Float64Array,
  weighted: Float64Array,
): void {
  const k = columns.length;
  for (let a = 0; a < k; a++) {
    const xa = columns[a]!;
    for (let i = 0; i < length; i++) weighted[i] = weights[at + i]! * xa[from + i]!;
    let b = a;
    // Four columns per pass read each weighted value once for four sums.
    for (; b + 3 < k; b += 4) {
      const x0 = columns[b]!;
      const x1 = columns[b + 1]!;
      const x2 = columns[b + 2]!;
      const x3 = columns[b + 3]!;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < length; i++) {
        const v = weighted[i]!;
        const r = from + i;
        s0 += v * x0[r]!;
        s1 += v * x1[r]!;
        s2 += v * x2[r]!;
        s3 += v * x3[r]!;
      }
      sums[a * k + b]! += s0;
      sums[a * k + b + 1]! += s1;
      sums[a * k + b + 2]! += s2;
      sums[a * k + b + 3]! += s3;
    }
    for (; b < k; b++) {
      const xb = columns[b]!;
      let s = 0;
      for (let i = 0; i < length; i++) s += weighted[i]! * xb[from + i]!;
      sums[a * k + b]! += s;
    }
  }
}

function symmetric(sums: Float64Array, k: number): Matrix {
  const out = new Matrix(k, k);
  for (let a = 0; a < k; a++)
    for (let b = a; b < k; b++) {
      out.set(a, b, sums[a * k + b]!);
      out.set(b, a, sums[a * k + b]!);
    }
  return out;
}

/** Σ_i w_i x_i: each column's weighted sum. */
export function weightedSums(columns: readonly Float64Array[], weights: Float64Array): number[] {
  const n = weights.length;
  const out: number[] = [];
  for (const column of columns) {
    let s = 0;
    for (let i = 0; i < n; i++) s += weights[i]! * column[i]!;
    out.push(s);
  }
  return out;
}

/**
 * The logistic model's Hessian Σ p(1−p)·z z' and gradient Σ (y − p)·z over a standardized design
 * in one pass of blocks, the weights and residuals computed block by block from the
 * probabilities rather than stored.
 */
export function designGramAndGradient(
  design: Standardized,
  probability: Float64Array,
  outcome: Float64Array,
): { gram: Matrix; gradient: number[] } {
  const k = design.width;
  const n = probability.length;
  const sums = new Float64Array(k * k);
  const gradient = new Array<number>(k).fill(0);
  const weighted = new Float64Array(blockRows);
  const weights = new Float64Array(blockRows);
  const residuals = new Float64Array(blockRows);
  const block = Array.from({ length: k }, () => new Float64Array(blockRows));
  for (let start = 0; start < n; start += blockRows) {
    const length = Math.min(n, start + blockRows) - start;
    for (let i = 0; i < length; i++) {
      const p = probability[start + i]!;
      weights[i] = p * (1 - p);
      residuals[i] = outcome[start + i]! - p;
    }
    for (let j = 0; j < k; j++) {
      const z = block[j]!;
      design.fill(j, start, length, z);
      let s = 0;
      for (let i = 0; i < length; i++) s += residuals[i]! * z[i]!;
      gradient[j]! += s;
    }
    addBlock(block, 0, weights, 0, length, sums, weighted);
  }
  return { gram: symmetric(sums, k), gradient };
}
