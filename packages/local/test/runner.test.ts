import { describe, expect, it, vi } from 'vitest';
import { createTaskRunner } from '../src/tasks/runner';

/** The ECS stand-in's report of a task that ended without reporting through its token. */

function runner(script: string) {
  const reportExit = vi.fn();
  const tasks = createTaskRunner({ command: [process.execPath, '-e', script], environment: {}, reportExit });
  return { tasks, reportExit };
}

const environment = { TASK_TOKEN: 'token-1', JOB_URI: 's3://b/jobs/e/1/000.json' };

/** Each test starts Node processes: seconds on a loaded runner. */
const processTimeout = 20_000;

describe('the task runner', () => {
  it(
    'fails the item at once when the task is killed from outside (an OOM kill), naming the signal',
    async () => {
      const { tasks, reportExit } = runner(
        "console.error('reading 2 GB'); process.kill(process.pid, 'SIGKILL')",
      );
      await tasks.run({ parameters: {}, environment });
      await vi.waitFor(() => expect(reportExit).toHaveBeenCalledTimes(1));
      expect(reportExit).toHaveBeenCalledWith(
        'token-1',
        'AnalysisTaskKilled',
        'The analysis task was killed by SIGKILL (out of memory, or stopped from outside): reading 2 GB',
      );
    },
    processTimeout,
  );

  it(
    'reports a non-zero exit with its last line, and nothing for a task it stopped itself',
    async () => {
      const failing = runner("console.error('boom'); process.exit(3)");
      await failing.tasks.run({ parameters: {}, environment });
      await vi.waitFor(() =>
        expect(failing.reportExit).toHaveBeenCalledWith(
          'token-1',
          'AnalysisTaskExited',
          'The analysis task exited with code 3: boom',
        ),
      );

      const stopped = runner('setTimeout(() => {}, 30_000)');
      const task = await stopped.tasks.run({ parameters: {}, environment });
      task.stop();
      await vi.waitFor(() => expect(stopped.tasks.running).toBe(0));
      const all = runner('setTimeout(() => {}, 30_000)');
      await all.tasks.run({ parameters: {}, environment });
      all.tasks.stopAll();
      await vi.waitFor(() => expect(all.tasks.running).toBe(0));
      expect(stopped.reportExit).not.toHaveBeenCalled();
      expect(all.reportExit).not.toHaveBeenCalled();
    },
    processTimeout,
  );
});
