/**
 * A small unbounded async queue: producers `push`, one consumer iterates; `end` lets the
 * consumer drain what is queued, `close` stops it at once (and drops later pushes).
 *
 * @module
 */

/** An async queue of `T`. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiter: (() => void) | undefined;
  #ended = false;
  #closed = false;

  /** Adds an item (ignored once closed). */
  push(item: T): void {
    if (this.#closed || this.#ended) return;
    this.#items.push(item);
    this.#wake();
  }

  /** No more items: the consumer finishes after the queued ones. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Stops the consumer now, dropping queued and later items. */
  close(): void {
    this.#closed = true;
    this.#items = [];
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  /** Yields items until ended (and drained) or closed. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      if (this.#closed) return;
      const item = this.#items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => this.#waiter = resolve);
    }
  }
}
