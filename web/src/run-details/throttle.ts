/**
 * Runs `task` when asked, at most once per `intervalMs` and never twice at once: a request
 * inside the interval, or while the task runs, is served once when the wait is over. So a burst
 * of events costs one call now and one at the end, not one per event.
 */
export function throttled(task: () => Promise<unknown>, intervalMs: number, now: () => number = Date.now) {
  let lastStart = Number.NEGATIVE_INFINITY;
  let running = false;
  let wanted = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const start = () => {
    timer = undefined;
    if (stopped) return;
    wanted = false;
    running = true;
    lastStart = now();
    void task()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (wanted) request();
      });
  };

  function request(): void {
    if (stopped) return;
    wanted = true;
    if (running || timer !== undefined) return;
    const wait = lastStart + intervalMs - now();
    if (wait <= 0) start();
    else timer = setTimeout(start, wait);
  }

  return {
    request,
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
