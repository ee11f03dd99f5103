import { AnalysisFailedError } from '../../errors';

/** The contract promises no NaN or Infinity anywhere in a result; a violation is our bug, reported as such. */
export function assertFinite(value: unknown, path = 'result'): void {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new AnalysisFailedError(
      `The analysis produced an undefined number (${path}); please report this dataset.`,
    );
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) assertFinite(item, `${path}[${i}]`);
  } else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) assertFinite(item, `${path}.${key}`);
}

/** Whether every value is finite: a numeric column can hold infinities, which no statistic survives. */
export function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
