import {
  type CompareResult,
  describeFilters,
  effectSizeLabels,
  formatCount,
  formatNumber,
  formatP,
  formatShare,
  type GroupSummary,
  significant,
  type TestResult,
  testLabels,
} from '@cascade/core/contract';
import type { Chart, ItemOutput, Table } from '@cascade/core/protocol';
import { tInterval, z975 } from '../engines/stats/inference';

/** A p-value as a clause: "p < 0.001", "p = 0.042". */
export const pClause = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${formatP(p)}`);

const statisticSymbols: Record<TestResult['test'], string> = {
  welch_t: 't',
  mann_whitney: 'U',
  welch_anova: 'F',
  kruskal_wallis: 'H',
  chi_square: 'χ²',
  two_proportion_z: 'z',
};

const tested = (groups: GroupSummary[]) =>
  groups.filter((g) => g.mean !== undefined || g.counts !== undefined);

/** The 95 % interval of a group's mean (t with n − 1 df). */
function meanInterval(g: GroupSummary): [number, number] {
  return tInterval(g.mean!, g.std! / Math.sqrt(g.n), g.n - 1);
}

/** Wilson's 95 % score interval for a rate, which stays inside [0, 1] even for small groups. */
function rateInterval(g: GroupSummary): [number, number] {
  const p = g.rate!;
  const z2 = z975 * z975;
  const centre = (p + z2 / (2 * g.n)) / (1 + z2 / g.n);
  const half = (z975 * Math.sqrt((p * (1 - p)) / g.n + z2 / (4 * g.n * g.n))) / (1 + z2 / g.n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The value a group is summarized by: its mean, or its rate of the positive value. */
const summaryValue = (result: CompareResult, g: GroupSummary) =>
  result.outcomeKind === 'numeric' ? g.mean! : g.rate!;
const show = (result: CompareResult, value: number) =>
  result.outcomeKind === 'numeric' ? formatNumber(value) : formatShare(value);

/** Levels that are numbers or true/false read better with their column: "new_checkout = 1". */
const levelName = (result: CompareResult, level: string) =>
  /^(-?\d+(\.\d+)?|true|false)$/.test(level) ? `${result.group} = ${level}` : level;

/** A test's label inside a sentence: names stay capitalized ("Welch's t-test"), words do not ("chi-square test"). */
const inSentence = (label: string) =>
  /^[^ ]*['–]/.test(label) ? label : `${label[0]!.toLowerCase()}${label.slice(1)}`;

/** The one-sentence answer: does the outcome differ between the groups, by how much, how sure. */
function verdict(result: CompareResult): string {
  const groups = tested(result.groups);
  const [main] = result.tests;
  const differs = main!.pValue < 0.05 ? 'differs' : 'does not differ clearly';
  const by = `${inSentence(testLabels[main!.test])} ${pClause(main!.pValue)}`;
  const quantity =
    result.outcomeKind === 'numeric'
      ? `Mean ${result.outcome}`
      : result.outcomeKind === 'binary'
        ? `The share of ${result.outcome} = ${result.positive}`
        : `The distribution of ${result.outcome}`;
  if (result.outcomeKind === 'categorical')
    return `${quantity} ${differs} between the ${groups.length} ${result.group} groups; ${by} (${effectSizeLabels.cramers_v} ${formatNumber(main!.effectSize!.value, 2)}).`;
  if (groups.length === 2 && main!.difference) {
    const [a, b] = groups as [GroupSummary, GroupSummary];
    const { estimate, ci } = main!.difference;
    const [size, low, high] =
      result.outcomeKind === 'numeric'
        ? [estimate, ci[0], ci[1]].map((v) => formatNumber(v))
        : [estimate, ci[0], ci[1]].map((v) => `${formatNumber(100 * v, 3)}`);
    const unit = result.outcomeKind === 'numeric' ? '' : ' percentage points';
    return `${quantity} ${differs} between ${levelName(result, a.level)} and ${levelName(result, b.level)}: ${show(result, summaryValue(result, a))} vs ${show(result, summaryValue(result, b))}, difference ${size}${unit} (95 % CI ${low} to ${high}), ${by}.`;
  }
  const ranked = [...groups].sort((x, y) => summaryValue(result, y) - summaryValue(result, x));
  const top = ranked[0]!;
  const bottom = ranked[ranked.length - 1]!;
  return `${quantity} ${differs} between the ${groups.length} ${result.group} groups (highest: ${levelName(result, top.level)}, ${show(result, summaryValue(result, top))}; lowest: ${levelName(result, bottom.level)}, ${show(result, summaryValue(result, bottom))}); ${by}.`;
}

function testLine(test: TestResult): string {
  const df =
    test.df === undefined
      ? ''
      : ` (df ${formatNumber(test.df, 4)}${test.df2 === undefined ? '' : `, ${formatNumber(test.df2, 4)}`})`;
  const effect = test.effectSize
    ? `; ${effectSizeLabels[test.effectSize.name]} ${formatNumber(test.effectSize.value, 2)}`
    : '';
  return `- ${testLabels[test.test]}: ${statisticSymbols[test.test]} = ${formatNumber(test.statistic)}${df}, ${pClause(test.pValue)}${effect}.`;
}

function compareText(result: CompareResult): string {
  const where = result.filters?.length ? ` where ${describeFilters(result.filters)}` : '';
  const left = result.dropped > 0 ? `; ${formatCount(result.dropped)} left out for missing values` : '';
  return [
    verdict(result),
    '',
    `${result.source}: ${formatCount(result.n)} rows compared${where}${left}.`,
    ...result.tests.map(testLine),
    ...result.warnings.map((w) => `- ⚠ ${w}`),
  ].join('\n');
}

function groupTable(result: CompareResult): Table {
  const title = `${result.outcome} by ${result.group}`;
  if (result.outcomeKind === 'numeric')
    return {
      title,
      columns: [result.group, 'n', 'mean', 'std', 'median', '95% CI low', '95% CI high'],
      rows: result.groups.map((g) => {
        const ci = g.mean === undefined ? [null, null] : meanInterval(g);
        return [
          g.level,
          g.n,
          significant(g.mean),
          significant(g.std),
          significant(g.median),
          significant(ci[0]),
          significant(ci[1]),
        ];
      }),
    };
  const values = Object.keys(result.groups.find((g) => g.counts)!.counts!);
  const rate = result.outcomeKind === 'binary' ? [`share ${result.positive}`] : [];
  return {
    title,
    columns: [result.group, 'n', ...rate, ...values],
    rows: result.groups.map((g) => [
      g.level,
      g.n,
      ...(result.outcomeKind === 'binary' ? [significant(g.rate)] : []),
      ...values.map((v) => g.counts?.[v] ?? null),
    ]),
  };
}

function testTable(result: CompareResult): Table {
  return {
    title: 'Tests',
    columns: [
      'test',
      'statistic',
      'df',
      'p-value',
      'effect size',
      'value',
      'difference',
      '95% CI low',
      '95% CI high',
    ],
    rows: result.tests.map((t) => [
      testLabels[t.test],
      significant(t.statistic),
      t.df2 === undefined ? significant(t.df) : `${formatNumber(t.df!, 4)}, ${formatNumber(t.df2, 4)}`,
      significant(t.pValue, 3),
      t.effectSize ? effectSizeLabels[t.effectSize.name] : null,
      significant(t.effectSize?.value),
      significant(t.difference?.estimate),
      significant(t.difference?.ci[0]),
      significant(t.difference?.ci[1]),
    ]),
  };
}

function groupChart(result: CompareResult): Chart {
  const groups = tested(result.groups);
  if (result.outcomeKind === 'categorical')
    return {
      kind: 'bar',
      title: `${result.outcome} by ${result.group} (share of each group)`,
      x: result.group,
      y: 'share',
      bars: groups.flatMap((g) =>
        Object.entries(g.counts!).map(([value, count]) => ({
          label: g.level,
          series: value,
          value: significant(count / g.n)!,
        })),
      ),
    };
  const numeric = result.outcomeKind === 'numeric';
  return {
    kind: 'bar',
    title: numeric
      ? `Mean ${result.outcome} by ${result.group} (95% intervals)`
      : `Share of ${result.outcome} = ${result.positive} by ${result.group} (95% Wilson intervals)`,
    x: result.group,
    y: numeric ? `mean ${result.outcome}` : `share ${result.positive}`,
    bars: groups.map((g) => {
      const [lo, hi] = numeric ? meanInterval(g) : rateInterval(g);
      return {
        label: g.level,
        value: significant(summaryValue(result, g))!,
        lo: significant(lo)!,
        hi: significant(hi)!,
      };
    }),
  };
}

/** A comparison as chat output: the verdict and tests in words, the tables, and a bar chart of the groups. */
export function compareOutput(result: CompareResult): ItemOutput {
  return {
    text: compareText(result),
    tables: [groupTable(result), testTable(result)],
    charts: [groupChart(result)],
  };
}
