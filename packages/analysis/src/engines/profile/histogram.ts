import type { Histogram } from './types';

export const histogramBins = 20;

/** numpy.histogram's edges: linspace over [min, max], widened by 0.5 each side for a constant column. */
export function histogramEdges(min: number, max: number, bins = histogramBins): number[] {
  const [first, last] = min === max ? [min - 0.5, max + 0.5] : [min, max];
  const step = (last - first) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? last : i * step + first));
}

/**
 * numpy.histogram with equal-width bins over [min, max]: bins are closed on the left, the last
 * also on the right, and a value exactly on an edge goes where numpy puts it. `add` counts
 * values into `counts`, so passes over the rows a chunk at a time bin as one call would.
 */
export class Binning {
  readonly edges: number[];
  private readonly first: number;
  private readonly norm: number;

  constructor(
    min: number,
    max: number,
    readonly bins = histogramBins,
  ) {
    this.edges = histogramEdges(min, max, bins);
    this.first = this.edges[0]!;
    this.norm = bins / (this.edges[bins]! - this.first);
  }

  add(values: Float64Array, length: number, counts: Float64Array | number[], at = 0): void {
    const { edges, first, norm, bins } = this;
    for (let i = 0; i < length; i++) {
      const x = values[i]!;
      let bin = Math.min(Math.floor((x - first) * norm), bins - 1);
      // The scaled index can be one off at an edge; the edges themselves decide, as in numpy.
      if (x < edges[bin]!) bin--;
      else if (bin < bins - 1 && x >= edges[bin + 1]!) bin++;
      counts[at + bin]!++;
    }
  }
}

/** numpy.histogram of the values over [min, max] (see Binning). */
export function histogram(values: Float64Array, min: number, max: number, bins = histogramBins): Histogram {
  const binning = new Binning(min, max, bins);
  const counts = new Array<number>(bins).fill(0);
  binning.add(values, values.length, counts);
  return { edges: binning.edges, counts };
}
