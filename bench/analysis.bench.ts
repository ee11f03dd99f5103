// Cascade's analysis engines against the tools a data scientist would otherwise use, on the same
// seeded files, in the same run: the profile against polars and pandas, OLS + IPW against
// statsmodels, the profile of the same data from Parquet, and then the scale: a 20M-row file
// profiled, an effect estimated and a GROUP BY run under the memory limit a 2 GB task passes
// (ANALYSIS_MEMORY_LIMIT), with their peak memory. The engine runs as the task image runs it
// (bench/analysis/engine.ts). Each side runs in its own process (so peak memory is its own)
// several times, alternating; medians are reported. Numbers must agree, or the bench fails.
// BENCH_RUNS sets the repetitions (default 3); BENCH_SCALE_ROWS the scale test's rows (default
// 20,000,000; 0 leaves it out).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EffectResult, ProfileResult } from '@cascade/analysis';
import type { QueryResult } from '@cascade/core/contract';
import { directory, effectData, parquetOf, profileData } from './analysis/data';
import { buildEngine } from './analysis/engine';

const python = '/usr/bin/python3';
const polars = join(directory, 'polars-venv', 'bin', 'python');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const scaleRows = Number(process.env.BENCH_SCALE_ROWS ?? 20_000_000);
/** What RunAnalysis passes a 2 GB task: 60 % of its memory (taskOverridesFor in @cascade/core). */
const taskMemoryLimit = '1228MB';
const taskMemoryMb = 2048;
/** That limit in the unit peak memory is measured in (maxRSS / 1024: MiB). */
const engineLimitMb = 1228e6 / 2 ** 20;
const here = (name: string) => fileURLToPath(new URL(`./analysis/${name}`, import.meta.url));

interface Run<T> {
  seconds: number;
  /** User and system CPU time of all the process's threads: less sensitive to other load on the machine. */
  cpuSeconds: number;
  peakMb: number;
  result: T;
}

type Command = [string, string[], NodeJS.ProcessEnv?];

