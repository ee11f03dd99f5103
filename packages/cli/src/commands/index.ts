import { access } from './access';
import { account } from './account';
import { administration } from './admin';
import type { Command, CommandGroup } from './command';
import { data } from './data';
import { runs } from './runs';

/** Every command, in the order help lists them; a new group (administration, keys, …) is one more entry. */
export const commandGroups: readonly CommandGroup[] = [account, runs, data, access, administration];

export function findCommand(name: string): Command | undefined {
  return commandGroups.flatMap((group) => group.commands).find((command) => command.name === name);
}

/** The first word of a two-word command (`admin` of `cascade admin add-user`). */
export function isNamespace(word: string): boolean {
  return commandGroups.some((group) => group.commands.some((command) => command.name.startsWith(`${word} `)));
}
