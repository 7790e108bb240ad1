/**
 * Bounded concurrency for batches: at most `limit` tasks in flight, results in input order.
 *
 * @module
 */

/**
 * Maps `items` through `work` with at most `limit` calls running at once. The first failure
 * stops new work and is rethrown once the running calls have settled.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Invalid concurrency ${limit}: expected a positive integer`);
  }
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
