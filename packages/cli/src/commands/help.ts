import { type ArgumentSpec, globalOptions, type OptionSpec } from '../args';
import { UsageError } from '../errors';
import type { Command, CommandGroup } from './command';

const optionLabel = (option: OptionSpec) =>
  `${option.short ? `-${option.short}, ` : ''}--${option.name}${option.value ? ` ${option.value}` : ''}`;

const argumentLabel = (argument: ArgumentSpec) => (argument.optional ? `[${argument.name}]` : argument.name);

function columns(
  rows: readonly [string, string][],
  width = Math.max(...rows.map(([left]) => left.length)),
): string[] {
  const indent = '  ';
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`);
}

export function usageOf(command: Command): string {
  const options = command.options.map((o) => `[${optionLabel(o)}]`);
  return ['cascade', command.name, ...command.args.map(argumentLabel), ...options].join(' ');
}

/** `cascade help`: every command by group, the options all of them take, and where to read more. */
export function generalHelp(groups: readonly CommandGroup[]): string {
  const lines = [
    'cascade: ask Cascade about your data from a terminal.',
    '',
    'Usage: cascade <command> [arguments] [options]',
  ];
  const width = Math.max(...groups.flatMap((group) => group.commands.map((c) => c.name.length)));
  for (const group of groups) {
    lines.push(
      '',
      `${group.title}:`,
      ...columns(
        group.commands.map((c) => [c.name, c.summary]),
        width,
      ),
    );
  }
  lines.push(
    '',
    'Options of every command:',
    ...columns(globalOptions.map((o) => [optionLabel(o), o.description])),
    '',
    "Run `cascade help <command>` for a command's arguments and options.",
    'Errors are one sentence on stderr; the exit code is 0 on success, 2 for a usage error, 1 otherwise.',
  );
  return lines.join('\n');
}

/** `cascade help <command>`. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: ${usageOf(command)}`, '', command.summary];
  if (command.details?.length) lines.push('', ...command.details);
  if (command.args.length > 0)
    lines.push('', 'Arguments:', ...columns(command.args.map((a) => [a.name, a.description])));
  if (command.options.length > 0)
    lines.push('', 'Options:', ...columns(command.options.map((o) => [optionLabel(o), o.description])));
  lines.push(
    '',
    'Options of every command:',
    ...columns(globalOptions.map((o) => [optionLabel(o), o.description])),
  );
  return lines.join('\n');
}

export function helpFor(
  name: string | undefined,
  groups: readonly CommandGroup[],
  find: (name: string) => Command | undefined,
): string {
  if (name === undefined || name === 'help') return generalHelp(groups);
  const command = find(name);
  if (!command) throw new UsageError(`Unknown command "${name}": see \`cascade help\` for the commands.`);
  return commandHelp(command);
}
