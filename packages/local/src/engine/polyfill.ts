/**
 * aws-local-stepfunctions uses Promise.withResolvers (Node 22+). On Node 20 every Task would
 * fail without it, so this module is imported before the engine.
 */
type Resolvers<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };

const withResolvers = <T>(): Resolvers<T> => {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const PromiseWithResolvers = Promise as unknown as { withResolvers?: typeof withResolvers };
PromiseWithResolvers.withResolvers ??= withResolvers;
