import { bindArguments, parseArgs } from './args';
import { helpFor } from './commands/help';
import { commandGroups, findCommand, isNamespace } from './commands/index';
import { createContext } from './context';
import { CliError, exitCodes, sentenceFor, UsageError } from './errors';
import { type Io, processIo } from './io';

/** `help` takes an optional command name and nothing else. */
const helpOptions = [] as const;

/**
 * Runs one `cascade` command line and answers its exit code. Whatever goes wrong ends as one
 * sentence on stderr, never a stack trace.
 */
export async function main(
  argv: readonly string[],
  io: Io = processIo(),
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<number> {
  try {
    const invocation = parseArgs(
      argv,
      (name) => (name === 'help' ? helpOptions : findCommand(name)?.options),
      isNamespace,
    );
    const { command: name, positionals, options } = invocation;
    if (name === undefined || name === 'help' || options.flag('help')) {
      // `cascade help admin add-user` names one command in two words.
      const words = name === 'help' && isNamespace(positionals[0] ?? '') ? 2 : 1;
      if (name === 'help' && positionals.length > words)
        throw new UsageError(`\`cascade help\` takes one command name, but got "${positionals[words]}".`);
      const topic = name === 'help' ? positionals.slice(0, words).join(' ') || undefined : name;
      io.stdout.write(`${helpFor(topic, commandGroups, findCommand)}\n`);
      return exitCodes.ok;
    }
    const command = findCommand(name)!;
    const args = bindArguments(command.name, command.args, positionals);
    return await command.run(createContext(io, env, cwd, options), args);
  } catch (error) {
    io.stderr.write(`${sentenceFor(error)}\n`);
    return error instanceof CliError ? error.exitCode : exitCodes.failed;
  }
}
