import { existsSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { SpillDirectory } from '../../../src/data/spill';
import { seededRandom } from '../../../src/datasets/random';
import { describeColumn } from '../../../src/engines/profile/column-stats';
import { describeSpilled } from '../../../src/engines/profile/spilled-stats';

const spill = new SpillDirectory();
afterAll(() => spill.remove());

function spilled(values: Float64Array) {
  const writer = spill.column();
  // Appended in pieces, as a scan appends batches.
  for (let start = 0; start < values.length; start += 7777)
    writer.append(values.subarray(start, start + 7777));
  writer.close();
  return writer.path;
}

const random = seededRandom(2024);
const columns: [string, Float64Array][] = [
  [
    'normal values with gaps',
    Float64Array.from({ length: 50_000 }, () => (random.bernoulli(0.03) ? Number.NaN : random.normal(3, 2))),
  ],
  [
    'heavy ties and both zeros',
    Float64Array.from(
      { length: 40_000 },
      (_, i) => [0, -0, 1.5, 1.5, 1.5, -2][i % 6]! + (i % 1000 === 0 ? i : 0),
    ),
  ],
  ['a few distinct values', Float64Array.from({ length: 30_000 }, () => random.integer(0, 9))],
  [
    'values a hair apart, so only the last bits tell them apart',
    Float64Array.from({ length: 30_000 }, () => 1 + random.integer(0, 5000) * 2 ** -52),
  ],
  ['one value over and over', new Float64Array(20_000).fill(-7.25)],
  ['a single present value', Float64Array.from({ length: 100 }, (_, i) => (i === 50 ? 4 : Number.NaN))],
  [
    'heavy tails',
    Float64Array.from({ length: 30_000 }, () => random.normal() / Math.max(1e-6, random.uniform())),
  ],
];

describe('describing a column from its file on disk', () => {
  it.each(columns)(
    "gives describeColumn's numbers, within memory or in passes over ranges: %s",
    (_, values) => {
      const expected = describeColumn(values);
      const path = spilled(values);
      expect(describeSpilled({ path, rows: values.length, budgetValues: values.length })).toEqual(expected);
      // A budget of a few hundred values forces many ranges, and cuts past the top bits.
      expect(describeSpilled({ path, rows: values.length, budgetValues: 300 })).toEqual(expected);
    },
  );

  it('says nothing of a column with no value present', () => {
    const path = spilled(new Float64Array(10).fill(Number.NaN));
    expect(describeSpilled({ path, rows: 10, budgetValues: 3 })).toBeUndefined();
  });
});

describe('a spill directory', () => {
  it('closes a column file still open when it is removed, and closing twice does nothing', () => {
    const own = new SpillDirectory();
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    const done = own.column();
    done.append(Float64Array.of(1, 2));
    done.close();
    done.close();
    own.column().append(Float64Array.of(3));
    expect(open()).toBe(before + 1);
    own.remove();
    expect(open()).toBe(before);
    expect(existsSync(own.path)).toBe(false);
  });
});
