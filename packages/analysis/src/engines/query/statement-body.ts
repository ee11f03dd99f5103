/** Where the quoted text starting at `start` ends (just after its closing quote), or the text's end. */
function skipQuoted(sql: string, start: number): number {
  const quote = sql[start]!;
  // E'…' strings escape with a backslash; all others double the quote.
  const backslashes = quote === "'" && /(^|[^\w])[eE]$/.test(sql.slice(Math.max(0, start - 2), start));
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashes && sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return sql.length;
}

/** Where the (possibly nested) block comment starting at `start` ends. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i++;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return sql.length;
}

/**
 * One statement without what may follow it — semicolons, comments, whitespace — so it can stand
 * inside parentheses as a subquery. Strings, quoted names, dollar-quoted text and comments are
 * skipped as DuckDB's parser reads them; a statement this misreads fails to parse when wrapped,
 * and the wrapper passes the same checks as the statement itself before it runs.
 */
export function statementBody(sql: string): string {
  let end = 0;
  let i = 0;
  while (i < sql.length) {
    const char = sql[i]!;
    const dollar = char === '$' ? /^\$(?:[A-Za-z_]\w*)?\$/.exec(sql.slice(i, i + 64))?.[0] : undefined;
    if (char === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? sql.length : newline + 1;
    } else if (char === '/' && sql[i + 1] === '*') i = skipBlockComment(sql, i);
    else if (char === ';' || /\s/.test(char)) i++;
    else {
      if (char === "'" || char === '"') i = skipQuoted(sql, i);
      else if (dollar) {
        const close = sql.indexOf(dollar, i + dollar.length);
        i = close < 0 ? sql.length : close + dollar.length;
      } else i++;
      end = i;
    }
  }
  return sql.slice(0, end);
}
