import {
  type AnalysisArgs,
  type CompareResult,
  formatNumber,
  type GroupSummary,
  type TestResult,
} from '@cascade/core/contract';
import { readDoubleColumns } from '../../data/columns';
import { type Database, type DatabaseOptions, shareMemory, withDatabase } from '../../data/database';
import { loadData } from '../../data/load';
import { ident, stringLiteral } from '../../data/sql';
import { BadDataError, BadRequestError } from '../../errors';
import {
  type ColumnKind,
  distinctText,
  levelOrder,
  maxLevels,
  missingWarning,
  type OutcomeShape,
  outcomeShape,
  type Rows,
  selectRows,
  show,
} from '../rows/rows';
import { allFinite, assertFinite } from '../stats/finite';
import { groupMoments, kruskalWallis, mannWhitney, median, welchAnova, welchT } from './numeric-tests';
import { chiSquare, twoProportionZ } from './table-tests';

/** A group needs two rows for a spread, a rank test or a row of a contingency table worth testing. */
const minimumRows = 2;
/** Below this many rows a group's mean is not safely normal, which the t-test and ANOVA assume. */
const smallGroupRows = 30;

type Args = AnalysisArgs<'compare_groups'>;

interface GroupCount {
  level: string;
  /** Rows of the group (filters met). */
  rows: number;
  /** Those with an outcome. */
  present: number;
}

/** How a person may write a level: "1.0" or "01" for 1 in a number column, "True" for true. */
function canonicalLevel(name: string, kind: ColumnKind): string {
  if ((kind === 'numeric' || kind === 'integer') && name.trim() !== '' && Number.isFinite(Number(name)))
    return String(Number(name));
  return kind === 'boolean' ? name.toLowerCase() : name;
}

/** Levels to compare in the order to report them: as asked, else true/1 before false/0, else ascending. */
function orderLevels(found: readonly string[], kind: ColumnKind): string[] {
  const sorted = [...found].sort(levelOrder(kind));
  const binary =
    kind === 'boolean' ||
    ((kind === 'integer' || kind === 'numeric') &&
      sorted.length === 2 &&
      sorted[0] === '0' &&
      sorted[1] === '1');
  return binary ? sorted.reverse() : sorted;
}

/** The groups' levels and counts, checked against what the request names. */
async function countGroups(db: Database, rows: Rows, args: Args, scope: string) {
  const group = ident(args.group);
  const level = rows.textOf(args.group);
  const kind = rows.kindOf(args.group);
  const [distinct, missingGroup, outcomes, groups] = (await db.values(
    `SELECT count(DISTINCT ${group}), count(*) FILTER (WHERE ${group} IS NULL), count(${ident(args.outcome)}), count(${group}) FROM ${rows.from}`,
  )) as number[];
  for (const [name, count] of [
    [args.outcome, outcomes],
    [args.group, groups],
  ] as const)
    if (count === 0) throw new BadDataError(`Column "${name}" has no values${scope}: every row is missing.`);

  const requested = args.groups?.map((name) => canonicalLevel(name, kind));
  const repeated = requested?.find((name, i) => requested.indexOf(name) !== i);
  if (repeated !== undefined) throw new BadRequestError(`Group "${repeated}" is listed twice.`);
  if (!requested && distinct! > maxLevels)
    throw new BadDataError(
      `"${args.group}" has ${distinct} distinct values${scope}, too many groups to compare (at most ${maxLevels}); name the groups to compare, or group by a column with fewer values.`,
    );
  const counted = await db.rows(
    `SELECT ${level} AS level, count(*) AS rows, count(${ident(args.outcome)}) AS present FROM ${rows.from} WHERE ${group} IS NOT NULL${requested ? ` AND ${level} IN (${requested.map(stringLiteral).join(', ')})` : ''} GROUP BY 1`,
  );
  const byLevel = new Map(counted.map((row) => [String(row.level), row]));
  const missing = requested?.find((name) => !byLevel.has(name));
  if (missing !== undefined) {
    const common = await db.rows(
      `SELECT ${level} AS level FROM ${rows.from} WHERE ${group} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 20`,
    );
    const values = common
      .map((row) => String(row.level))
      .sort(levelOrder(kind))
      .map((value) => JSON.stringify(value));
    const which = distinct! > values.length ? 'its most common values are' : 'its values are';
    throw new BadDataError(
      `Group "${missing}" is not a value of "${args.group}"${scope}; ${which} ${values.join(', ')}.`,
    );
  }
  const levels = requested ?? orderLevels([...byLevel.keys()], kind);
  if (levels.length < 2)
    throw new BadDataError(
      `"${args.group}" has only one value (${show(levels)})${scope}; a comparison needs at least two groups.`,
    );
  const counts: GroupCount[] = levels.map((name) => {
    const row = byLevel.get(name)!;
    return { level: name, rows: row.rows as number, present: row.present as number };
  });
  return { counts, missingGroup: requested ? 0 : missingGroup! };
}

