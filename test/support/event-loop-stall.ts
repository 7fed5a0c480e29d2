/** How long the event loop went without running timers: what every request in flight waited then. */

/**
 * The longest the event loop went without running a 5 ms timer while `work` ran.
 *
 * @example
 * const stall = await longestStall(() => store.reload("manual"));
 */
export async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
    // A stall at the work's very end shows only when the timer runs once more.
    await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    clearInterval(timer);
  }
  return longest;
}
