import { readFile } from 'node:fs/promises';
import type { ResponseStatus } from '@cascade/core/protocol';
import type { OptionSpec } from '../args';
import { batchContent, parseBatchFile } from '../batch-file';
import type { Outgoing } from '../connection';
import { type Context, print, withConnection } from '../context';
import { CliError, exitCodes, UsageError } from '../errors';
import { type ProgressView, plainProgress, silentProgress, terminalProgress } from '../progress';
import { renderCost, renderExecution, renderItemSteps, renderResponse } from '../render';
import { followRun, type RunEnd } from '../run';
import type { CommandGroup } from './command';

const datasetOption: OptionSpec = {
  name: 'dataset',
  value: 'ID',
  description: 'The dataset to ask about (see `cascade datasets`).',
};
const sessionOption: OptionSpec = {
  name: 'session',
  value: 'ID',
  description: 'Continue this session: the agent sees its earlier messages (see `cascade sessions`).',
};
const executionArg = {
  name: 'EXECUTION_ID',
  description: 'The run, as `ask`, `batch` or `sessions` printed it.',
};

const exitFor: Record<ResponseStatus, number> = {
  SUCCEEDED: exitCodes.ok,
  PARTIAL: exitCodes.partial,
  FAILED: exitCodes.failed,
  ABORTED: exitCodes.failed,
};

const exitStatusHelp = [
  'Exit code: 0 SUCCEEDED, 2 PARTIAL (some items failed), 1 FAILED or ABORTED, 130 after Ctrl-C.',
];
const interruptHelp = [
  'Ctrl-C at a terminal asks whether to cancel the run; otherwise the run goes on and its execution id is',
  'printed, for `cascade status`.',
];

function progressFor(context: Context, show: 'steps' | 'items'): ProgressView {
  if (context.json) return silentProgress;
  return context.io.stdout.isTTY
    ? terminalProgress(context.io.stdout)
    : plainProgress(context.io.stdout, show);
}

/** Asks for one run, or to cancel it: both are answered with the run's `execution`. */
function requestExecution(
  context: Context,
  action: 'execution.get' | 'execution.cancel',
  executionId: string,
) {
  return withConnection(context, (connection) => connection.request({ action, payload: { executionId } }));
}

/** Prints how a followed run ended and answers the exit code. */
function report(context: Context, end: RunEnd): number {
  switch (end.kind) {
    case 'answered':
      print(context, end.response.raw, () => renderResponse(end.response.message));
      return exitFor[end.response.message.status];
    case 'cancelled':
      print(
        context,
        end.execution.raw,
        () => `Cancelled: execution ${end.execution.message.executionId} is ${end.execution.message.status}.`,
      );
      return exitCodes.interrupted;
    case 'left': {
      const { executionId, sessionId } = end.ack;
      if (context.json) print(context, { executionId, sessionId, status: 'RUNNING' }, () => '');
      context.io.stderr.write(
        `Execution ${executionId} is still running: follow it with \`cascade status ${executionId}\`.\n`,
      );
      return exitCodes.interrupted;
    }
  }
}

function scope(context: Context): Pick<Outgoing<'query'>, 'sessionId'> & { datasetId?: string } {
  const datasetId = context.options.value('dataset');
  const sessionId = context.options.value('session');
  return { ...(datasetId !== undefined && { datasetId }), ...(sessionId !== undefined && { sessionId }) };
}