/** The outcome's values in each group, sorted ascending. */
async function readGroups(db: Database, rows: Rows, args: Args, where: string, levels: string[], n: number) {
  const level = rows.textOf(args.group);
  const index = `CASE ${level} ${levels.map((name, i) => `WHEN ${stringLiteral(name)} THEN ${i}`).join(' ')} END`;
  const [y, g] = await readDoubleColumns(
    db,
    `SELECT CAST(${ident(args.outcome)} AS DOUBLE), CAST(${index} AS DOUBLE) FROM ${rows.from} WHERE ${where}`,
    n,
  );
  if (!allFinite(y!))
    throw new BadDataError(`Column "${args.outcome}" has infinite values; remove or cap them.`);
  const sizes = levels.map(() => 0);
  for (let i = 0; i < g!.length; i++) sizes[g![i]!]!++;
  const groups = sizes.map((size) => new Float64Array(size));
  const filled = levels.map(() => 0);
  for (let i = 0; i < y!.length; i++) {
    const j = g![i]!;
    groups[j]![filled[j]!++] = y![i]!;
  }
  for (const values of groups) values.sort();
  return groups;
}

interface Comparison {
  groups: GroupSummary[];
  tests: TestResult[];
  warnings: string[];
}

function compareNumeric(levels: string[], values: Float64Array[]): Comparison {
  const stats = values.map(groupMoments);
  const groups = levels.map(
    (level, j): GroupSummary => ({
      level,
      n: stats[j]!.n,
      mean: stats[j]!.mean,
      std: Math.sqrt(stats[j]!.variance),
      median: median(values[j]!),
    }),
  );
  const warnings: string[] = [];
  const tests: TestResult[] = [];
  if (levels.length === 2)
    tests.push(
      welchT(stats[0]!, stats[1]!, `${levels[0]} − ${levels[1]}`),
      mannWhitney(values[0]!, values[1]!),
    );
  else {
    const anova = welchAnova(stats);
    if (anova) tests.push(anova);
    else {
      const flat = levels.filter((_, j) => !(stats[j]!.variance > 0));
      warnings.push(
        `Welch's ANOVA was left out because ${flat.map((level) => `"${level}"`).join(', ')} ${flat.length > 1 ? 'have' : 'has'} the same value in every row (it weighs each group by its spread); the Kruskal–Wallis test does not need that.`,
      );
    }
    tests.push(kruskalWallis(values));
  }
  const small = groups.filter((g) => g.n < smallGroupRows);
  const [parametric, rankTest] =
    levels.length === 2
      ? ["Welch's t-test", 'the Mann–Whitney test']
      : ["Welch's ANOVA", 'the Kruskal–Wallis test'];
  if (small.length > 0 && tests.length > 1)
    warnings.push(
      `${small.map((g) => `"${g.level}" has ${g.n} rows`).join(', ')}: below ${smallGroupRows} rows ${parametric} relies on roughly normal values; ${rankTest} does not.`,
    );
  return { groups, tests, warnings };
}

function compareCounts(
  levels: string[],
  values: string[],
  cells: Map<string, number>,
  shape: ComparableShape,
): Comparison {
  const table = levels.map((level) => values.map((value) => cells.get(`${level}\u0000${value}`) ?? 0));
  const groups = levels.map((level, j): GroupSummary => {
    const row = table[j]!;
    const n = row.reduce((sum, c) => sum + c, 0);
    const summary: GroupSummary = { level, n };
    if (shape.kind === 'binary') summary.rate = row[values.indexOf(shape.positive)]! / n;
    summary.counts = Object.fromEntries(values.map((value, i) => [value, row[i]!]));
    return summary;
  });
  const chi = chiSquare(table);
  const tests: TestResult[] = [chi.test];
  if (shape.kind === 'binary' && levels.length === 2) {
    const at = values.indexOf(shape.positive);
    tests.unshift(
      twoProportionZ(
        { positive: table[0]![at]!, n: groups[0]!.n },
        { positive: table[1]![at]!, n: groups[1]!.n },
        `${levels[0]} − ${levels[1]}`,
      ),
    );
  }
  const warnings: string[] = [];
  if (chi.smallExpected > 0)
    warnings.push(
      `${chi.smallExpected} of ${chi.cells} expected counts are below 5 (the smallest is ${formatNumber(chi.smallestExpected, 3)}), so the chi-square${tests.length > 1 ? ' and z-test' : ''} p-value${tests.length > 1 ? 's are' : ' is'} only approximate; combine rare groups or values, or use more rows.`,
    );
  return { groups, tests, warnings };
}

