import { describe, expect, it } from 'vitest';
import { bindArguments, type OptionSpec, parseArgs } from '../src/args';
import { UsageError } from '../src/errors';

const askOptions: OptionSpec[] = [
  { name: 'dataset', value: 'ID', description: '' },
  { name: 'session', value: 'ID', description: '' },
];
const optionsOf = (command: string) =>
  command === 'ask' ? askOptions : command === 'whoami' ? [] : undefined;

describe('parseArgs', () => {
  it('finds the command, its positionals and its options in any order', () => {
    const parsed = parseArgs(['--json', 'ask', 'how many rows?', '--dataset', 'churn.csv'], optionsOf);
    expect(parsed.command).toBe('ask');
    expect(parsed.positionals).toEqual(['how many rows?']);
    expect(parsed.options.flag('json')).toBe(true);
    expect(parsed.options.value('dataset')).toBe('churn.csv');
  });

  it('skips a global option value before the command and reads --name=value', () => {
    const parsed = parseArgs(['--endpoints', 'e.json', 'ask', 'q', '--session=abc'], optionsOf);
    expect(parsed.command).toBe('ask');
    expect(parsed.options.value('endpoints')).toBe('e.json');
    expect(parsed.options.value('session')).toBe('abc');
  });

  it('takes everything after -- as positionals, even what looks like an option', () => {
    expect(parseArgs(['ask', '--', '--what is this?'], optionsOf).positionals).toEqual(['--what is this?']);
  });

  it('answers no command when none is given', () => {
    expect(parseArgs(['--json'], optionsOf).command).toBeUndefined();
  });

  it('names an unknown command as a usage error', () => {
    expect(() => parseArgs(['frobnicate'], optionsOf)).toThrow(
      new UsageError('Unknown command "frobnicate": see `cascade help` for the commands.'),
    );
  });

  it("names an unknown option, and another command's option is unknown too", () => {
    expect(() => parseArgs(['whoami', '--dataset', 'x'], optionsOf)).toThrow(
      /Unknown option --dataset for `cascade whoami`/,
    );
    expect(() => parseArgs(['ask', 'q', '--verbose=2'], optionsOf)).toThrow(
      /Unknown option --verbose for `cascade ask`/,
    );
  });

  it('refuses an option without its value, and a value given to a flag', () => {
    expect(() => parseArgs(['ask', 'q', '--dataset'], optionsOf)).toThrow(
      'The option --dataset needs a value: --dataset ID.',
    );
    expect(() => parseArgs(['ask', 'q', '--dataset', '--json'], optionsOf)).toThrow(/needs a value/);
    expect(() => parseArgs(['ask', 'q', '--json=yes'], optionsOf)).toThrow(
      'The option --json takes no value.',
    );
  });
});

describe('bindArguments', () => {
  const specs = [
    { name: 'EMAIL', description: '' },
    { name: 'CODE', description: '', optional: true },
  ];

  it('names the arguments by their spec', () => {
    expect(bindArguments('confirm', specs, ['a@b.c', '123'])).toEqual({ EMAIL: 'a@b.c', CODE: '123' });
    expect(bindArguments('confirm', specs, ['a@b.c'])).toEqual({ EMAIL: 'a@b.c', CODE: undefined });
  });

  it('names the missing argument and the first extra one', () => {
    expect(() => bindArguments('confirm', specs, [])).toThrow(
      '`cascade confirm` needs EMAIL: see `cascade help confirm`.',
    );
    expect(() => bindArguments('confirm', specs, ['a', 'b', 'c'])).toThrow(
      /takes at most 2 arguments, but got "c"/,
    );
    expect(() => bindArguments('whoami', [], ['x'])).toThrow(/takes no arguments/);
  });
});
