import { Matrix } from 'ml-matrix';

/**
 * Least squares by Householder QR on column arrays.
 *
 * ml-matrix stores rows as arrays, and its QR of a million-row design takes seconds and
 * gigabytes, so the tall n × k factorization is done here on Float64Array columns, and
 * ml-matrix handles only the k × k algebra. Normal equations are avoided: they square the
 * condition number and lose half the digits on data like NIST's Longley.
 */

export interface QrFit {
  coefficients: number[];
  /** y minus the fitted values, from the original columns. */
  residuals: Float64Array;
  /** The upper-triangular R of X = QR, k × k. */
  r: Matrix;
  /** (X'X)^-1 = R^-1 R^-T. */
  xtxInverse: Matrix;
}

export class CollinearityError extends Error {
  constructor(readonly column: number) {
    super(`Column ${column} of the design is a linear combination of the columns before it`);
  }
}

/** A column is collinear when QR leaves less than this share of its norm outside the span of the others. */
export const collinearityTolerance = 1e-10;

function norm(values: Float64Array, from: number): number {
  let sum = 0;
  for (let i = from; i < values.length; i++) sum += values[i]! * values[i]!;
  if (Number.isFinite(sum) && sum > 1e-280) return Math.sqrt(sum);
  // Squares overflowed or underflowed: rescale by the largest value and try again.
  let scale = 0;
  for (let i = from; i < values.length; i++) scale = Math.max(scale, Math.abs(values[i]!));
  if (scale === 0) return 0;
  sum = 0;
  for (let i = from; i < values.length; i++) sum += (values[i]! / scale) ** 2;
  return scale * Math.sqrt(sum);
}

/** Applies the reflection I - 2vv'/v'v (v nonzero from row j on) to `target` in place. */
function reflect(v: Float64Array, target: Float64Array, j: number, vtv: number): void {
  const n = v.length;
  let dot = 0;
  for (let i = j; i < n; i++) dot += v[i]! * target[i]!;
  const s = (2 * dot) / vtv;
  for (let i = j; i < n; i++) target[i] = target[i]! - s * v[i]!;
}

/** Fits y ~ X by least squares, where X is given as its columns (include a column of ones for an intercept). */
export function leastSquares(columns: readonly Float64Array[], y: Float64Array): QrFit {
  const k = columns.length;
  const n = y.length;
  if (n < k) throw new RangeError(`Least squares needs at least ${k} rows, got ${n}`);
  const a = columns.map((column) => Float64Array.from(column));
  const qty = Float64Array.from(y);
  const r = Matrix.zeros(k, k);
  const originalNorms = columns.map((column) => norm(column, 0));

  for (let j = 0; j < k; j++) {
    const v = a[j]!;
    const length = norm(v, j);
    if (length <= collinearityTolerance * originalNorms[j]! || length === 0) throw new CollinearityError(j);
    // Reflect v[j:] onto -sign(v_j)·|v|·e_j; the sign choice avoids cancellation.
    const vj = v[j]!;
    const alpha = vj > 0 ? -length : length;
    v[j] = vj - alpha;
    const vtv = 2 * length * (length + Math.abs(vj));
    for (let l = j + 1; l < k; l++) {
      reflect(v, a[l]!, j, vtv);
      r.set(j, l, a[l]![j]!);
    }
    reflect(v, qty, j, vtv);
    r.set(j, j, alpha);
  }

  // Back substitution R·b = (Q'y)[0:k].
  const coefficients = new Array<number>(k).fill(0);
  for (let j = k - 1; j >= 0; j--) {
    let s = qty[j]!;
    for (let l = j + 1; l < k; l++) s -= r.get(j, l) * coefficients[l]!;
    coefficients[j] = s / r.get(j, j);
  }

  const residuals = Float64Array.from(y);
  columns.forEach((column, j) => {
    const b = coefficients[j]!;
    for (let i = 0; i < n; i++) residuals[i] = residuals[i]! - b * column[i]!;
  });

  const rInverse = upperTriangularInverse(r);
  return { coefficients, residuals, r, xtxInverse: rInverse.mmul(rInverse.transpose()) };
}