export const runs: CommandGroup = {
  title: 'Questions and runs',
  commands: [
    {
      name: 'ask',
      summary: 'Ask one question and wait for the answer, showing progress.',
      args: [{ name: 'QUESTION', description: 'The question, quoted: "how many rows are in churn.csv?"' }],
      options: [datasetOption, sessionOption],
      details: ['With --json, prints the `response` message.', ...exitStatusHelp, ...interruptHelp],
      async run(context, args) {
        const content = args.QUESTION!.trim();
        if (!content) throw new UsageError('The question is empty: `cascade ask "QUESTION"`.');
        const { datasetId, sessionId } = scope(context);
        const end = await withConnection(context, (connection) =>
          followRun(
            context,
            connection,
            {
              action: 'query',
              ...(sessionId && { sessionId }),
              payload: { content, ...(datasetId && { datasetId }) },
            },
            progressFor(context, 'steps'),
          ),
        );
        return report(context, end);
      },
    },
    {
      name: 'batch',
      summary: 'Ask every question of a file as one run: one per line, optionally `id: question`.',
      args: [
        { name: 'FILE', description: 'The questions, one per line; blank lines and # comments are skipped.' },
      ],
      options: [datasetOption],
      details: [
        'Ids are 1..64 letters, digits, _ . - and unique; a line without one gets item-N.',
        'At a terminal a bar shows `[#####.....] 12/40 items, 1 failed`; otherwise a line per finished item.',
        ...exitStatusHelp,
        ...interruptHelp,
      ],
      async run(context, args) {
        const file = args.FILE!;
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch {
          throw new CliError(`No file at ${file}.`);
        }
        const batch = parseBatchFile(text);
        if (batch.problem) throw new CliError(`${file}: ${batch.problem}`);
        const { datasetId } = scope(context);
        const end = await withConnection(context, (connection) =>
          followRun(
            context,
            connection,
            {
              action: 'query',
              payload: {
                content: batchContent(batch.items),
                items: batch.items,
                ...(datasetId && { datasetId }),
              },
            },
            progressFor(context, 'items'),
          ),
        );
        return report(context, end);
      },
    },
    {
      name: 'status',
      summary: "Show a run's state, its items and, once it ended, its answer.",
      args: [executionArg],
      options: [],
      details: ['With --json, prints the `execution` message.'],
      async run(context, args) {
        const execution = await requestExecution(context, 'execution.get', args.EXECUTION_ID!);
        print(context, execution.raw, () => renderExecution(execution.message));
        return exitCodes.ok;
      },
    },
    {
      name: 'logs',
      summary: "Show each item's steps and tool calls, with their times and tokens, and the run's cost.",
      args: [executionArg],
      options: [
        {
          name: 'item',
          value: 'ID',
          description: 'Only this item, with what each tool was asked (its full trace, `execution.trace`).',
        },
      ],
      details: [
        'Steps: Parse, each model call (provider, model, tokens), each tool run in Dispatch or as the',
        'analysis task (its wait and its run), and where an item failed. A batch too large for one',
        'message leaves its steps out: then name an item with --item.',
        'With --json, prints `{ execution, traces }`: the `execution` message and, with --item, its `trace`.',
      ],
      async run(context, args) {
        const executionId = args.EXECUTION_ID!;
        const itemId = context.options.value('item');
        const { execution, traces } = await withConnection(context, async (connection) => {
          const execution = await connection.request({ action: 'execution.get', payload: { executionId } });
          const traces =
            itemId === undefined
              ? []
              : [await connection.request({ action: 'execution.trace', payload: { executionId, itemId } })];
          return { execution, traces };
        });
        const run = execution.message;
        print(context, { execution: execution.raw, traces: traces.map((t) => t.raw) }, () => {
          const items = traces.length
            ? traces.map(({ message: t }) =>
                renderItemSteps(
                  {
                    id: t.itemId,
                    status: t.status,
                    input: t.input,
                    ...(t.durationMs !== undefined && { durationMs: t.durationMs }),
                  },
                  t.steps,
                ),
              )
            : run.items.map((item) => renderItemSteps(item, item.steps ?? []));
          return [
            `${run.executionId}  ${run.status}  ${run.completedItems}/${run.totalItems} done, ${run.failedItems} failed`,
            ...items,
            ...(run.stepsOmitted && traces.length === 0
              ? ['This batch is too large to list every step at once: add --item ID for one item.']
              : []),
            ...(run.cost ? [renderCost(run.cost)] : []),
          ].join('\n\n');
        });
        return exitCodes.ok;
      },
    },
    {
      name: 'cancel',
      summary: 'Cancel a run (a run that already ended keeps its status).',
      args: [executionArg],
      options: [],
      details: ['With --json, prints the `execution` message.'],
      async run(context, args) {
        const execution = await requestExecution(context, 'execution.cancel', args.EXECUTION_ID!);
        const { executionId, status } = execution.message;
        print(context, execution.raw, () =>
          status === 'ABORTED'
            ? `Cancelled: execution ${executionId} is ABORTED.`
            : `Execution ${executionId} had already ended: ${status}.`,
        );
        return exitCodes.ok;
      },
    },
  ],
};
