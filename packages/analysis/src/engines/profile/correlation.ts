/** Rows per block: every column's block of deviations stays in cache while all pairs read it. */
const blockRows = 2048;

/** Running sums of one pair over the rows where both columns have a value, taken relative to the column means. */
interface PairSums {
  n: number;
  sx: number;
  sy: number;
  sxx: number;
  syy: number;
  sxy: number;
}

const noSums = (): PairSums => ({ n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 });

/** One column's block of rows: deviations from the mean, 0 where a value is missing, and where those are. */
class Block {
  readonly deviations = new Float64Array(blockRows);
  readonly missing = new Uint8Array(blockRows);
  readonly gaps = new Int32Array(blockRows);
  gapCount = 0;
  /** Sums of the deviations and of their squares over the present values. */
  sum = 0;
  squares = 0;

  fill(column: Float64Array, mean: number, start: number, length: number): void {
    const { deviations, missing, gaps } = this;
    let sum = 0;
    let squares = 0;
    let gapCount = 0;
    for (let i = 0; i < length; i++) {
      const d = column[start + i]! - mean;
      if (Number.isNaN(d)) {
        deviations[i] = 0;
        missing[i] = 1;
        gaps[gapCount++] = i;
      } else {
        deviations[i] = d;
        missing[i] = 0;
        sum += d;
        squares += d * d;
      }
    }
    this.sum = sum;
    this.squares = squares;
    this.gapCount = gapCount;
  }
}

/**
 * Adds rows [0, length) of blocks `a` and `b` to their pair's sums, counting only rows where
 * both have a value. Missing values are zeros in the deviations, so the cross products need no
 * test; each column's sums lose what it has in the other's (few) gaps.
 */
function accumulate(pair: PairSums, a: Block, b: Block, length: number): void {
  const u = a.deviations;
  const v = b.deviations;
  // Four running sums, so each addition need not wait for the one before it.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    s0 += u[i]! * v[i]!;
    s1 += u[i + 1]! * v[i + 1]!;
    s2 += u[i + 2]! * v[i + 2]!;
    s3 += u[i + 3]! * v[i + 3]!;
  }
  for (; i < length; i++) s0 += u[i]! * v[i]!;
  const sxy = s0 + s1 + (s2 + s3);
  let { sum: sx, squares: sxx } = a;
  let { sum: sy, squares: syy } = b;
  // Rows missing in both are counted once: in b's gaps they are skipped when a is missing too.
  let n = length - a.gapCount;
  for (let g = 0; g < b.gapCount; g++) {
    const row = b.gaps[g]!;
    if (a.missing[row]) continue;
    n--;
    sx -= u[row]!;
    sxx -= u[row]! * u[row]!;
  }
  for (let g = 0; g < a.gapCount; g++) {
    const row = a.gaps[g]!;
    sy -= v[row]!;
    syy -= v[row]! * v[row]!;
  }
  pair.n += n;
  pair.sx += sx;
  pair.sy += sy;
  pair.sxx += sxx;
  pair.syy += syy;
  pair.sxy += sxy;
}

function coefficient({ n, sx, sy, sxx, syy, sxy }: PairSums): number | null {
  if (n < 2) return null;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  if (!(vx > 0 && vy > 0)) return null;
  const r = (sxy - (sx * sy) / n) / Math.sqrt(vx * vy);
  // Rounding can carry |r| a hair past 1 for perfectly related columns.
  return Math.max(-1, Math.min(1, r));
}

/**
 * Pearson's r of every pair of columns over the rows where both have a value (NaN marks a
 * missing one), as pandas' DataFrame.corr computes it, taking the rows a chunk at a time. Values
 * are taken relative to each column's mean, so the sums of each pair lose no digits; the pair's
 * own means are then corrected for exactly. Null where r is undefined: fewer than two shared
 * rows, or no spread (also on the diagonal). The columns are read a block of rows at a time, so
 * each value comes from memory once rather than once per pair; chunks whose lengths are
 * multiples of the block give exactly the sums of one pass over all rows.
 */
export class PairwiseCorrelation {
  private readonly blocks: Block[];
  // sums[a][b] for a ≤ b; a column with itself gives its diagonal entry.
  private readonly sums: PairSums[][];

  constructor(private readonly means: readonly number[]) {
    const k = means.length;
    this.blocks = Array.from({ length: k }, () => new Block());
    this.sums = Array.from({ length: k }, () => Array.from({ length: k }, noSums));
  }

  /** Adds the rows of a chunk: one array per column, all of the same length. */
  add(columns: readonly Float64Array[]): void {
    const { blocks, sums, means } = this;
    const k = means.length;
    const rows = k === 0 ? 0 : columns[0]!.length;
    for (let start = 0; start < rows; start += blockRows) {
      const length = Math.min(blockRows, rows - start);
      for (let a = 0; a < k; a++) blocks[a]!.fill(columns[a]!, means[a]!, start, length);
      for (let a = 0; a < k; a++)
        for (let b = a; b < k; b++) accumulate(sums[a]![b]!, blocks[a]!, blocks[b]!, length);
    }
  }

  matrix(): (number | null)[][] {
    const k = this.means.length;
    const matrix = Array.from({ length: k }, () => new Array<number | null>(k).fill(null));
    for (let a = 0; a < k; a++)
      for (let b = a; b < k; b++) {
        const r = coefficient(this.sums[a]![b]!);
        matrix[a]![b] = r;
        matrix[b]![a] = r;
      }
    return matrix;
  }
}

/** Rows a chunk of PairwiseCorrelation.add may hold and still sum as one pass does. */
export const correlationBlockRows = blockRows;

/** The pairwise correlations of columns held whole in memory. */
export function pairwiseCorrelation(
  columns: readonly Float64Array[],
  means: readonly number[],
): (number | null)[][] {
  const correlation = new PairwiseCorrelation(means);
  correlation.add(columns);
  return correlation.matrix();
}