export function upperTriangularInverse(r: Matrix): Matrix {
  const k = r.rows;
  const inverse = Matrix.zeros(k, k);
  for (let j = 0; j < k; j++) {
    inverse.set(j, j, 1 / r.get(j, j));
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let l = i + 1; l <= j; l++) s += r.get(i, l) * inverse.get(l, j);
      inverse.set(i, j, -s / r.get(i, i));
    }
  }
  return inverse;
}

/** What a BlockedQr holds: R's columns ((k + 1) × (k + 1), y's last) and the design columns' sums of squares. */
export interface QrState {
  r: Float64Array[];
  squares: Float64Array;
}

/**
 * Least squares of y on columns, a block of rows at a time: R of [X y] is kept, and each block's
 * rows are stacked under it and reflected away by Householder, so R and Q'y come out as from one
 * QR of all rows (tall-skinny QR), as stable, without a copy of the columns: memory holds R and
 * one block.
 */
export class BlockedQr {
  /** R's columns (upper triangle), p × p for p = k + 1 (the last column is y's). */
  private readonly r: Float64Array[];
  private readonly squares: Float64Array;
  private stacked: Float64Array[] = [];

  constructor(private readonly k: number) {
    this.r = Array.from({ length: k + 1 }, () => new Float64Array(k + 1));
    this.squares = new Float64Array(k);
  }

  /** R's columns and the columns' sums of squares: all it holds of the rows so far. */
  state(): QrState {
    return { r: this.r.map((column) => Float64Array.from(column)), squares: Float64Array.from(this.squares) };
  }

  /** One that has seen the rows another had (`state`); R's rows then stand for them in `add`. */
  static from({ r, squares }: QrState): BlockedQr {
    const qr = new BlockedQr(squares.length);
    for (const [j, column] of r.entries()) qr.r[j]!.set(column);
    qr.squares.set(squares);
    return qr;
  }

  /** Adds rows: `columns` are the design's k columns and then y, each of the same length. */
  add(columns: readonly Float64Array[]): void {
    const p = this.k + 1;
    const rows = columns[0]!.length;
    const m = p + rows;
    if ((this.stacked[0]?.length ?? 0) < m) this.stacked = columns.map(() => new Float64Array(m));
    for (let j = 0; j < this.k; j++) {
      const column = columns[j]!;
      let s = 0;
      for (let i = 0; i < rows; i++) s += column[i]! * column[i]!;
      this.squares[j]! += s;
    }
    const stacked = this.stacked.map((buffer, j) => {
      const out = buffer.subarray(0, m);
      out.set(this.r[j]!);
      out.set(columns[j]!, p);
      return out;
    });
    for (let j = 0; j < p; j++) {
      const v = stacked[j]!;
      let norm = 0;
      for (let i = j; i < m; i++) norm += v[i]! * v[i]!;
      norm = Math.sqrt(norm);
      if (norm === 0) continue;
      const vj = v[j]!;
      const alpha = vj > 0 ? -norm : norm;
      v[j] = vj - alpha;
      const vtv = 2 * norm * (norm + Math.abs(vj));
      for (let l = j + 1; l < p; l++) reflect(v, stacked[l]!, j, vtv);
      v.fill(0, j + 1);
      v[j] = alpha;
    }
    for (let j = 0; j < p; j++) this.r[j]!.set(stacked[j]!.subarray(0, p));
  }

  /** Coefficients and (X'X)⁻¹; a column nearly in the span of those before it is a CollinearityError. */
  solve(): { coefficients: number[]; xtxInverse: Matrix } {
    const { k } = this;
    const r = Matrix.zeros(k, k);
    for (let j = 0; j < k; j++) {
      const diagonal = Math.abs(this.r[j]![j]!);
      if (diagonal === 0 || diagonal <= collinearityTolerance * Math.sqrt(this.squares[j]!))
        throw new CollinearityError(j);
      for (let i = 0; i <= j; i++) r.set(i, j, this.r[j]![i]!);
    }
    const qty = this.r[k]!;
    const coefficients = new Array<number>(k).fill(0);
    for (let j = k - 1; j >= 0; j--) {
      let s = qty[j]!;
      for (let l = j + 1; l < k; l++) s -= r.get(j, l) * coefficients[l]!;
      coefficients[j] = s / r.get(j, j);
    }
    const inverse = upperTriangularInverse(r);
    return { coefficients, xtxInverse: inverse.mmul(inverse.transpose()) };
  }
}
