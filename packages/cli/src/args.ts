import { UsageError } from './errors';

/** An option a command accepts: a flag (`--json`) or one that takes a value (`--dataset ID`). */
export interface OptionSpec {
  name: string;
  /** The value's placeholder in help (`ID`); absent for a flag. */
  value?: string;
  short?: string;
  description: string;
}

export interface ArgumentSpec {
  name: string;
  description: string;
  optional?: boolean;
}

/** What every command accepts. */
export const globalOptions: OptionSpec[] = [
  { name: 'json', description: 'Print one JSON document on stdout, for scripts.' },
  {
    name: 'endpoints',
    value: 'FILE',
    description:
      'The target: an endpoints file (default $CASCADE_ENDPOINTS, else .cascade/endpoints.json, the local cloud).',
  },
  {
    name: 'api-key-stdin',
    description:
      'Read a personal API key from stdin and use it instead of a login (or set CASCADE_API_KEY); see `cascade keys create`.',
  },
  { name: 'help', short: 'h', description: 'Show help for the command.' },
];

/** Parsed options, read by name. */
export class Options {
  constructor(private readonly values: ReadonlyMap<string, string | true>) {}

  flag(name: string): boolean {
    return this.values.has(name);
  }

  value(name: string): string | undefined {
    const value = this.values.get(name);
    return typeof value === 'string' ? value : undefined;
  }
}

export interface Invocation {
  /** The command's name as typed; absent when none was given. */
  command?: string;
  positionals: string[];
  options: Options;
}

const isOption = (token: string) => token.startsWith('-') && token !== '-';

function findSpec(token: string, specs: readonly OptionSpec[]): { spec?: OptionSpec; inline?: string } {
  if (token.startsWith('--')) {
    const [name = '', ...rest] = token.slice(2).split('=');
    return { spec: specs.find((s) => s.name === name), ...(rest.length > 0 && { inline: rest.join('=') }) };
  }
  return { spec: specs.find((s) => s.short !== undefined && `-${s.short}` === token) };
}

/** The command is the first word that is neither an option nor a global option's value. */
function locateCommand(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!isOption(token)) return i;
    const { spec, inline } = findSpec(token, globalOptions);
    if (spec?.value && inline === undefined) i++;
  }
  return -1;
}

/**
 * Splits a command line into the command, its positional arguments and its options, against the
 * options that command declares (`optionsOf` answers undefined for an unknown command).
 * `--name value`, `--name=value` and `--` (end of options) are understood.
 */
export function parseArgs(
  argv: readonly string[],
  optionsOf: (command: string) => readonly OptionSpec[] | undefined,
  /** A word that is followed by a subcommand (`admin` in `cascade admin add-user`). */
  isNamespace: (word: string) => boolean = () => false,
): Invocation {
  const at = locateCommand(argv);
  let command = at >= 0 ? argv[at] : undefined;
  let subAt = -1;
  if (command !== undefined && isNamespace(command)) {
    const next = argv[at + 1];
    if (next === undefined || isOption(next))
      throw new UsageError(`\`cascade ${command}\` needs a subcommand: see \`cascade help\` for them.`);
    subAt = at + 1;
    command = `${command} ${next}`;
  }
  const commandOptions = command === undefined ? [] : optionsOf(command);
  if (commandOptions === undefined)
    throw new UsageError(`Unknown command "${command}": see \`cascade help\` for the commands.`);
  const specs = [...globalOptions, ...commandOptions];
  const where = command ? `cascade ${command}` : 'cascade';

  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (i === at || i === subAt) continue;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1).filter((_, j) => i + 1 + j !== at && i + 1 + j !== subAt));
      break;
    }
    if (!isOption(token)) {
      positionals.push(token);
      continue;
    }
    const { spec, inline } = findSpec(token, specs);
    const name = token.split('=')[0];
    if (!spec)
      throw new UsageError(
        `Unknown option ${name} for \`${where}\`: see \`cascade help${command ? ` ${command}` : ''}\`.`,
      );
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`The option --${spec.name} takes no value.`);
      values.set(spec.name, true);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && isOption(value)))
      throw new UsageError(`The option --${spec.name} needs a value: --${spec.name} ${spec.value}.`);
    if (inline === undefined) i++;
    values.set(spec.name, value);
  }
  return { ...(command !== undefined && { command }), positionals, options: new Options(values) };
}

/** Checks the positional arguments against what the command declares; answers them by name. */
export function bindArguments(
  command: string,
  specs: readonly ArgumentSpec[],
  positionals: readonly string[],
): Record<string, string | undefined> {
  const required = specs.filter((s) => !s.optional).length;
  if (positionals.length < required) {
    const missing = specs[positionals.length]!;
    throw new UsageError(`\`cascade ${command}\` needs ${missing.name}: see \`cascade help ${command}\`.`);
  }
  if (positionals.length > specs.length)
    throw new UsageError(
      `\`cascade ${command}\` takes ${specs.length === 0 ? 'no arguments' : `at most ${specs.length} argument${specs.length === 1 ? '' : 's'}`}, but got "${positionals[specs.length]}".`,
    );
  return Object.fromEntries(specs.map((spec, i) => [spec.name, positionals[i]]));
}
