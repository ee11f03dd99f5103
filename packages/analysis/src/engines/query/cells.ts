import type { Cell } from '@cascade/core/contract';
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { duckdb } from '../../data/duckdb';

const {
  DuckDBArrayValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTypeId,
  DuckDBUnionValue,
} = duckdb;
type DuckDBTypeId = import('@duckdb/node-api').DuckDBTypeId;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const wholeNumbers = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
]);
const nested = new Set<DuckDBTypeId>([
  DuckDBTypeId.LIST,
  DuckDBTypeId.ARRAY,
  DuckDBTypeId.STRUCT,
  DuckDBTypeId.MAP,
  DuckDBTypeId.UNION,
  DuckDBTypeId.VARIANT,
]);
const timestamps = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
]);

/** A whole number as a number while that is exact, else as its digits. */
function wholeNumber(value: bigint): number | string {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value.toString();
}

/** A FLOAT with the fewest digits that read back as the same float (0.1, not 0.10000000149011612). */
function float32(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const shorter = Number(value.toPrecision(digits));
    if (Math.fround(shorter) === value) return shorter;
  }
  // Nine digits always read back as the same float.
  return Number(value.toPrecision(9));
}

/** DuckDB's timestamp text as ISO 8601: a T between date and time, an offset as ±hh:mm. */
function isoTimestamp(text: string): string {
  return text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
}

/** A nested value as JSON: lists as arrays, structs and maps as objects, numbers as numbers. */
function json(value: DuckDBValue): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return wholeNumber(value);
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(json);
  if (value instanceof DuckDBStructValue)
    return Object.fromEntries(Object.entries(value.entries).map(([key, item]) => [key, json(item)]));
  if (value instanceof DuckDBMapValue)
    return Object.fromEntries(value.entries.map((entry) => [String(json(entry.key)), json(entry.value)]));
  if (value instanceof DuckDBUnionValue) return json(value.value);
  if (value instanceof DuckDBDecimalValue) return Number(value.toString());
  return String(value);
}

/**
 * Turns DuckDB values into result cells and counts what it had to change: numbers as numbers
 * (BIGINT and wider only while exact), dates and times as ISO text, nested values and blobs as
 * text, NaN and infinities as null, and text cut at `maxChars`.
 */
export class CellConverter {
  nonFinite = 0;
  cut = 0;

  constructor(private readonly maxChars: number) {}

  cell(value: DuckDBValue, type: DuckDBType): Cell {
    if (value === null) return null;
    const id = type.typeId;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (Number.isFinite(value)) return id === DuckDBTypeId.FLOAT ? float32(value) : value;
      this.nonFinite++;
      return null;
    }
    if (typeof value === 'bigint' && wholeNumbers.has(id)) return wholeNumber(value);
    if (value instanceof DuckDBDecimalValue) return Number(value.toString());
    const text = nested.has(id)
      ? JSON.stringify(json(value))
      : timestamps.has(id)
        ? isoTimestamp(String(value))
        : String(value);
    if (text.length <= this.maxChars) return text;
    this.cut++;
    return `${text.slice(0, this.maxChars - 1)}…`;
  }
}
