// Run in a worker thread (see parallel/worker.ts): an effect's helper, which counts and scans the
// second half of a large file, then takes ranges of every pass the estimators make over the
// study's rows (passes.ts), so one thread starts for all of it.
import { type ScanJob, scanJob } from '../../data/csv-scan';
import { balancePass } from './balance';
import { evaluationPass, standardizationPass } from './logistic';
import { byHelper, type Pass, type PassJob, takeRanges } from './passes';
import { gramPass, qrPass, refinementPass, residualPass } from './regression';
import { type StudyRows, type StudySource, studyRows } from './study-rows';
import { influencePass, jacobianPass } from './weighting';

export type EffectJob = ScanJob | PassJob;

const passes = new Map<string, Pass<never, unknown>>(
  [
    standardizationPass,
    evaluationPass,
    jacobianPass,
    influencePass,
    balancePass,
    gramPass,
    refinementPass,
    qrPass,
    residualPass,
  ].map((pass) => [pass.name, pass as Pass<never, unknown>]),
);

/** A study file opened once, for every pass over it. */
const opened = new Map<string, StudyRows>();
const rowsOf = (source: StudySource): StudyRows => {
  if ('columns' in source) return studyRows(source);
  const rows = opened.get(source.file.path) ?? studyRows(source);
  opened.set(source.file.path, rows);
  return rows;
};

export function work(job: EffectJob): unknown {
  if (!('pass' in job)) return scanJob(job);
  const pass = passes.get(job.pass)!;
  const rows = rowsOf(job.source);
  return takeRanges(job.claims, byHelper, (index) => pass.run(rows, index, job.params as never));
}
