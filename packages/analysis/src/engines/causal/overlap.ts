import { histogram } from '../profile/histogram';
import { quantiles } from '../profile/quantiles';

export interface GroupPropensity {
  min: number;
  q05: number;
  median: number;
  q95: number;
  max: number;
}

export interface Overlap {
  treated: GroupPropensity;
  control: GroupPropensity;
  /** Where both groups have propensities: [max of the minimums, min of the maximums]. */
  commonSupport: [number, number];
  /** Units whose propensity lies outside the common support. */
  outsideSupport: number;
  /** Units with a propensity below 0.05 or above 0.95, where weights explode. */
  extreme: number;
  /** Propensity histograms of both groups on shared edges over [0, 1]. */
  histogram: { edges: number[]; treated: number[]; control: number[] };
}

const extremeBound = 0.05;

function summarize(values: Float64Array): GroupPropensity {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const [q05, median, q95] = quantiles(Float64Array.from(values), [0.05, 0.5, 0.95]);
  return { min, q05: q05!, median: median!, q95: q95!, max };
}

/** How far the treated and control propensity distributions share ground. */
export function propensityOverlap(t: Float64Array, e: Float64Array): Overlap {
  const treatedScores = e.filter((_, i) => t[i] === 1);
  const controlScores = e.filter((_, i) => t[i] === 0);
  const treated = summarize(treatedScores);
  const control = summarize(controlScores);
  const commonSupport: [number, number] = [
    Math.max(treated.min, control.min),
    Math.min(treated.max, control.max),
  ];
  let outsideSupport = 0;
  let extreme = 0;
  for (const p of e) {
    if (p < commonSupport[0] || p > commonSupport[1]) outsideSupport++;
    if (p < extremeBound || p > 1 - extremeBound) extreme++;
  }
  const shared = (values: Float64Array) => histogram(values, 0, 1);
  return {
    treated,
    control,
    commonSupport,
    outsideSupport,
    extreme,
    histogram: {
      edges: shared(treatedScores).edges,
      treated: shared(treatedScores).counts,
      control: shared(controlScores).counts,
    },
  };
}
