/** Finalizer of MurmurHash3: spreads the bits of a 32-bit value across the word. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The hash of +0, which -0 shares, since they compare equal. */
const zeroHash = mix(mix(0)) >>> 0;

// A double's bit pattern, read as two 32-bit words (little-endian, as every platform Node runs on).
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** A 32-bit hash of a double's bit pattern. */
function hashOf(x: number): number {
  if (x === 0) return zeroHash;
  bits[0] = x;
  return mix(words[0]! ^ mix(words[1]!)) >>> 0;
}

/** The hash of values[i], from the words of the array itself: no copy through a scratch double. */
function hashAt(words: Uint32Array, i: number): number {
  const low = words[2 * i]!;
  const high = words[2 * i + 1]!;
  if (low === 0 && (high & 0x7fffffff) === 0) return zeroHash;
  return mix(low ^ mix(high)) >>> 0;
}

const wordsOf = (values: Float64Array) =>
  new Uint32Array(values.buffer, values.byteOffset, values.length * 2);

/**
 * Inserts values[from, to) into an open-addressing table (NaN marks an empty slot) and returns
 * how many were new.
 */
function insertAll(values: Float64Array, from: number, to: number, table: Float64Array): number {
  const mask = table.length - 1;
  const words = wordsOf(values);
  let added = 0;
  for (let i = from; i < to; i++) {
    const x = values[i] === 0 ? 0 : values[i]!;
    let slot = hashAt(words, i) & mask;
    for (;;) {
      const held = table[slot]!;
      if (Number.isNaN(held)) {
        table[slot] = x;
        added++;
        break;
      }
      if (held === x) break;
      slot = (slot + 1) & mask;
    }
  }
  return added;
}

/** The smallest power-of-two table at most half full with `size` values. */
const capacityFor = (size: number) => {
  let capacity = 16;
  while (capacity < size * 2) capacity *= 2;
  return capacity;
};

const tableFor = (size: number) => new Float64Array(capacityFor(size)).fill(Number.NaN);

/** Partitions by the top 8 bits of the hash: each partition's table then fits in cache. */
const partitionBits = 8;
const shift = 32 - partitionBits;
/** A sample with more distinct values than this share is worth partitioning first. */
const sampleSize = 4096;

/**
 * Groups the values by partition in place (an American flag sort pass: each value is swapped
 * straight into its partition's next free slot), then counts each partition's distinct values in
 * a table sized for it. No copy of the values is made.
 */
function countPartitioned(values: Float64Array): number {
  const n = values.length;
  const parts = 1 << partitionBits;
  const starts = new Uint32Array(parts + 1);
  const words = wordsOf(values);
  for (let i = 0; i < n; i++) starts[(hashAt(words, i) >>> shift) + 1]!++;
  let largest = 0;
  for (let p = 0; p < parts; p++) {
    largest = Math.max(largest, starts[p + 1]!);
    starts[p + 1]! += starts[p]!;
  }
  const next = starts.slice(0, parts);
  for (let p = 0; p < parts; p++) {
    const end = starts[p + 1]!;
    while (next[p]! < end) {
      let x = values[next[p]!]!;
      let home = hashAt(words, next[p]!) >>> shift;
      while (home !== p) {
        const at = next[home]!++;
        const held = values[at]!;
        values[at] = x;
        x = held;
        home = hashOf(x) >>> shift;
      }
      values[next[p]!++] = x;
    }
  }
  // One table, as large as the largest partition needs, cleared for each partition.
  const table = tableFor(largest);
  let count = 0;
  for (let p = 0; p < parts; p++) {
    const [from, to] = [starts[p]!, starts[p + 1]!];
    if (to === from) continue;
    const slots = table.subarray(0, capacityFor(to - from)).fill(Number.NaN);
    count += insertAll(values, from, to, slots);
  }
  return count;
}

/**
 * The exact number of distinct values among present doubles, by open addressing on their bit
 * patterns. The values are in memory for the quartiles anyway, and this takes tens of
 * milliseconds for a million, where a DuckDB DISTINCT over the column cost more than the rest
 * of the profile. Columns that look mostly unique (judged on a sample) are first grouped by hash
 * in place, so each group's table stays in cache: the values are reordered, which quantile
 * selection and histograms do not mind. 0 and -0 count as one value, as in DuckDB and pandas.
 */
export function countDistinct(values: Float64Array): number {
  const sample = Math.min(values.length, sampleSize);
  const mostlyUnique = insertAll(values, 0, sample, tableFor(sample)) > sample / 2;
  if (values.length > sampleSize * 16 && mostlyUnique) return countPartitioned(values);
  return countGrowing(values);
}

/**
 * Counts into a table that starts small and doubles whenever it is half full, so a column of a
 * few values repeated millions of times needs a few slots, not a table sized for every row.
 */
function countGrowing(values: Float64Array): number {
  let table: Float64Array = tableFor(Math.min(values.length, sampleSize));
  let count = 0;
  const step = sampleSize;
  for (let from = 0; from < values.length; from += step) {
    const to = Math.min(values.length, from + step);
    // Room for every value of this step to be new keeps the table at most half full.
    if (2 * (count + (to - from)) > table.length) table = rehash(table, count + (to - from));
    count += insertAll(values, from, to, table);
  }
  return count;
}

/** The table's values in a table with room for `size` at most half full. */
function rehash(table: Float64Array, size: number): Float64Array {
  const held = table.filter((x) => !Number.isNaN(x));
  const larger = tableFor(size);
  insertAll(held, 0, held.length, larger);
  return larger;
}
