/**
 * Why an analysis could not answer. The engine throws errors with these codes; the task reports
 * the code as its Step Functions error name and the sentence as the cause; the agent shows the
 * sentence. Every message is written for the person who asked.
 */
export const analysisErrorCodes = [
  /** The request itself is wrong: a missing argument, the same column twice, a malformed URI. */
  'BadRequest',
  /** A column the request names is not in the data. */
  'ColumnNotFound',
  /** The data cannot answer the question as asked: unreadable, empty, wrong types, no variation. */
  'BadData',
  /** The file or S3 object named as the data does not exist. */
  'DataNotFound',
  /** The SQL was refused by the sandbox: not one read-only query, or it reaches outside its data. */
  'QueryRejected',
  /** The work went over its time, memory or size limit and was stopped. */
  'LimitExceeded',
  /** The numbers could not be computed, though the input looked fine. */
  'AnalysisFailed',
] as const;
export type AnalysisErrorCode = (typeof analysisErrorCodes)[number];

export function isAnalysisErrorCode(name: string): name is AnalysisErrorCode {
  return (analysisErrorCodes as readonly string[]).includes(name);
}