type ComparableShape = Extract<OutcomeShape, { kind: CompareResult['outcomeKind'] }>;

/** The outcome's shape if this tool can compare it; otherwise a BadDataError saying why. */
function comparable(shape: OutcomeShape, outcome: string): ComparableShape {
  switch (shape.kind) {
    case 'dates':
      throw new BadDataError(
        `Outcome "${outcome}" holds dates; compare a number derived from it (such as a year) instead.`,
      );
    case 'free_text':
      throw new BadDataError(
        `Outcome "${outcome}" has more than ${maxLevels} distinct values; it looks like an identifier or free text, not a category to compare.`,
      );
    case 'constant':
      throw new BadDataError(
        `Outcome "${outcome}" is ${show([shape.value])} in every row compared; there is no difference to test.`,
      );
    default:
      return shape;
  }
}

/**
 * Compares an outcome between the groups of another column: means (Welch's t-test or ANOVA, and
 * a rank test) for a numeric outcome, rates or distributions (chi-square, and for two groups the
 * two-proportion z-test) for a binary or categorical one.
 */
export async function compareGroups(
  path: string,
  args: Args,
  options: DatabaseOptions = {},
): Promise<CompareResult> {
  if (args.outcome === args.group)
    throw new BadRequestError(
      `The outcome and the group are both "${args.outcome}"; name two different columns.`,
    );
  return withDatabase(shareMemory(options).database, async (db) => {
    const loaded = await loadData(db, path);
    const rows = await selectRows(db, loaded, [args.outcome, args.group], args.filters);
    const scope = args.filters?.length ? ' among the rows that meet the filters' : '';
    const { counts, missingGroup } = await countGroups(db, rows, args, scope);

    const warnings: string[] = [];
    for (const g of counts.filter((c) => c.present < minimumRows))
      warnings.push(
        `Group "${g.level}" has ${g.present === 0 ? 'no rows' : 'only one row'} with a value of "${args.outcome}", too few to compare; it was left out of the tests.`,
      );
    const usable = counts.filter((c) => c.present >= minimumRows);
    if (usable.length < 2)
      throw new BadDataError(
        `Fewer than two groups have at least ${minimumRows} rows with a value of "${args.outcome}" (${counts.map((c) => `"${c.level}": ${c.present}`).join(', ')}); a comparison needs two.`,
      );
    const missingOutcome = counts.reduce((sum, c) => sum + c.rows - c.present, 0);
    if (missingOutcome > 0)
      warnings.push(missingWarning(`"${args.outcome}"`, missingOutcome, ' of the compared groups'));
    if (missingGroup > 0) warnings.push(missingWarning(`"${args.group}"`, missingGroup));

    const levels = usable.map((c) => c.level);
    const n = usable.reduce((sum, c) => sum + c.present, 0);
    const where = `${ident(args.outcome)} IS NOT NULL AND ${rows.textOf(args.group)} IN (${levels.map(stringLiteral).join(', ')})`;
    const shape = comparable(
      outcomeShape(rows.kindOf(args.outcome), await distinctText(db, rows, args.outcome, where)),
      args.outcome,
    );

    let comparison: Comparison;
    if (shape.kind === 'numeric') {
      comparison = compareNumeric(levels, await readGroups(db, rows, args, where, levels, n));
    } else {
      const values =
        shape.kind === 'binary'
          ? [shape.negative, shape.positive].sort(levelOrder(rows.kindOf(args.outcome)))
          : shape.levels;
      const found = await db.rows(
        `SELECT ${rows.textOf(args.group)} AS level, ${rows.textOf(args.outcome)} AS value, count(*) AS count FROM ${rows.from} WHERE ${where} GROUP BY 1, 2`,
      );
      const cells = new Map(found.map((row) => [`${row.level}\u0000${row.value}`, row.count as number]));
      comparison = compareCounts(levels, values, cells, shape);
    }
    // Groups left out of the tests are still listed, with their counts.
    const summaries = counts.map(
      (c) => comparison.groups.find((g) => g.level === c.level) ?? { level: c.level, n: c.present },
    );
    const result: CompareResult = {
      tool: 'compare_groups',
      source: loaded.source,
      outcome: args.outcome,
      group: args.group,
      outcomeKind: shape.kind,
      ...(shape.kind === 'binary' && { positive: shape.positive }),
      n,
      dropped: missingOutcome + missingGroup,
      groups: summaries,
      tests: comparison.tests,
      ...(args.filters?.length ? { filters: args.filters } : {}),
      reading: loaded.reading,
      warnings: [...warnings, ...comparison.warnings],
    };
    assertFinite(result);
    return result;
  });
}
