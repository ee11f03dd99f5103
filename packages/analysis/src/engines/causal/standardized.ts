/**
 * The propensity model's design: an intercept and each covariate centred and scaled, which keeps
 * Newton's Hessian well conditioned. Its values are computed where they are read rather than
 * stored (a million rows of ten covariates would be 80 MB more, and first touches of fresh memory
 * are slow), and they are the same doubles wherever they are read: (x − mean) · (1 / sd), a
 * multiplication being several times cheaper than a division.
 */
export class Standardized {
  readonly rows: number;
  /** 1 / sd of each covariate. */
  readonly scales: readonly number[];

  constructor(
    readonly covariates: readonly Float64Array[],
    readonly means: readonly number[],
    readonly sds: readonly number[],
    rows = covariates[0]?.length ?? 0,
  ) {
    this.rows = rows;
    this.scales = sds.map((sd) => 1 / sd);
  }

  /** Rebuilds one sent to a worker thread (which receives its fields, not its class). */
  static from({ covariates, means, sds, rows }: Standardized): Standardized {
    return new Standardized(covariates, means, sds, rows);
  }

  /** Columns, the intercept first. */
  get width(): number {
    return this.covariates.length + 1;
  }

  /** Column j's values for rows [start, start + length), into `out`. */
  fill(j: number, start: number, length: number, out: Float64Array): void {
    if (j === 0) {
      out.fill(1, 0, length);
      return;
    }
    const x = this.covariates[j - 1]!;
    const mean = this.means[j - 1]!;
    const scale = this.scales[j - 1]!;
    for (let i = 0; i < length; i++) out[i] = (x[start + i]! - mean) * scale;
  }

  /** Every column stored (for small samples, and tests). */
  columns(): Float64Array[] {
    return Array.from({ length: this.width }, (_, j) => {
      const out = new Float64Array(this.rows);
      this.fill(j, 0, this.rows, out);
      return out;
    });
  }
}