function measure<T>([command, args, env]: Command): Run<T> {
  const stdout = execFileSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
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

/** Runs every side `runs` times, alternating so background load hits all alike; medians of each. */
function compare(sides: Command[]): Run<unknown>[] {
  const all: Run<unknown>[][] = sides.map(() => []);
  for (let i = 0; i < runs; i++) for (const [s, side] of sides.entries()) all[s]!.push(measure(side));
  return all.map(summary);
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

interface ReferenceColumn {
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

type ReferenceProfile = { rows: number; columns: ReferenceColumn[]; correlation: number[][] };

function checkProfile(label: string, ours: ProfileResult, theirs: ReferenceProfile) {
  agree(`${label} rows`, ours.rows, theirs.rows, 0);
  for (const reference of theirs.columns) {
    const column = ours.columns.find((c) => c.name === reference.name)!;
    agree(`${label} ${reference.name}.missing`, column.missing, reference.missing, 0);
    agree(`${label} ${reference.name}.unique`, column.unique, reference.unique, 0);
    if (reference.histogram) {
      for (const field of ['count', 'mean', 'std', 'min', 'q25', 'q50', 'q75', 'max'] as const)
        agree(`${label} ${reference.name}.${field}`, column[field] as number, reference[field], 1e-9);
      if (JSON.stringify(column.histogram?.counts) !== JSON.stringify(reference.histogram))
        problems.push(`${label} ${reference.name}.histogram differs`);
    } else {
      const counts = new Map(column.top?.map((t) => [String(t.value), t.count]));
      for (const [value, count] of reference.top!)
        if (counts.has(value)) agree(`${label} ${reference.name}.top[${value}]`, counts.get(value), count, 0);
      agree(`${label} ${reference.name}.top counts`, column.top?.[0]?.count, reference.top![0]![1], 0);
    }
  }
  for (const [i, row] of ours.correlation.matrix.entries())
    for (const [j, r] of row.entries())
      agree(`${label} corr[${i}][${j}]`, r, theirs.correlation[i]![j], 1e-9);
}

/** The same profile, read from another file of the same data: equal to the last bits of a double. */
function checkSameProfile(label: string, ours: ProfileResult, theirs: ProfileResult) {
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (typeof a === 'number' && typeof b === 'number') agree(`${label} ${path}`, a, b, 1e-12);
    else if (Array.isArray(a) && Array.isArray(b)) {
      for (const [i, item] of a.entries()) walk(item, b[i], `${path}[${i}]`);
    } else if (a && b && typeof a === 'object' && typeof b === 'object')
      for (const key of Object.keys(b))
        walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
    else if (a !== b) problems.push(`${label} ${path}: ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
  };
  walk({ ...ours, source: undefined }, { ...theirs, source: undefined }, 'profile');
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

const line = (name: string, run: Run<unknown>) =>
  `  ${name.padEnd(12)}${run.seconds.toFixed(2)} s wall, ${run.cpuSeconds.toFixed(2)} s CPU, ${run.peakMb.toFixed(0)} MB peak`;
const verdict = (ratio: number, target: number) =>
  `${ratio.toFixed(2)}× (target ≤ ${target.toFixed(1)}×: ${ratio <= target ? 'met' : 'missed'})`;

console.log('Generating seeded data (cached in the temp directory) and building the engine…');
const [profilePath, effectPath] = [await profileData(), await effectData()];
const profileParquet = await parquetOf(profilePath);
const engine = buildEngine(['profile-worker.ts', 'effect-worker.ts', 'query-worker.ts']);
const ours = (entry: string, args: string[], env?: NodeJS.ProcessEnv): Command => [
  process.execPath,
  [engine[entry]!, ...args],
  env,
];
console.log(
  `Median of ${runs} runs each; times exclude process start-up and imports. Wall time counts when the machine is otherwise idle; CPU time shows the work done.\n`,
);

const [profile, withPolars, withPandas] = compare([
  ours('profile-worker.ts', [profilePath]),
  [polars, [here('profile_polars.py'), profilePath]],
  [python, [here('profile.py'), profilePath]],
]) as [Run<ProfileResult>, Run<ReferenceProfile>, Run<ReferenceProfile>];
checkProfile('pandas', profile.result, withPandas.result);
checkProfile('polars', profile.result, withPolars.result);
console.log(
  `profile, 1M rows × 12 columns\n${line('cascade', profile)}\n${line('polars', withPolars)}\n${line('pandas', withPandas)}\n` +
    `  vs polars   time ${verdict(profile.seconds / withPolars.seconds, 1)}, CPU ${(profile.cpuSeconds / withPolars.cpuSeconds).toFixed(2)}×, memory ${(profile.peakMb / withPolars.peakMb).toFixed(2)}×\n` +
    `  vs pandas   time ${(profile.seconds / withPandas.seconds).toFixed(2)}×, CPU ${(profile.cpuSeconds / withPandas.cpuSeconds).toFixed(2)}×, memory ${verdict(profile.peakMb / withPandas.peakMb, 1)}`,
);

const [fromParquet] = compare([ours('profile-worker.ts', [profileParquet])]) as [Run<ProfileResult>];
checkSameProfile('parquet', fromParquet.result, profile.result);
console.log(
  `\nprofile of the same data from Parquet (every number as from the CSV)\n${line('cascade', fromParquet)}`,
);

const [effect, statsmodels] = compare([
  ours('effect-worker.ts', [effectPath]),
  [python, [here('effect.py'), effectPath]],
]) as [Run<EffectResult>, Run<StatsmodelsEffect>];
checkEffect(effect.result, statsmodels.result);
console.log(
  `\nOLS + IPW, 1M rows × 12 columns\n${line('cascade', effect)}\n${line('statsmodels', statsmodels)}\n` +
    `  ratio       time ${verdict(effect.seconds / statsmodels.seconds, 0.5)}, CPU ${(effect.cpuSeconds / statsmodels.cpuSeconds).toFixed(2)}×, memory ${verdict(effect.peakMb / statsmodels.peakMb, 0.8)}`,
);

if (scaleRows > 0) {
  console.log(
    `\nScale: ${scaleRows.toLocaleString('en')} rows (generated once, cached), ANALYSIS_MEMORY_LIMIT=${taskMemoryLimit} as a ${taskMemoryMb} MB task gets; peak memory must stay within it`,
  );
  const [bigProfile, bigEffect] = [await profileData(scaleRows), await effectData(scaleRows)];
  const limited = { ANALYSIS_MEMORY_LIMIT: taskMemoryLimit };
  // Every scale run must stay within the memory the engine is given, not just the task's.
  const within = (run: Run<unknown>) =>
    `peak ${run.peakMb <= engineLimitMb ? 'within' : 'OVER'} the ${taskMemoryLimit} (${engineLimitMb.toFixed(0)} MiB) the engine is given: ${run.peakMb <= engineLimitMb ? 'met' : 'missed'}`;

  const scaledProfile = measure<ProfileResult>(ours('profile-worker.ts', [bigProfile], limited));
  checkProfile(
    'scale polars',
    scaledProfile.result,
    measure<ReferenceProfile>([polars, [here('profile_polars.py'), bigProfile]]).result,
  );
  console.log(
    `${line('profile', scaledProfile)} (${within(scaledProfile)}; every number as polars gives it)`,
  );

  const scaledEffect = measure<EffectResult>(ours('effect-worker.ts', [bigEffect], limited));
  // The reference: the same engine with room for every column in memory (16 GB, half of it for the columns).
  const unlimited = measure<EffectResult>(
    ours('effect-worker.ts', [bigEffect], { ANALYSIS_MEMORY_LIMIT: '16GB' }),
  );
  for (const [i, estimate] of unlimited.result.estimates.entries()) {
    agree(
      `scale ${estimate.method} estimate`,
      scaledEffect.result.estimates[i]?.estimate,
      estimate.estimate,
      1e-9,
    );
    agree(`scale ${estimate.method} se`, scaledEffect.result.estimates[i]?.se, estimate.se, 1e-9);
  }
  console.log(
    `${line('effect', scaledEffect)} (${within(scaledEffect)}; the estimates of the same engine holding every column in memory, which peaked at ${unlimited.peakMb.toFixed(0)} MB)`,
  );

  const sql = `SELECT product, count(*) AS n, avg(x1) AS mean_x1, sum(x2) AS sum_x2, min(x3) AS min_x3,
  max(x4) AS max_x4, stddev_samp(x5) AS sd_x5, median(x6) AS median_x6, count(x9) AS rows_x9
FROM data GROUP BY product ORDER BY product`;
  const grouped = measure<QueryResult>(ours('query-worker.ts', [bigProfile, sql], limited));
  const reference = JSON.parse(
    execFileSync(polars, [here('groupby_polars.py'), bigProfile], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  ) as { rows: unknown[][] };
  for (const [i, row] of reference.rows.entries())
    row.forEach((want, j) => {
      const got = grouped.result.rows[i]?.[j];
      if (typeof want === 'number') agree(`scale GROUP BY ${row[0]} column ${j}`, got as number, want, 1e-9);
      else if (got !== want)
        problems.push(`scale GROUP BY row ${i} column ${j}: cascade ${got}, polars ${want}`);
    });
  console.log(
    `${line('GROUP BY', grouped)} (${within(grouped)}; the query's process itself, its time limit raised for the load; every group as polars gives it)`,
  );
}

if (problems.length > 0) {
  console.log(`\nThe numbers disagree:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('\nAll numbers agree with the reference tools.');
