/** Numbers for people: about four significant digits, thousands separated, no exponent for everyday sizes. */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '–';
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  if (magnitude >= 15 || magnitude < -6) return value.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toLocaleString('en-US', {
    maximumFractionDigits: Math.min(decimals, 10),
    minimumFractionDigits: 0,
  });
}

export function formatSigned(value: number, digits = 4): string {
  const text = formatNumber(value, digits);
  return value > 0 ? `+${text}` : text;
}

/** Rounds to `digits` significant digits, keeping table cells short without changing what they say. */
export function significant(value: number | null | undefined, digits = 6): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return Number(value.toPrecision(digits));
}

export const percent = (share: number) => `${(100 * share).toFixed(share < 0.1 ? 1 : 0)}%`;
