import { Matrix } from 'ml-matrix';

/**
 * The sums behind every Hessian, Gram matrix and score here, a chunk of rows at a time
 * (study-rows.ts): a chunk of every column stays in cache while all pairs of columns are summed,
 * several times faster than row by row, and nothing n × n or n long is ever formed.
 */

/**
 * Adds Σ_i w_i x_a,i x_b,i over rows [0, length) of the columns to the upper triangle of `sums`
 * (k × k, row-major). Two rows of the triangle at a time, four columns across: each pass reads
 * two weighted values and four column values for eight sums. `scratch` holds two arrays of at
 * least `length` values.
 */
export function addGram(
  columns: readonly Float64Array[],
  weights: Float64Array,
  length: number,
  sums: Float64Array,
  scratch: readonly [Float64Array, Float64Array],
): void {
  const k = columns.length;
  const [wa, wb] = scratch;
  let a = 0;
  for (; a + 1 < k; a += 2) {
    const xa = columns[a]!;
    const xb = columns[a + 1]!;
    let aa = 0;
    let ab = 0;
    let bb = 0;
    for (let i = 0; i < length; i++) {
      const u = weights[i]! * xa[i]!;
      const v = weights[i]! * xb[i]!;
      wa[i] = u;
      wb[i] = v;
      aa += u * xa[i]!;
      ab += u * xb[i]!;
      bb += v * xb[i]!;
    }
    const rowA = a * k;
    const rowB = rowA + k;
    sums[rowA + a]! += aa;
    sums[rowA + a + 1]! += ab;
    sums[rowB + a + 1]! += bb;
    let b = a + 2;
    for (; b + 3 < k; b += 4) {
      const x0 = columns[b]!;
      const x1 = columns[b + 1]!;
      const x2 = columns[b + 2]!;
      const x3 = columns[b + 3]!;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let i = 0; i < length; i++) {
        const u = wa[i]!;
        const v = wb[i]!;
        const y0 = x0[i]!;
        const y1 = x1[i]!;
        const y2 = x2[i]!;
        const y3 = x3[i]!;
        s0 += u * y0;
        s1 += u * y1;
        s2 += u * y2;
        s3 += u * y3;
        t0 += v * y0;
        t1 += v * y1;
        t2 += v * y2;
        t3 += v * y3;
      }
      sums[rowA + b]! += s0;
      sums[rowA + b + 1]! += s1;
      sums[rowA + b + 2]! += s2;
      sums[rowA + b + 3]! += s3;
      sums[rowB + b]! += t0;
      sums[rowB + b + 1]! += t1;
      sums[rowB + b + 2]! += t2;
      sums[rowB + b + 3]! += t3;
    }
    for (; b < k; b++) {
      const y = columns[b]!;
      let s = 0;
      let t = 0;
      for (let i = 0; i < length; i++) {
        s += wa[i]! * y[i]!;
        t += wb[i]! * y[i]!;
      }
      sums[rowA + b]! += s;
      sums[rowB + b]! += t;
    }
  }
  if (a < k) {
    const x = columns[a]!;
    let s = 0;
    for (let i = 0; i < length; i++) s += weights[i]! * x[i]! * x[i]!;
    sums[a * k + a]! += s;
  }
}

/** Adds Σ_i w_i x_j,i over rows [0, length) to `into[j]` for each column j. */
export function addWeightedSums(
  columns: readonly Float64Array[],
  weights: Float64Array,
  length: number,
  into: Float64Array,
): void {
  for (let j = 0; j < columns.length; j++) {
    const x = columns[j]!;
    let s = 0;
    for (let i = 0; i < length; i++) s += weights[i]! * x[i]!;
    into[j]! += s;
  }
}

/** The symmetric k × k matrix whose upper triangle addGram summed, each entry divided by `divisor`. */
export function gramMatrix(sums: Float64Array, k: number, divisor = 1): Matrix {
  const out = new Matrix(k, k);
  for (let a = 0; a < k; a++)
    for (let b = a; b < k; b++) {
      const value = sums[a * k + b]! / divisor;
      out.set(a, b, value);
      out.set(b, a, value);
    }
  return out;
}
