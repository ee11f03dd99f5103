import {
  type AnalysisError,
  AnalysisFailedError,
  BadRequestError,
  ColumnNotFoundError,
  QueryRejectedError,
} from '../../errors';
import { memoryLimitExceeded, type ResolvedLimits, spillLimitExceeded, timeLimitExceeded } from './limits';

/** The refusal for any name that is not the data or a WITH name, shared by the checks and DuckDB's own catalog. */
export function onlyData(name: string): QueryRejectedError {
  const file = /[/\\:]|\.(csv|tsv|txt|json|ndjson|jsonl|parquet|xlsx?|db|duckdb|sqlite|gz|zst)$/i.test(name);
  const what = file ? 'files and URLs cannot be read' : `there is no table "${name}"`;
  return new QueryRejectedError(
    `Only the table data (and names defined with WITH) can be queried; ${what}. Write FROM data.`,
  );
}

/** Errors whose first paragraph speaks about the SQL itself and is safe to show. */
const userFacing = /^(Binder|Catalog|Conversion|Out of Range|Invalid Input|Not implemented|Parser) Error: /;

/**
 * DuckDB's message without its internals: the first paragraph, without the error type, the
 * "LINE 1: …" excerpt, tab-indented candidate lists or advice about settings nobody can change.
 */
function firstParagraph(message: string): string {
  const lines: string[] = [];
  for (const line of message.replace(/^Failed to extract statements: /, '').split('\n')) {
    if (line.trim() === '' || line.startsWith('LINE ')) break;
    if (!line.startsWith('\t')) lines.push(line.trim());
  }
  const text = lines
    .join(' ')
    .replace(userFacing, '')
    .replace(/ Use "SET [^"]*" to [^.]*\./, '')
    .replace(/[.!]*$/, '');
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function columnError(message: string, dataColumns: readonly string[]): AnalysisError | undefined {
  const name =
    /^Binder Error: Referenced column "((?:[^"]|"")*)" not found/.exec(message)?.[1] ??
    /^Binder Error: Table "[^"]*" does not have a column named "((?:[^"]|"")*)"/.exec(message)?.[1];
  if (name === undefined) return undefined;
  // Not a column of the data at all: say which columns there are. Otherwise it was out of reach where it was named.
  if (!dataColumns.some((column) => column.toLowerCase() === name.toLowerCase()))
    return new ColumnNotFoundError(name, dataColumns);
  return new BadRequestError(
    `Column "${name}" is in the data but not available where the query names it (${firstParagraph(message)}); select it in the subquery or CTE it comes through.`,
  );
}

/**
 * A DuckDB failure as a sentence a person (or a language model) can act on; never DuckDB's
 * multi-line internals. Errors that are not DuckDB's pass through unchanged.
 */
export function explainSqlError(
  error: unknown,
  dataColumns: readonly string[],
  limits: ResolvedLimits,
): unknown {
  if (!(error instanceof Error)) return error;
  const message = error.message.replace(/^Failed to extract statements: /, '');
  if (message.startsWith('INTERRUPT Error')) return timeLimitExceeded(limits);
  if (message.startsWith('Out of Memory Error'))
    return message.includes('max_temp_directory_size')
      ? spillLimitExceeded(limits)
      : memoryLimitExceeded(limits);
  if (message.startsWith('Permission Error'))
    return new QueryRejectedError(
      'The query tried to reach a file, URL or setting outside its data, which is not allowed; only the table data can be queried.',
    );
  if (message.startsWith('Parser Error: Max expression depth'))
    return new QueryRejectedError(
      'The query nests expressions or subqueries more than 1,000 levels deep; write it with less nesting (a WITH clause can name the steps).',
    );
  if (message.startsWith('Parser Error: '))
    return new BadRequestError(
      `The SQL could not be parsed: ${firstParagraph(message)}. Write one DuckDB SELECT statement over the table data.`,
    );
  const missingTable = /^Catalog Error: Table with name (.+?) does not exist/.exec(message);
  if (missingTable) return onlyData(missingTable[1]!);
  const missingFunction =
    /^Catalog Error: (?:Scalar|Aggregate|Table) Function with name (\S+) does not exist/.exec(message);
  if (missingFunction) {
    const suggestion = /Did you mean "([^"]+)"/.exec(message)?.[1];
    return new BadRequestError(
      `DuckDB has no function ${missingFunction[1]}()${suggestion ? `; did you mean ${suggestion}()?` : '.'}`,
    );
  }
  const column = columnError(message, dataColumns);
  if (column) return column;
  if (userFacing.test(message)) return new BadRequestError(`The query failed: ${firstParagraph(message)}.`);
  if (/^[A-Za-z ]+ Error: /.test(message))
    return new AnalysisFailedError(
      'The query failed inside the database engine; try writing it another way.',
      {
        cause: error,
      },
    );
  return error;
}
