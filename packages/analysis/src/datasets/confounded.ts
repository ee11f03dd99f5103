import type { Cell } from './csv-writer';
import { logistic, round, seededRandom } from './random';
import type { GeneratedTable } from './table';

export interface ConfoundedOptions {
  rows: number;
  /** Number of confounders x1, x2, …; each shifts both the chance of treatment and the outcome. */
  covariates?: number;
  /** The true effect of treatment on the outcome, the same for every unit (so ATE = ATT). */
  effect?: number;
  seed: number;
}

/**
 * A study whose answer is known: confounders drawn from N(0, 1), treatment from a logistic
 * model in them, the outcome linear in them plus `effect` × treatment plus N(0, 1) noise. Every
 * model the estimators fit is correctly specified here, so each must recover `effect`.
 */
export function confounded({ rows, covariates = 3, effect = 2, seed }: ConfoundedOptions): GeneratedTable {
  const names = Array.from({ length: covariates }, (_, j) => `x${j + 1}`);
  // Alternating signs with shrinking size keep the propensities well inside (0, 1).
  const selection = names.map(
    (_, j) => ((j % 2 === 0 ? 0.8 : -0.6) / Math.sqrt(covariates)) * (1 - j / (2 * covariates)),
  );
  const outcome = names.map((_, j) => 1 + (j % 3) * 0.5);
  function* generate(): Generator<Cell[]> {
    const random = seededRandom(seed);
    const x = new Array<number>(covariates);
    for (let i = 0; i < rows; i++) {
      let index = 0;
      let mean = 1;
      for (let j = 0; j < covariates; j++) {
        x[j] = random.normal();
        index += selection[j]! * x[j]!;
        mean += outcome[j]! * x[j]!;
      }
      const treat = random.bernoulli(logistic(index)) ? 1 : 0;
      const y = mean + effect * treat + random.normal();
      yield [treat, round(y, 6), ...x.map((v) => round(v, 6))];
    }
  }
  return {
    columns: ['treat', 'outcome', ...names],
    rows: { [Symbol.iterator]: generate },
    truth: { ate: effect, att: effect },
  };
}
