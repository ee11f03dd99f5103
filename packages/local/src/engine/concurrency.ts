/**
 * A bound on how many calls run at once; the others wait, first come first served. Written by
 * hand (twenty lines) rather than taking p-limit, which is only a transitive dependency here.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`A concurrency limit is a whole number ≥ 1, not ${limit}`);
  }

  /** Calls under way now. */
  get active(): number {
    return this.running;
  }

  /** Calls waiting for a free slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `call` once a slot is free; the slot is given back however it ends. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await call();
    } finally {
      // The slot passes straight to the next caller, so a newcomer cannot overtake the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
