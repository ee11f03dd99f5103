import type { ServerMessageOf } from '@cascade/core/protocol';
import type { Io } from './io';
import { formatDuration, progressBar } from './render';

/** How a run's progress is shown while it works. */
export interface ProgressView {
  started(ack: ServerMessageOf<'ack'>): void;
  step(step: ServerMessageOf<'step'>): void;
  progress(progress: ServerMessageOf<'progress'>): void;
  /** Removes anything transient (the bar) before other output. */
  done(): void;
}

export const silentProgress: ProgressView = { started() {}, step() {}, progress() {}, done() {} };

/** A bar rewritten in place on a terminal: `[#####.....] 12/40 items, 1 failed · item-13: query_data`. */
export function terminalProgress(stdout: Io['stdout']): ProgressView {
  let counts = { completed: 0, total: 0, failed: 0 };
  let current = '';
  let shown = false;
  const draw = () => {
    const line = `${progressBar(counts.completed, counts.total, counts.failed)}${current ? ` · ${current}` : ''}`;
    const width = Math.max(20, (stdout.columns || 80) - 1);
    stdout.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    shown = true;
  };
  return {
    started(ack) {
      counts = { completed: 0, total: ack.totalItems, failed: 0 };
      draw();
    },
    step(step) {
      if (step.status !== 'started') return;
      current = counts.total === 1 ? step.step : `${step.itemId}: ${step.step}`;
      draw();
    },
    progress(progress) {
      counts = { completed: progress.completed, total: progress.total, failed: progress.failed };
      draw();
    },
    done() {
      if (shown) stdout.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * Plain lines for a log or a pipe: the run's start, then each step (`steps`, for one question) or
 * each finished item (a batch).
 */
export function plainProgress(stdout: Io['stdout'], show: 'steps' | 'items'): ProgressView {
  return {
    started(ack) {
      stdout.write(
        `Execution ${ack.executionId} started: ${ack.totalItems} item${ack.totalItems === 1 ? '' : 's'} in session ${ack.sessionId}.\n`,
      );
    },
    step(step) {
      if (show === 'steps' && step.status !== 'started')
        stdout.write(`  ${step.step} ${step.status}${step.detail ? `: ${step.detail}` : ''}\n`);
    },
    progress(progress) {
      if (show !== 'items') return;
      const { item } = progress;
      stdout.write(
        `${progress.completed}/${progress.total} items, ${progress.failed} failed · ${item.id} ${item.status} in ${formatDuration(item.durationMs)}${item.error ? `: ${item.error}` : ''}\n`,
      );
    },
    done() {},
  };
}
