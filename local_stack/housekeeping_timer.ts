/**
 * What pg_cron does for a hosted project, for the local stack: calls the `housekeeping` function
 * as the service role every `intervalSeconds` (expire reservations, prune history, collect
 * unreferenced blobs). A failed run is logged and tried again at the next tick; runs never
 * overlap.
 *
 * @module
 */

/** A running timer. */
export interface HousekeepingTimer {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Starts calling `<apiUrl>/functions/v1/housekeeping`; `intervalSeconds <= 0` does nothing. */
export function startHousekeeping(
  options: {
    readonly apiUrl: string;
    readonly serviceRoleKey: string;
    readonly intervalSeconds: number;
  },
): HousekeepingTimer {
  if (options.intervalSeconds <= 0) return { stop: () => Promise.resolve() };
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      try {
        const response = await fetch(`${options.apiUrl}/functions/v1/housekeeping`, {
          method: "POST",
          headers: { authorization: `Bearer ${options.serviceRoleKey}` },
        });
        const body = await response.text();
        if (!response.ok) console.error(`housekeeping: HTTP ${response.status}: ${body}`);
      } catch (error) {
        console.error(`housekeeping: ${error instanceof Error ? error.message : error}`);
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(tick, options.intervalSeconds * 1000);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
