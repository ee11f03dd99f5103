import type { ArgumentSpec, OptionSpec } from '../args';
import type { Context } from '../context';

/** One `cascade <name>`: what it takes, what help says about it, and what it does (its exit code). */
export interface Command {
  name: string;
  /** One line, for `cascade help`. */
  summary: string;
  args: ArgumentSpec[];
  options: OptionSpec[];
  /** More lines for `cascade help <name>`. */
  details?: string[];
  run(context: Context, args: Record<string, string | undefined>): Promise<number>;
}

export interface CommandGroup {
  title: string;
  commands: Command[];
}
