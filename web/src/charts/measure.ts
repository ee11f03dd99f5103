/** The size of chart text, and the margins Plot needs so that no label is cut at the svg's edge. */

/** Plot draws its text in system-ui; Charts sets the size. */
export const FONT_SIZE = 12;
const FONT = `${FONT_SIZE}px system-ui, sans-serif`;
/** Lines of multi-line labels (Plot sets them 1em apart; a little more reads better). */
export const LINE_HEIGHT = FONT_SIZE + 2;
/** Plot's default tickSize (6) and tickPadding (3): the gap between the frame and a tick label. */
const TICK_GAP = 9;
/** Room kept between a label and the svg's edge. */
const EDGE = 6;
/** A wide average for sans-serif text, used where there is no canvas to measure with (jsdom). */
const EM_PER_CHAR = 0.62;

type Measure = (text: string) => number;
let measure: Measure | undefined;

function canvasMeasure(): Measure | undefined {
  // OffscreenCanvas needs no document and is absent from jsdom, so tests take the estimate.
  if (typeof OffscreenCanvas === 'undefined') return undefined;
  const context = new OffscreenCanvas(1, 1).getContext('2d');
  if (!context || typeof context.measureText !== 'function') return undefined;
  context.font = FONT;
  return (text) => context.measureText(text).width;
}

/** Width in px of chart text (the widest line of it): measured on a canvas, else estimated from its length. */
export function textWidth(text: string): number {
  measure ??= canvasMeasure() ?? ((line) => line.length * FONT_SIZE * EM_PER_CHAR);
  return Math.max(0, ...text.split('\n').map((line) => measure!(line)));
}

/** The lines of `text` broken at spaces so each fits `maxWidth` where a word allows. */
export function wrapText(text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const longer = line ? `${line} ${word}` : word;
    if (line && textWidth(longer) > maxWidth) {
      lines.push(line);
      line = word;
    } else line = longer;
  }
  return line ? [...lines, line] : [text];
}

/** Category labels on a left axis: wrapped beyond a share of the chart's width, and the margin they need. */
export interface CategoryAxis {
  marginLeft: number;
  /** Lines of the longest wrapped label, for the row height. */
  lines: number;
  tickFormat: (label: string) => string;
}

export function categoryAxis(labels: string[], width: number): CategoryAxis {
  const widest = Math.max(96, width * 0.42);
  const wrapped = new Map(
    labels.map((label) => [label, textWidth(label) > widest ? wrapText(label, widest) : [label]]),
  );
  const longest = Math.max(0, ...[...wrapped.values()].flat().map(textWidth));
  return {
    marginLeft: Math.ceil(longest + TICK_GAP + EDGE),
    lines: Math.max(1, ...[...wrapped.values()].map((lines) => lines.length)),
    tickFormat: (label) => (wrapped.get(label) ?? [label]).join('\n'),
  };
}

/** Room for labels of a left axis of `labels` width: the labels, the ticks and an edge. */
export function leftAxisMargin(labelWidth: number): number {
  return Math.ceil(labelWidth + TICK_GAP + EDGE);
}

/**
 * A bottom axis with its label on a line of its own under `tickLines` lines of tick labels, and
 * clear of the svg's edge (a browser's text box runs past the em box Plot places it by).
 */
export function bottomAxis(tickLines = 1): { marginBottom: number; labelOffset: number } {
  const labelOffset = TICK_GAP + (tickLines + 1) * LINE_HEIGHT + 2;
  return { marginBottom: labelOffset + EDGE, labelOffset };
}

/** Half a bottom-axis label, which hangs over the frame's end when it is centred on the last tick. */
export function overhang(labelWidth: number): number {
  return Math.ceil(labelWidth / 2 + EDGE);
}

/** The step D3 (and so Plot) picks for about `count` ticks across `span`: 1, 2 or 5 times a power of ten. */
function tickStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  return power * (error >= 7.07 ? 10 : error >= 3.16 ? 5 : error >= 1.41 ? 2 : 1);
}

/**
 * The widest tick label Plot's default format (grouped thousands, a minus sign, fixed decimals) can
 * draw on a linear axis over `values`: the ends of the tick range are the longest numbers.
 */
export function numberTicksWidth(values: number[], count = 10): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return textWidth('0.0');
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const step = tickStep(hi > lo ? hi - lo : Math.abs(hi) || 1, count);
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  const format = new Intl.NumberFormat('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  const ends = [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
  return Math.max(...ends.map((end) => textWidth(format.format(end).replace('-', '−'))));
}

/** Plot's multi-line time ticks ("Jan", "2026", "12 PM", "Mon 05"): their widest line. */
export function dateTicksWidth(): number {
  return textWidth('12 PM');
}
