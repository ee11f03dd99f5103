/**
 * The analysis task's result documents (the JSON contract of `cascade-analysis --json`), and
 * the compact observations the model reads instead of them.
 */
export interface ProfileColumn {
  name: string;
  type: string;
  count: number;
  missing: number;
  unique: number;
  mean?: number;
  std?: number;
  min?: number | string;
  q25?: number;
  q50?: number;
  q75?: number;
  max?: number | string;
  top?: { value: unknown; count: number }[];
}

export interface ProfileResult {
  rows: number;
  columns: ProfileColumn[];
  correlation?: { columns: string[]; matrix: (number | null)[][] };
}

export interface EffectEstimate {
  method: string;
  estimand: string;
  estimate: number;
  se: number;
  ci: [number, number];
}

export interface EffectResult {
  n: number;
  treated: number;
  control: number;
  estimates: EffectEstimate[];
  balance?: { covariate: string; smdBefore: number; smdAfter: number }[];
  warnings?: string[];
}

/** Six significant digits: enough for any answer, short enough for a prompt. */
export function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}

const roundAll = (value: unknown): unknown => (typeof value === 'number' ? round(value) : value);

export function profileObservation(result: ProfileResult): Record<string, unknown> {
  const pairs: { a: string; b: string; r: number }[] = [];
  const corr = result.correlation;
  if (corr) {
    corr.columns.forEach((a, i) => {
      corr.columns.forEach((b, j) => {
        const r = corr.matrix[i]?.[j];
        if (j > i && typeof r === 'number') pairs.push({ a, b, r: round(r) });
      });
    });
  }
  return {
    rows: result.rows,
    columns: result.columns.map((c) => {
      const entry: Record<string, unknown> = {
        name: c.name,
        type: c.type,
        missing: c.missing,
        unique: c.unique,
      };
      for (const key of ['mean', 'std', 'min', 'q50', 'max'] as const) {
        if (c[key] !== undefined) entry[key] = roundAll(c[key]);
      }
      if (c.top?.length) entry.top = c.top.slice(0, 3);
      return entry;
    }),
    strongestCorrelations: pairs.sort((x, y) => Math.abs(y.r) - Math.abs(x.r)).slice(0, 5),
  };
}

export function effectObservation(result: EffectResult): Record<string, unknown> {
  return {
    n: result.n,
    treated: result.treated,
    control: result.control,
    estimates: result.estimates.map((e) => ({
      method: e.method,
      estimand: e.estimand,
      estimate: round(e.estimate),
      se: round(e.se),
      ci: e.ci.map(round),
    })),
    worstBalanceAfterAdjustment: [...(result.balance ?? [])]
      .sort((a, b) => Math.abs(b.smdAfter) - Math.abs(a.smdAfter))
      .slice(0, 5)
      .map((b) => ({ covariate: b.covariate, smdBefore: round(b.smdBefore), smdAfter: round(b.smdAfter) })),
    warnings: result.warnings ?? [],
  };
}
