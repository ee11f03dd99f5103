import { expect, it } from 'vitest';

/** The error `work` rejects with; the test fails if it succeeds. */
export function rejectionOf(work: Promise<unknown>): Promise<Error> {
  return work.then(
    () => {
      throw new Error('expected a failure, but the call succeeded');
    },
    (error: Error) => error,
  );
}

/** A request the engine refuses: its arguments, the error's class and the sentence a person reads. */
export type FailureCase<Args> = [args: Args, type: abstract new (...args: never[]) => Error, message: string];

/** One test per case: the error `failure` gives for its arguments (see rejectionOf) is exactly that class and sentence. */
export function itFailsAs<Args>(failure: (args: Args) => Promise<Error>, cases: FailureCase<Args>[]): void {
  it.each(cases)('%j', async (args, type, message) => {
    const error = await failure(args);
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
  });
}
