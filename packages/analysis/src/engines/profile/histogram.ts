import type { Histogram } from './types';

export const histogramBins = 20;

/** numpy.histogram's edges: linspace over [min, max], widened by 0.5 each side for a constant column. */
export function histogramEdges(min: number, max: number, bins = histogramBins): number[] {
  const [first, last] = min === max ? [min - 0.5, max + 0.5] : [min, max];
  const step = (last - first) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? last : i * step + first));
}

/**
 * numpy.histogram with equal-width bins over the values' range: bins are closed on the left,
 * the last also on the right, and a value exactly on an edge goes where numpy puts it.
 */
export function histogram(values: Float64Array, min: number, max: number, bins = histogramBins): Histogram {
  const edges = histogramEdges(min, max, bins);
  const first = edges[0]!;
  const norm = bins / (edges[bins]! - first);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    let bin = Math.min(Math.floor((x - first) * norm), bins - 1);
    // The scaled index can be one off at an edge; the edges themselves decide, as in numpy.
    if (x < edges[bin]!) bin--;
    else if (bin < bins - 1 && x >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return { edges, counts };
}
