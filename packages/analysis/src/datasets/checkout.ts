import type { Cell } from './csv-writer';
import { round, seededRandom } from './random';
import type { GeneratedTable } from './table';

export const checkoutColumns = [
  'session_id',
  'visited_at',
  'new_checkout',
  'device',
  'country',
  'returning',
  'items_viewed',
  'basket_value',
];

const day = 24 * 60 * 60 * 1000;
const start = Date.UTC(2025, 2, 3);

/**
 * A randomized A/B test of a new checkout page: a fair coin assigns `new_checkout`, so the
 * plain difference in means is unbiased here. The new page adds $2.50 to every session's
 * basket value (`truth.ate`); device and returning visitors shift baskets too, which
 * adjusting for them turns into tighter intervals.
 */
export function checkout(seed = 314, rows = 5000): GeneratedTable {
  const random = seededRandom(seed);
  const out: Cell[][] = [];
  for (let i = 0; i < rows; i++) {
    const visited = new Date(start + random.uniform() * 14 * day);
    const treated = random.bernoulli(0.5) ? 1 : 0;
    const device = random.pick(['mobile', 'desktop', 'tablet'], [0.6, 0.32, 0.08]);
    const country = random.pick(['DE', 'FR', 'NL', 'ES', 'IT', 'PL'], [0.3, 0.2, 0.15, 0.15, 0.12, 0.08]);
    const returning = random.bernoulli(0.35);
    const items = random.poisson(device === 'desktop' ? 6 : 4);
    const value = Math.max(
      0,
      18 + 3.1 * items + (returning ? 9 : 0) + (device === 'desktop' ? 6 : 0) + random.normal(0, 12),
    );
    out.push([
      `s${String(i + 1).padStart(5, '0')}`,
      visited.toISOString().slice(0, 19).replace('T', ' '),
      treated,
      device,
      country,
      returning,
      items,
      round(value + 2.5 * treated, 2),
    ]);
  }
  return { columns: checkoutColumns, rows: out, truth: { ate: 2.5, att: 2.5 } };
}
