import { account } from './account';
import type { Command, CommandGroup } from './command';
import { data } from './data';
import { runs } from './runs';

/** Every command, in the order help lists them; a new group (administration, keys, …) is one more entry. */
export const commandGroups: readonly CommandGroup[] = [account, runs, data];

export function findCommand(name: string): Command | undefined {
  return commandGroups.flatMap((group) => group.commands).find((command) => command.name === name);
}
