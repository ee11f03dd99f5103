import type { Cell } from './csv-writer';
import { logistic, round, seededRandom } from './random';
import type { GeneratedTable } from './table';

export const churnColumns = [
  'customer_id',
  'signup_date',
  'plan',
  'region',
  'monthly_fee',
  'tenure_months',
  'support_calls',
  'autopay',
  'satisfaction',
  'retention_offer',
  'churned',
  'last_feedback',
];

const plans = ['basic', 'standard', 'premium'] as const;
const fees = { basic: 19, standard: 39, premium: 69 };
const regions = ['north', 'south', 'east', 'west'];
const openings = [
  'The app',
  'Billing',
  'Support',
  'The new plan',
  'Delivery',
  'The website',
  'Checkout',
  'The invoice',
];
const verdicts = [
  'works well',
  'is confusing',
  'was slow',
  'crashed twice',
  'is too expensive',
  'was helpful',
  'needs a dark mode',
  'charged me twice',
  'is fine',
  'took 3 days to answer',
];
const endings = [
  '',
  ' overall',
  ' this month',
  ', thanks',
  ' again',
  '!',
  ' since the update',
  ', please fix',
];

const day = 24 * 60 * 60 * 1000;
const start = Date.UTC(2021, 0, 1);
const end = Date.UTC(2024, 11, 31);

/**
 * A subscription business's customers: numbers, counts, categories, dates, booleans and free
 * text, with gaps. Retention offers go mostly to customers who look likely to leave, and cut
 * each customer's chance of churning by 8 points; the generator draws both outcomes, so
 * `truth.att` is the offer's true effect on churn among those who got it (about -0.08).
 */
export function churn(seed = 2024, rows = 2000): GeneratedTable {
  const random = seededRandom(seed);
  const out: Cell[][] = [];
  let treated = 0;
  let treatedEffect = 0;
  let effect = 0;
  for (let i = 0; i < rows; i++) {
    const signup = start + random.integer(0, Math.floor((end - start) / day) - 30) * day;
    const tenure = Math.floor((end - signup) / (30.44 * day));
    const plan = random.pick(plans, [0.5, 0.35, 0.15]);
    const region = random.bernoulli(0.04) ? null : random.pick(regions, [0.3, 0.25, 0.25, 0.2]);
    const fee = round(fees[plan] * (1 + random.normal(0, 0.05)) - (random.bernoulli(0.2) ? 5 : 0), 2);
    const calls = random.poisson(plan === 'basic' ? 1.8 : 1.2);
    const autopay = random.bernoulli(0.55);
    const satisfactionValue = Math.min(
      10,
      Math.max(1, random.normal(7.2 - 0.45 * calls + (plan === 'premium' ? 0.5 : 0), 1.4)),
    );
    const satisfaction = random.bernoulli(0.08) ? null : round(satisfactionValue, 1);
    const risk = -1.2 + 0.35 * calls - 0.35 * (satisfactionValue - 7) - 0.02 * tenure - (autopay ? 0.6 : 0);
    const offer = random.bernoulli(logistic(-1.4 + 0.45 * calls - 0.3 * (satisfactionValue - 7))) ? 1 : 0;
    // One draw decides both potential outcomes: the offer lowers the churn probability by 0.08.
    const p0 = logistic(risk);
    const p1 = Math.max(0, p0 - 0.08);
    const u = random.uniform();
    const churned0 = u < p0;
    const churned1 = u < p1;
    const delta = Number(churned1) - Number(churned0);
    effect += delta;
    if (offer) {
      treated++;
      treatedEffect += delta;
    }
    const feedback = random.bernoulli(0.3)
      ? null
      : `${random.pick(openings)} ${random.pick(verdicts)}${random.pick(endings)}`;
    out.push([
      `C${String(10001 + i)}`,
      new Date(signup).toISOString().slice(0, 10),
      plan,
      region,
      fee,
      tenure,
      calls,
      autopay,
      satisfaction,
      offer,
      offer ? churned1 : churned0,
      feedback,
    ]);
  }
  return {
    columns: churnColumns,
    rows: out,
    truth: { att: round(treatedEffect / treated, 4), ate: round(effect / rows, 4) },
  };
}
