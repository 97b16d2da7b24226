/**
 * Run `work(item)` for every item with at most `concurrency` in flight, and hand each result (or error) to
 * `commit` strictly in item order, one at a time, whatever order the work finishes in. `isFatal(err)` stops
 * starting new work: items after the fatal one are never committed, and the fatal error is thrown once the
 * committed prefix is done. An error thrown by `commit` rejects the whole run. @internal
 */
export async function orderedPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
  commit: (item: T, outcome: { value: R } | { error: unknown }) => Promise<void>,
  isFatal: (err: unknown) => boolean,
): Promise<void> {
  const outcomes = new Map<number, { value: R } | { error: unknown }>();
  let next = 0;
  let committed = 0;
  let fatal: { error: unknown } | undefined;
  let chain: Promise<void> = Promise.resolve();
  const drain = async () => {
    while (outcomes.has(committed)) {
      const o = outcomes.get(committed)!;
      outcomes.delete(committed);
      await commit(items[committed++]!, o);
    }
  };
  const worker = async () => {
    while (fatal === undefined && next < items.length) {
      const i = next++;
      try {
        outcomes.set(i, { value: await work(items[i]!) });
      } catch (error) {
        if (isFatal(error)) {
          fatal ??= { error };
          return;
        }
        outcomes.set(i, { error });
      }
      chain = chain.then(drain);
      await chain;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  await chain;
  if (fatal) throw fatal.error;
}
