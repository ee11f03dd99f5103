import type { Cell } from './csv-writer';
import { logistic, round, seededRandom } from './random';
import type { GeneratedTable } from './table';

export const lalondeColumns = [
  'treat',
  'age',
  'educ',
  'black',
  'hispan',
  'married',
  'nodegree',
  're74',
  're75',
  're78',
];

const clamp = (value: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, value));

/**
 * A synthetic study shaped like LaLonde's (1986) job-training data as used by Dehejia and
 * Wahba: young men, mostly Black, with low and often zero earnings, whose participation in
 * the programme depends on who they are. It is not the real data. Because the generator draws
 * both potential earnings in 1978, untreated and treated, it knows the true effect: `truth.att`
 * and `truth.ate` are the sample averages of the difference, for the treated and for everyone.
 */
export function lalonde(seed = 1986, rows = 614): GeneratedTable {
  const random = seededRandom(seed);
  const out: Cell[][] = [];
  let treatedGain = 0;
  let treated = 0;
  let gain = 0;
  for (let i = 0; i < rows; i++) {
    const age = clamp(Math.round(random.normal(27, 8.5)), 16, 55);
    const educ = clamp(Math.round(random.normal(10.3, 2.3)), 3, 18);
    const race = random.uniform();
    const black = race < 0.42 ? 1 : 0;
    const hispan = !black && race < 0.54 ? 1 : 0;
    const married = random.bernoulli(logistic(-1.2 + 0.08 * (age - 22))) ? 1 : 0;
    const nodegree = educ < 12 ? 1 : 0;
    const worked74 = random.bernoulli(
      logistic(0.3 + 0.05 * (age - 27) + 0.15 * (educ - 10) + 0.8 * married - 0.5 * black),
    );
    const re74 = worked74 ? Math.exp(random.normal(8.6 + 0.05 * (educ - 10) + 0.3 * married, 0.8)) : 0;
    const worked75 = random.bernoulli(worked74 ? 0.8 : 0.3);
    const re75 = worked75
      ? re74 > 0
        ? re74 * Math.exp(random.normal(-0.15, 0.4))
        : Math.exp(random.normal(7.9, 0.8))
      : 0;
    const treat = random.bernoulli(
      logistic(
        -1.3 +
          2.2 * black +
          0.5 * hispan -
          1.1 * married -
          0.06 * (age - 27) +
          0.5 * nodegree -
          0.00011 * re74 -
          0.00009 * re75,
      ),
    )
      ? 1
      : 0;
    // Earnings in 1978 without the programme; the programme adds $1,800 to the latent level.
    const latent =
      2600 +
      0.32 * re74 +
      0.4 * re75 +
      180 * (educ - 10) -
      40 * (age - 27) -
      1000 * black +
      700 * married +
      random.normal(0, 5200);
    const y0 = round(Math.max(0, latent), 2);
    const y1 = round(Math.max(0, latent + 1800), 2);
    gain += y1 - y0;
    if (treat) {
      treated++;
      treatedGain += y1 - y0;
    }
    out.push([
      treat,
      age,
      educ,
      black,
      hispan,
      married,
      nodegree,
      round(re74, 2),
      round(re75, 2),
      treat ? y1 : y0,
    ]);
  }
  return {
    columns: lalondeColumns,
    rows: out,
    truth: { att: round(treatedGain / treated, 2), ate: round(gain / rows, 2) },
  };
}
