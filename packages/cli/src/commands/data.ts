import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  datasetExtensionsText,
  datasetFormatOf,
  ExecutionStatus,
  executionStatuses,
  limits,
  parquetProblem,
} from '@cascade/core/protocol';
import type { OptionSpec } from '../args';
import { type Context, print, withConnection } from '../context';
import { CliError, exitCodes, UsageError } from '../errors';
import { formatBytes, renderDatasets, renderExecutions, renderHistory, renderSessions } from '../render';
import type { CommandGroup } from './command';

const pageOptions: OptionSpec[] = [
  { name: 'limit', value: 'N', description: `How many to show (1..${limits.pageSize}).` },
  { name: 'cursor', value: 'CURSOR', description: 'Continue from where the previous page ended.' },
];

/** `--status`, in any case, as the protocol names it; undefined when not given. */
function statusOption(value: string | undefined): ExecutionStatus | undefined {
  if (value === undefined) return undefined;
  const status = ExecutionStatus.safeParse(value.toUpperCase());
  if (!status.success)
    throw new UsageError(`--status takes one of ${executionStatuses.join(', ')}, not "${value}".`);
  return status.data;
}

function page(context: Context): { limit?: number; cursor?: string } {
  const limit = context.options.value('limit');
  const cursor = context.options.value('cursor');
  if (limit !== undefined && !/^\d+$/.test(limit))
    throw new UsageError(`--limit must be a whole number from 1 to ${limits.pageSize}.`);
  return { ...(limit !== undefined && { limit: Number(limit) }), ...(cursor !== undefined && { cursor }) };
}

export const data: CommandGroup = {
  title: 'Sessions and data',
  commands: [
    {
      name: 'list',
      summary: 'List your runs, newest first.',
      args: [],
      options: [
        ...pageOptions,
        {
          name: 'status',
          value: 'STATUS',
          description: `Only runs with this status: ${executionStatuses.join(', ')}.`,
        },
      ],
      details: [
        'A page filtered by --status may be short (even empty) and still offer --cursor for more.',
        'With --json, prints the `executions` message.',
      ],
      async run(context) {
        const status = statusOption(context.options.value('status'));
        const payload = { ...page(context), ...(status && { status }) };
        const answer = await withConnection(context, (connection) =>
          connection.request({ action: 'executions.list', payload }),
        );
        print(context, answer.raw, () => renderExecutions(answer.message.executions, answer.message.cursor));
        return exitCodes.ok;
      },
    },
    {
      name: 'sessions',
      summary: 'List your sessions, newest first.',
      args: [],
      options: pageOptions,
      details: ['With --json, prints the `sessions` message.'],
      async run(context) {
        const payload = page(context);
        const answer = await withConnection(context, (connection) =>
          connection.request({ action: 'sessions.list', payload }),
        );
        print(context, answer.raw, () => renderSessions(answer.message.sessions, answer.message.cursor));
        return exitCodes.ok;
      },
    },
    {
      name: 'history',
      summary: "Show a session's messages, oldest first (the newest page unless --cursor).",
      args: [{ name: 'SESSION_ID', description: 'The session, as `cascade sessions` lists it.' }],
      options: pageOptions,
      details: ['With --json, prints the `history` message.'],
      async run(context, args) {
        const payload = { ...page(context), sessionId: args.SESSION_ID! };
        const answer = await withConnection(context, (connection) =>
          connection.request({ action: 'session.history', payload }),
        );
        print(context, answer.raw, () => renderHistory(answer.message.messages, answer.message.cursor));
        return exitCodes.ok;
      },
    },
    {
      name: 'datasets',
      summary: 'List the datasets you can ask about: the samples and your uploads.',
      args: [],
      options: [],
      details: ['With --json, prints the `datasets` message.'],
      async run(context) {
        const answer = await withConnection(context, (connection) =>
          connection.request({ action: 'datasets.list' }),
        );
        print(context, answer.raw, () => renderDatasets(answer.message.datasets));
        return exitCodes.ok;
      },
    },
    {
      name: 'upload',
      summary: 'Upload a CSV or Parquet file as one of your datasets and print its id.',
      args: [
        {
          name: 'FILE',
          description: 'A .csv or .parquet file, at most 100 MB; the same name again replaces it.',
        },
      ],
      options: [],
      details: ['With --json, prints {datasetId, name, sizeBytes}.'],
      async run(context, args) {
        const file = args.FILE!;
        const name = basename(file);
        const size = await stat(file).then(
          (info) => (info.isFile() ? info.size : undefined),
          () => undefined,
        );
        if (size === undefined) throw new CliError(`No file at ${file}.`);
        const format = datasetFormatOf(name);
        if (!format)
          throw new UsageError(
            `${name} is not a ${datasetExtensionsText} file: only CSV and Parquet files can be uploaded.`,
          );
        if (size === 0) throw new CliError(`${file} is empty: there is nothing to upload.`);
        if (size > limits.uploadBytes)
          throw new CliError(
            `${file} is ${formatBytes(size)}; an upload may be at most ${formatBytes(limits.uploadBytes)}.`,
          );
        const body = await readFile(file);
        // A file named .parquet that is not one is refused here, before anything is stored.
        const problem =
          format === 'parquet'
            ? parquetProblem(name, size, body.subarray(0, 4), body.subarray(-4))
            : undefined;
        if (problem) throw new CliError(problem);
        const upload = await withConnection(context, (connection) =>
          connection.request({ action: 'dataset.upload', payload: { name, sizeBytes: size } }),
        );
        const { datasetId, url, headers } = upload.message;
        let status: number;
        try {
          status = (await fetch(url, { method: 'PUT', headers, body })).status;
        } catch {
          throw new CliError(
            `Could not reach the storage to upload ${name}: check your connection and try again.`,
          );
        }
        if (status < 200 || status >= 300)
          throw new CliError(`Storing ${name} failed with HTTP ${status}: try again.`);
        print(
          context,
          { datasetId, name, sizeBytes: size },
          () => `Uploaded ${name} as dataset ${datasetId}.`,
        );
        return exitCodes.ok;
      },
    },
  ],
};
