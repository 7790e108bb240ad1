/**
 * Long polling without one connection per waiting request: one LISTEN connection per function
 * instance on `sandsync_changes` (the commit RPCs NOTIFY `{workspace_id, seq}`), fanned out to
 * in-process waiters. A missed notification costs latency, never data: waiters re-read the
 * journal from their cursor.
 *
 * @module
 */
import postgres from "postgres";

/** The channel the sync core notifies on. */
export const CHANGES_CHANNEL = "sandsync_changes";

interface Waiter {
  readonly workspaceId: string;
  readonly cursor: number;
  readonly wake: () => void;
}

/** A subscription: resolves when the workspace's journal passes the cursor, or on timeout. */
export interface Subscription {
  /** Resolves `true` when woken by a change, `false` at the timeout. */
  readonly changed: Promise<boolean>;
  cancel(): void;
}

/** Fans one LISTEN connection out to waiters. */
export class JournalWaiter {
  readonly #url: string;
  readonly #waiters = new Set<Waiter>();
  #sql: postgres.Sql | undefined;
  #listening: Promise<unknown> | undefined;

  constructor(listenUrl: string) {
    this.#url = listenUrl;
  }

  /** Starts waiting for a change after `cursor` in `workspaceId` (call before reading). */
  async subscribe(workspaceId: string, cursor: number, timeoutMs: number): Promise<Subscription> {
    await this.#listen();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waiter: Waiter | undefined;
    const changed = new Promise<boolean>((resolve) => {
      waiter = { workspaceId, cursor, wake: () => resolve(true) };
      this.#waiters.add(waiter);
      timer = setTimeout(() => resolve(false), timeoutMs);
    }).finally(() => {
      clearTimeout(timer);
      if (waiter) this.#waiters.delete(waiter);
    });
    return {
      changed,
      cancel: () => waiter?.wake(),
    };
  }

  #listen(): Promise<unknown> {
    if (!this.#listening) {
      this.#sql = postgres(this.#url, { max: 1, prepare: false, onnotice: () => {} });
      this.#listening = this.#sql.listen(CHANGES_CHANNEL, (payload) => this.#notify(payload))
        .catch((error) => {
          this.#listening = undefined;
          throw error;
        });
    }
    return this.#listening;
  }

  #notify(payload: string): void {
    let event: { workspace_id?: string; seq?: number };
    try {
      event = JSON.parse(payload);
    } catch {
      return;
    }
    for (const waiter of this.#waiters) {
      if (waiter.workspaceId === event.workspace_id && (event.seq ?? Infinity) > waiter.cursor) {
        waiter.wake();
      }
    }
  }

  /** Closes the LISTEN connection. */
  async close(): Promise<void> {
    for (const waiter of this.#waiters) waiter.wake();
    await this.#sql?.end({ timeout: 2 });
  }
}
