import type { GroupPropensity, Overlap } from '@cascade/core/contract';
import { histogram } from '../profile/histogram';
import { quantiles } from '../profile/quantiles';

export type { GroupPropensity, Overlap } from '@cascade/core/contract';

const extremeBound = 0.05;

/** The propensities of one group, copied out (selection reorders them). */
function groupScores(t: Float64Array, e: Float64Array, group: number): Float64Array {
  let count = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === group) count++;
  const out = new Float64Array(count);
  for (let i = 0, j = 0; i < t.length; i++) if (t[i] === group) out[j++] = e[i]!;
  return out;
}

function summarize(scores: Float64Array): GroupPropensity {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i]! < min) min = scores[i]!;
    if (scores[i]! > max) max = scores[i]!;
  }
  const [q05, median, q95] = quantiles(scores, [0.05, 0.5, 0.95]);
  return { min, q05: q05!, median: median!, q95: q95!, max };
}

/** How far the treated and control propensity distributions share ground. */
export function propensityOverlap(t: Float64Array, e: Float64Array): Overlap {
  const treatedScores = groupScores(t, e, 1);
  const controlScores = groupScores(t, e, 0);
  // Histograms first: the summaries' quantile selection reorders the scores.
  const treatedHistogram = histogram(treatedScores, 0, 1);
  const controlHistogram = histogram(controlScores, 0, 1);
  const treated = summarize(treatedScores);
  const control = summarize(controlScores);
  const commonSupport: [number, number] = [
    Math.max(treated.min, control.min),
    Math.min(treated.max, control.max),
  ];
  let outsideSupport = 0;
  let extreme = 0;
  for (let i = 0; i < e.length; i++) {
    const p = e[i]!;
    if (p < commonSupport[0] || p > commonSupport[1]) outsideSupport++;
    if (p < extremeBound || p > 1 - extremeBound) extreme++;
  }
  return {
    treated,
    control,
    commonSupport,
    outsideSupport,
    extreme,
    histogram: {
      edges: treatedHistogram.edges,
      treated: treatedHistogram.counts,
      control: controlHistogram.counts,
    },
  };
}
