import * as z from 'zod';

/**
 * A dataset's data dictionary: what its rows are, other names for it and for its columns, and
 * the phrases that name a value ("churned customers" means churned = true). The samples ship
 * one beside each CSV (`<file>.dictionary.json`); the offline planner reads it to understand
 * questions in everyday words. Optional: without one, columns are known by their names only.
 */
const Phrases = z.array(z.string().min(1).max(80)).max(40);

export const ColumnEntry = z.object({
  description: z.string().max(300).optional(),
  /** Other names for the column: "1978 earnings" for re78. */
  aliases: Phrases.optional(),
  /** Phrases meaning the column is true / 1 (binary columns): "churned", "who left". */
  positive: Phrases.optional(),
  /** Phrases meaning the column is false / 0: "stayed", "did not churn". */
  negative: Phrases.optional(),
  /** Phrases naming a value, by value: { "DE": ["germany", "german"] }. */
  values: z.record(z.string(), Phrases).optional(),
  /** Phrases that compare with this column: { "older": ">", "younger": "<" } for age. */
  comparatives: z.record(z.string(), z.enum(['<', '>'])).optional(),
});
export type ColumnEntry = z.infer<typeof ColumnEntry>;

export const DataDictionary = z.object({
  /** Other names for the dataset: "the churn data", "the a/b test". */
  aliases: Phrases.optional(),
  /** What one row is, in the plural and singular: customers, customer. */
  rows: z.object({ plural: z.string(), singular: z.string(), synonyms: Phrases.optional() }).optional(),
  /** When the data is a study: its treatment, its main outcome and the covariates measured before treatment. */
  study: z
    .object({
      treatment: z.string(),
      outcome: z.string(),
      covariates: z.array(z.string()).optional(),
      /** True when the treatment was randomly assigned. */
      randomized: z.boolean().optional(),
    })
    .optional(),
  columns: z.record(z.string(), ColumnEntry).default({}),
  /** Phrases that name several columns at once: { "race": ["black", "hispan"] }, for lists of covariates. */
  groups: z.record(z.string(), z.array(z.string()).min(2).max(20)).optional(),
});
export type DataDictionary = z.infer<typeof DataDictionary>;
