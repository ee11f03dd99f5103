// Cascade's analysis engines against the tools a data scientist would otherwise use, on the same
// seeded 1M-row files, in the same run: profile vs pandas, OLS + IPW vs statsmodels. Each side
// runs in its own process (so peak memory is its own) several times, alternating; medians are
// reported. Numbers must agree, or the bench fails. BENCH_RUNS sets the repetitions (default 3).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EffectResult } from '../packages/analysis/src/engines/causal/types';
import type { ProfileResult } from '../packages/analysis/src/engines/profile/types';
import { effectData, profileData } from './analysis/data';

const python = '/usr/bin/python3';
const runs = Number(process.env.BENCH_RUNS ?? 3);
const here = (name: string) => fileURLToPath(new URL(`./analysis/${name}`, import.meta.url));

interface Run<T> {
  seconds: number;
  /** User and system CPU time of all the process's threads: less sensitive to other load on the machine. */
  cpuSeconds: number;
  peakMb: number;
  result: T;
}

function measure<T>(command: string, args: string[]): Run<T> {
  const stdout = execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Run<T>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function summary<T>(runs: Run<T>[]): Run<T> {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    peakMb: median(runs.map((r) => r.peakMb)),
    result: runs[0]!.result,
  };
}

/** Runs both sides `runs` times, alternating so background load hits both alike. */
function compare<A, B>(ours: [string, string[]], theirs: [string, string[]]) {
  const a: Run<A>[] = [];
  const b: Run<B>[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(measure<A>(...ours));
    b.push(measure<B>(...theirs));
  }
  return { ours: summary(a), theirs: summary(b) };
}

const problems: string[] = [];
function agree(
  what: string,
  ours: number | null | undefined,
  theirs: number | null | undefined,
  tolerance: number,
) {
  const ok =
    ours === theirs ||
    (typeof ours === 'number' &&
      typeof theirs === 'number' &&
      Math.abs(ours - theirs) <= tolerance * Math.max(1, Math.abs(theirs)));
  if (!ok) problems.push(`${what}: cascade ${ours}, reference ${theirs}`);
}

interface PandasColumn {
  name: string;
  missing: number;
  unique: number;
  count?: number;
  mean?: number;
  std?: number;
  min?: number;
  q25?: number;
  q50?: number;
  q75?: number;
  max?: number;
  histogram?: number[];
  top?: [string, number][];
}

function checkProfile(
  ours: ProfileResult,
  theirs: { rows: number; columns: PandasColumn[]; correlation: number[][] },
) {
  agree('rows', ours.rows, theirs.rows, 0);
  for (const reference of theirs.columns) {
    const column = ours.columns.find((c) => c.name === reference.name)!;
    agree(`${reference.name}.missing`, column.missing, reference.missing, 0);
    agree(`${reference.name}.unique`, column.unique, reference.unique, 0);
    if (reference.histogram) {
      for (const field of ['count', 'mean', 'std', 'min', 'q25', 'q50', 'q75', 'max'] as const)
        agree(`${reference.name}.${field}`, column[field] as number, reference[field], 1e-9);
      if (JSON.stringify(column.histogram?.counts) !== JSON.stringify(reference.histogram))
        problems.push(`${reference.name}.histogram differs`);
    } else {
      const counts = new Map(column.top?.map((t) => [String(t.value), t.count]));
      for (const [value, count] of reference.top!)
        if (counts.has(value)) agree(`${reference.name}.top[${value}]`, counts.get(value), count, 0);
      agree(`${reference.name}.top counts`, column.top?.[0]?.count, reference.top![0]![1], 0);
    }
  }
  for (const [i, row] of ours.correlation.matrix.entries())
    for (const [j, r] of row.entries()) agree(`corr[${i}][${j}]`, r, theirs.correlation[i]![j], 1e-9);
}

interface StatsmodelsEffect {
  ols: { estimate: number; se: number; seHc1: number };
  ipw_hajek: number;
  ipw_horvitz_thompson: number;
  ipw_att: number;
}

function checkEffect(ours: EffectResult, theirs: StatsmodelsEffect) {
  const estimate = (method: string) => ours.estimates.find((e) => e.method === method)!;
  const ols = estimate('regression_adjustment');
  agree('OLS estimate', ols.estimate, theirs.ols.estimate, 1e-9);
  agree('OLS classical se', ols.se, theirs.ols.se, 1e-9);
  agree('OLS HC1 se', ols.seHc1, theirs.ols.seHc1, 1e-9);
  // The propensity models converge independently, so the weighted estimates agree to the fit's tolerance.
  agree('IPW Hájek estimate', estimate('ipw_hajek').estimate, theirs.ipw_hajek, 1e-7);
  agree(
    'IPW Horvitz–Thompson estimate',
    estimate('ipw_horvitz_thompson').estimate,
    theirs.ipw_horvitz_thompson,
    1e-7,
  );
  agree('IPW ATT estimate', estimate('ipw_att').estimate, theirs.ipw_att, 1e-7);
}

function report(label: string, target: number, ours: Run<unknown>, theirs: Run<unknown>, reference: string) {
  const time = ours.seconds / theirs.seconds;
  const cpu = ours.cpuSeconds / theirs.cpuSeconds;
  const memory = ours.peakMb / theirs.peakMb;
  console.log(
    `${label}\n` +
      `  cascade     ${ours.seconds.toFixed(2)} s wall, ${ours.cpuSeconds.toFixed(2)} s CPU, ${ours.peakMb.toFixed(0)} MB peak\n` +
      `  ${reference.padEnd(11)} ${theirs.seconds.toFixed(2)} s wall, ${theirs.cpuSeconds.toFixed(2)} s CPU, ${theirs.peakMb.toFixed(0)} MB peak\n` +
      `  ratio       time ${time.toFixed(2)}× (target ≤ ${target.toFixed(1)}×: ${time <= target ? 'met' : 'missed'}), CPU ${cpu.toFixed(2)}×, memory ${memory.toFixed(2)}×`,
  );
}

console.log(`Generating seeded data (cached in the temp directory)…`);
const [profilePath, effectPath] = [await profileData(), await effectData()];
console.log(
  `Median of ${runs} runs each; times exclude process start-up and imports. Wall time counts when the machine is otherwise idle; CPU time shows the work done.\n`,
);

const profile = compare<ProfileResult, Parameters<typeof checkProfile>[1]>(
  [process.execPath, ['--import', 'tsx', here('profile-worker.ts'), profilePath]],
  [python, [here('profile.py'), profilePath]],
);
checkProfile(profile.ours.result, profile.theirs.result);
report('profile, 1M rows × 12 columns', 0.7, profile.ours, profile.theirs, 'pandas');

const effect = compare<EffectResult, StatsmodelsEffect>(
  [process.execPath, ['--import', 'tsx', here('effect-worker.ts'), effectPath]],
  [python, [here('effect.py'), effectPath]],
);
checkEffect(effect.ours.result, effect.theirs.result);
report('OLS + IPW, 1M rows × 12 columns', 1.0, effect.ours, effect.theirs, 'statsmodels');

if (problems.length > 0) {
  console.log(`\nThe numbers disagree:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('\nAll numbers agree with the reference tools.');
