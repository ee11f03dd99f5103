/**
 * Numbers as a person reads them, the same in the engines' reports and the agent's answers:
 * about four significant digits, thousands separated, no exponent for everyday sizes.
 */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  if (magnitude >= 15 || magnitude < -6) return value.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toLocaleString('en-US', {
    maximumFractionDigits: Math.min(decimals, 10),
    minimumFractionDigits: 0,
  });
}

/** Counts and other whole numbers in full: 12,345. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

export function formatSigned(value: number, digits = 4): string {
  const text = formatNumber(value, digits);
  return value > 0 ? `+${text}` : text;
}

/** A share in [0, 1] as a percentage: 0.1234 → "12.3 %"; small shares keep a decimal. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return String(share);
  const pct = 100 * share;
  const digits = Math.abs(pct) >= 10 ? 1 : Math.abs(pct) >= 1 ? 2 : 3;
  return `${pct.toLocaleString('en-US', { maximumFractionDigits: digits })} %`;
}

/** `part` of `whole` as a percentage. */
export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? '0 %' : formatShare(part / whole);
}

/** A p-value as journals print it: below 0.001 it is "< 0.001". */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  return p < 0.001 ? '< 0.001' : formatNumber(p, 2);
}

/** Rounds to `digits` significant digits, keeping table cells short without changing what they say. */
export function significant(value: number | null | undefined, digits = 6): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return Number(value.toPrecision(digits));
}

/** Dollars as a person reads them: cents from a dollar up, three significant digits below, never an exponent. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toLocaleString('en-US', { maximumSignificantDigits: 3, maximumFractionDigits: 12 })}`;
}
