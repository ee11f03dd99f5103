/** SQL text for DuckDB: identifiers and literals, quoted so no value from a file can change a query. */

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function stringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
