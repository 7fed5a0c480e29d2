/**
 * Timing a linear-time guard on a shared, loaded machine. Wall-clock time counts the time the worker
 * waits for a core, which on CI (load 4–12 on 2 cores) is several times the work itself, and the first
 * run of a regex over a long text also pays for its compilation (V8 interprets a regex before it
 * compiles it to native code). The least CPU time of the process over a few runs measures the work:
 * a quadratic scan still takes seconds of it, and a linear one tens of milliseconds under any load.
 */

/** The least CPU time (user + system, ms) of this process over `runs` calls of `work`. */
export function leastCpuMs(work: () => unknown, runs = 3): number {
  let least = Infinity;
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    work();
    const used = process.cpuUsage(before);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}
