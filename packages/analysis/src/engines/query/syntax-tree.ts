import { QueryRejectedError } from '../../errors';
import { onlyData } from './sql-errors';

/**
 * Table functions a query may call: they make rows from their arguments alone. Every other one
 * reads or describes something outside the data (read_csv, glob, duckdb_settings, …) or runs SQL
 * this check cannot see: query() and query_table() take their statement as a string, so they are
 * refused even though DuckDB would only let them run a SELECT.
 */
const tableFunctions = new Set(['range', 'generate_series', 'unnest']);

/** Scalar functions that describe the machine or the session rather than the data, or only wait. */
const scalarFunctions: Record<string, string> = {
  current_setting: 'settings describe the machine, not the data',
  getenv: 'the environment is not data',
  getvariable: 'session variables are not data',
  write_log: 'queries cannot write',
  sleep_ms: 'it only waits',
  pg_sleep: 'it only waits',
};

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

/** The names a node's WITH clause defines (json_serialize_sql's `cte_map`). */
function cteNames(node: Node): string[] {
  const map = (node.cte_map as { map?: { key: string }[] } | undefined)?.map;
  return Array.isArray(map) ? map.map((entry) => entry.key.toLowerCase()) : [];
}

function tableRule(node: Node, scope: ReadonlySet<string>): QueryRejectedError | undefined {
  const table = String(node.table_name).toLowerCase();
  // A field missing from the tree reads as "undefined", which no rule allows.
  const schema = String(node.schema_name).toLowerCase();
  const catalog = String(node.catalog_name).toLowerCase();
  if (schema === '' && catalog === '' && (table === 'data' || scope.has(table))) return undefined;
  if (table === 'data' && (schema === '' || schema === 'main') && (catalog === '' || catalog === 'memory'))
    return undefined;
  return onlyData([catalog, schema, String(node.table_name)].filter(Boolean).join('.'));
}

function functionRule(node: Node, table: boolean): QueryRejectedError | undefined {
  const name = String(node.function_name).toLowerCase();
  if (table && !tableFunctions.has(name))
    return new QueryRejectedError(
      `The table function ${name}() is not available; only the table data can be queried, with range(), generate_series() and unnest() to make rows.`,
    );
  const reason = scalarFunctions[name];
  if (reason) return new QueryRejectedError(`${name}() is not available in queries: ${reason}.`);
  return undefined;
}

/**
 * Walks json_serialize_sql's tree of one SELECT and returns the first thing it may not touch:
 * a table other than data or a WITH name in scope, a table function outside the short list, a
 * scalar function that describes the machine, or SHOW of the catalog. Iterative, so a deeply
 * nested query cannot exhaust the stack; WITH names count only inside the query that defines
 * them, so a name defined in one subquery cannot reach a system view of that name elsewhere.
 */
export function findForbidden(tree: unknown): QueryRejectedError | undefined {
  const stack: [unknown, ReadonlySet<string>][] = [[tree, new Set()]];
  while (stack.length > 0) {
    const [value, outer] = stack.pop()!;
    if (!isNode(value)) continue;
    const names = cteNames(value);
    const scope = names.length > 0 ? new Set([...outer, ...names]) : outer;
    let problem: QueryRejectedError | undefined;
    if (value.type === 'BASE_TABLE') problem = tableRule(value, scope);
    else if (value.type === 'TABLE_FUNCTION' && isNode(value.function))
      problem = functionRule(value.function, true);
    else if (value.class === 'FUNCTION') problem = functionRule(value, false);
    else if (value.type === 'SHOW_REF' && value.table_name)
      problem = new QueryRejectedError(
        'SHOW lists the database itself, which is not available; DESCRIBE data or SUMMARIZE data describe the data.',
      );
    if (problem) return problem;
    for (const child of Object.values(value)) if (isNode(child)) stack.push([child, scope]);
  }
  return undefined;
}
