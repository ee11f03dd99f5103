/**
 * The state machine file names the resources it uses as `${Placeholder}`s. Every mode — SST,
 * LocalStack's init and the local cloud — fills them with this one function, so they can never
 * disagree on what a placeholder means. A string that is exactly `"${Name}"` takes any JSON
 * value (the subnets are a list); a placeholder inside a longer string must be a string.
 */
export type PlaceholderValue = string | number | boolean | string[];

const placeholder = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;
const whole = /^\$\{([A-Za-z][A-Za-z0-9]*)\}$/;

export class UnfilledPlaceholderError extends Error {
  override name = 'UnfilledPlaceholderError';
  constructor(readonly missing: string[]) {
    super(`The state machine needs values for ${missing.map((m) => `\${${m}}`).join(', ')}`);
  }
}

/** Every placeholder a definition uses, each once, sorted. */
export function placeholdersIn(definition: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown) => {
    if (typeof value === 'string') for (const match of value.matchAll(placeholder)) found.add(match[1]!);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(definition);
  return [...found].sort();
}

/** The definition with every placeholder filled; a missing value is an error naming all of them. */
export function renderStateMachine<T>(definition: T, values: Record<string, PlaceholderValue>): T {
  const missing = placeholdersIn(definition).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new UnfilledPlaceholderError(missing);
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const exact = whole.exec(value);
      if (exact) return values[exact[1]!];
      return value.replace(placeholder, (_, name: string) => {
        const filled = values[name];
        if (typeof filled === 'object')
          throw new Error(`\${${name}} is a list and cannot go inside the string "${value}"`);
        return String(filled);
      });
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return fill(definition) as T;
}
