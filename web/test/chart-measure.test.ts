import { beforeAll, describe, expect, it } from 'vitest';
import { textWidth } from '../src/charts/measure';

const fonts: string[] = [];

beforeAll(() => {
  // A browser's canvas, as far as measuring goes: 7 px a character.
  class FakeOffscreenCanvas {
    getContext() {
      return {
        set font(value: string) {
          fonts.push(value);
        },
        measureText: (text: string) => ({ width: text.length * 7 }),
      };
    }
  }
  Object.assign(globalThis, { OffscreenCanvas: FakeOffscreenCanvas });
});

describe('text measure in a browser', () => {
  it("measures chart text on a canvas in Plot's font, not by the length estimate", () => {
    expect(textWidth('Difference in means (ATE)')).toBe(25 * 7);
    expect(fonts).toEqual(['12px system-ui, sans-serif']);
  });
});
