/** SQL text for DuckDB: identifiers and literals, quoted so no value from a file can change a query. */

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function stringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A DOUBLE literal that parses back to exactly `value`. A bare `0.1` would be read as a
 * DECIMAL, so the shortest round-trip text is cast explicitly.
 */
export function doubleLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`Not a finite number: ${value}`);
  return `CAST('${value}' AS DOUBLE)`;
}

export function listLiteral(values: readonly number[]): string {
  return `[${values.map(doubleLiteral).join(', ')}]`;
}
