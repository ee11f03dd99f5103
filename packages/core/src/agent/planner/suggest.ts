import type { Slots } from './grammar';
import { type DatasetSchema, isBinary, isCategorical, isNumeric } from './schema';

/**
 * Questions the planner can answer about a dataset, closest first to what the person asked: a
 * refusal always ends with something to try.
 */
export function suggestionsFor(schema: DatasetSchema, slots?: Partial<Slots>): string[] {
  const numeric = schema.columns.filter(isNumeric).map((c) => c.name);
  const categorical = schema.columns
    .filter((c) => isCategorical(c) && (c.values?.length ?? 0) <= 20)
    .map((c) => c.name);
  const binary = schema.columns.filter(isBinary).map((c) => c.name);
  const named = [
    ...(slots?.measures ?? []).flatMap((m) => (m.column ? [m.column] : [])),
    ...(slots?.columns ?? []),
  ];
  const measure =
    named.find((n) => numeric.includes(n)) ?? numeric.find((n) => !/id$/i.test(n)) ?? numeric[0];
  const group = categorical[0] ?? binary[0];
  const flag =
    named.find((n) => binary.includes(n)) ??
    binary.find((b) => b !== schema.dictionary?.study?.treatment) ??
    binary[0];
  const out: string[] = [];
  if (measure) out.push(group ? `average ${measure} by ${group}` : `average ${measure}`);
  if (flag)
    out.push(group && group !== flag ? `share of ${flag} by ${group}` : `how many rows have ${flag} true`);
  if (measure && group) out.push(`is ${measure} different between the ${group} groups?`);
  const study = schema.dictionary?.study;
  if (study) out.push(`effect of ${study.treatment} on ${study.outcome}`);
  else if (measure) out.push(`what drives ${measure}?`);
  out.push(`which columns have missing values in ${schema.id}?`);
  return out.slice(0, 4);
}
