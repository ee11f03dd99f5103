/** SQL text for DuckDB: identifiers and literals, quoted so no value from a file can change a query. */
export { ident, stringLiteral, whereClause } from '@cascade/core/contract';
