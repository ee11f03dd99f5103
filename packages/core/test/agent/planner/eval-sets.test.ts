import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../src/agent/planner/frame';
import { understand } from '../../../src/agent/planner/understand';
import { sampleDatasets, sampleSchema } from './fixtures';

/**
 * Every question of the evaluation sets (bench/eval), read as the eval's Parse reads them: each
 * chain in order, each other question alone, with only the three samples to choose from. The
 * eval says whether a question should be answered or refused; here the reading must agree —
 * a question to refuse is refused (never read as something to compute), and a question to
 * answer is read as a frame — except for the ones listed below, which it does not understand
 * yet. The numbers themselves are checked by `npm run eval`, against the engines.
 */

interface Question {
  id: string;
  question: string;
  chain?: { id: string; turn: number };
  expect: { kind: 'answer' | 'refusal' };
}

const sets = ['questions', 'heldout', 'blind', 'blind2', 'blind3'];
const directory = join(import.meta.dirname, '../../../../../bench/eval');

/**
 * Answerable questions it refuses (honestly) today, by set: what a person would still have to
 * rephrase. A question that starts being understood fails this test until it leaves the list.
 */
const notYetUnderstood: Record<string, string[]> = {
  questions: ['cmp-07'],
  heldout: ['h-agg-10', 'h-dist-9', 'h-cau-9', 'h-trap-5'],
  blind: ['mis-03', 'agg-04', 'agg-14', 'rat-08', 'cau-08'],
  blind2: [
    'b2-sch-04',
    'b2-typ-03',
    'b2-mis-04',
    'b2-mis-05',
    'b2-agg-08',
    'b2-agg-09',
    'b2-agg-13',
    'b2-agg-14',
    'b2-top-04',
    'b2-top-06',
    'b2-ch-day-1',
    'b2-ch-day-2',
    'b2-ch-mar-2',
  ],
  blind3: [
    'b3-sch-04',
    'b3-typ-03',
    'b3-dis-03',
    'b3-agg-09',
    'b3-top-03',
    'b3-top-05',
    'b3-dst-04',
    'b3-cor-04',
    'b3-ch-country-3',
    'b3-ch-treated-4',
    'b3-ch-sat-3',
    'b3-ch-basket-3',
    'b3-ch-customers-2',
    'b3-ch-device-3',
    'b3-ch-educ-3',
  ],
};

/**
 * Questions to refuse that read as something to compute but are refused when run: the condition
 * ("signed up in 2025") matches no row, and the answer says so instead of giving a number.
 */
const refusedWhenRun: Record<string, string[]> = { blind2: ['b2-ref-06'], blind3: ['b3-ref-03'] };

async function readings(set: string) {
  const questions = JSON.parse(readFileSync(join(directory, `${set}.json`), 'utf8')) as Question[];
  const previous = new Map<string, Frame>();
  const out: { q: Question; answered: boolean }[] = [];
  for (const q of questions) {
    const chained = q.chain ? previous.get(q.chain.id) : undefined;
    const reading = await understand(q.question, {
      datasets: sampleDatasets,
      schemaOf: async (id) => sampleSchema(id),
      ...(chained && { previous: chained }),
    });
    if (q.chain && 'frame' in reading) previous.set(q.chain.id, reading.frame);
    out.push({ q, answered: 'frame' in reading });
  }
  return out;
}

describe.each(sets)('the questions of bench/eval/%s.json', (set) => {
  it('are refused when they should be, and read when they should be (but for the gaps listed)', async () => {
    const results = await readings(set);
    const readAnyway = results.filter((r) => r.q.expect.kind === 'refusal' && r.answered).map((r) => r.q.id);
    const refused = results.filter((r) => r.q.expect.kind === 'answer' && !r.answered).map((r) => r.q.id);
    expect
      .soft(readAnyway, 'questions to refuse that were read as something to compute')
      .toEqual(refusedWhenRun[set] ?? []);
    expect(refused, 'answerable questions refused (update notYetUnderstood when one is fixed)').toEqual(
      notYetUnderstood[set],
    );
  }, 60_000);
});
