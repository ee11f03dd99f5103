/** Finalizer of MurmurHash3: spreads the bits of a 32-bit value across the word. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The exact number of distinct values among present doubles, by open addressing on their bit
 * patterns. The values are in memory for the quartiles anyway, and a million unique doubles
 * take tens of milliseconds here, where a DuckDB DISTINCT over the column costs more than the
 * rest of the profile. 0 and -0 count as one value, as in DuckDB and pandas.
 */
export function countDistinct(values: Float64Array): number {
  let capacity = 16;
  while (capacity < values.length * 2) capacity *= 2;
  const mask = capacity - 1;
  // NaN marks an empty slot; missing values never reach here.
  const table = new Float64Array(capacity).fill(Number.NaN);
  const scratch = new Float64Array(1);
  const halves = new Uint32Array(scratch.buffer);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] === 0 ? 0 : values[i]!;
    scratch[0] = x;
    let slot = mix(halves[0]! ^ mix(halves[1]!)) & mask;
    for (;;) {
      const held = table[slot]!;
      if (Number.isNaN(held)) {
        table[slot] = x;
        count++;
        break;
      }
      if (held === x) break;
      slot = (slot + 1) & mask;
    }
  }
  return count;
}
