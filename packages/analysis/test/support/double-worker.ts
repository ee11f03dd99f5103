// A worker module for the thread tests: doubles shared values in place and reports their sum.
export function work({ values, fail }: { values: Float64Array; fail?: boolean }): number {
  if (fail) throw new Error('asked to fail');
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    values[i] = values[i]! * 2;
    sum += values[i]!;
  }
  return sum;
}
