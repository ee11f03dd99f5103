import normal from '@stdlib/random-base-normal';
import randu from '@stdlib/random-base-randu';

/** A seeded source of the few distributions the generators need; one seed, one stream, same data every time. */
export interface Random {
  uniform(): number;
  normal(mean?: number, sd?: number): number;
  bernoulli(p: number): boolean;
  /** An integer in [lo, hi]. */
  integer(lo: number, hi: number): number;
  /** One item, chosen with the given relative weights (equal if omitted). */
  pick<T>(items: readonly T[], weights?: readonly number[]): T;
  poisson(mean: number): number;
}

export function seededRandom(seed: number): Random {
  // Mersenne Twister under both, so normals and uniforms come from one reproducible stream.
  const uniform = randu.factory({ seed });
  const gaussian = normal.factory({ prng: uniform });
  return {
    uniform: () => uniform(),
    normal: (mean = 0, sd = 1) => gaussian(mean, sd),
    bernoulli: (p) => uniform() < p,
    integer: (lo, hi) => lo + Math.floor(uniform() * (hi - lo + 1)),
    pick: (items, weights) => {
      const total = weights ? weights.reduce((a, b) => a + b, 0) : items.length;
      let u = uniform() * total;
      for (let i = 0; i < items.length; i++) {
        u -= weights ? weights[i]! : 1;
        if (u < 0) return items[i]!;
      }
      return items.at(-1)!;
    },
    poisson: (mean) => {
      // Knuth's method: fine for the small means the samples use.
      const limit = Math.exp(-mean);
      let k = 0;
      let p = uniform();
      while (p > limit) {
        k++;
        p *= uniform();
      }
      return k;
    },
  };
}

export const logistic = (x: number) => 1 / (1 + Math.exp(-x));

export const round = (value: number, digits: number) => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};
