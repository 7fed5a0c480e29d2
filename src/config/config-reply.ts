/**
 * A configuration parse's outcome as a worker thread posts it: a `ConfigError` crosses as its
 * problems (a cloned error loses its class), and is thrown again on the other side.
 */
import { ConfigError, type ConfigProblem } from "./yaml-file.js";

/**
 * Problems a worker sends at most; the rest are counted (`omitted`). A mangled file has one per token
 * (256 KiB of `[,,,…]`: 262,000), and copying them all to the serving thread stalled it for as long as
 * the parse the worker was there to spare it; the reports list 50 anyway.
 */
export const MAX_SENT_PROBLEMS = 1_000;

export type ConfigReply<T> = { value: T } | { problems: ConfigProblem[]; omitted: number };

/** The first `MAX_SENT_PROBLEMS` of `problems`, and how many more there were besides `omitted`. */
export function sentProblems(problems: readonly ConfigProblem[], omitted = 0): { problems: ConfigProblem[]; omitted: number } {
  return { problems: problems.slice(0, MAX_SENT_PROBLEMS), omitted: omitted + Math.max(0, problems.length - MAX_SENT_PROBLEMS) };
}

/**
 * `run()`'s value, or the problems of the `ConfigError` it threw; any other error is thrown (a bug,
 * which the worker's "error" event carries).
 *
 * @example
 * parentPort?.postMessage(configReply(() => parseBudgetPolicy(file, text)));
 */
export function configReply<T>(run: () => T): ConfigReply<T> {
  try {
    return { value: run() };
  } catch (error) {
    if (error instanceof ConfigError) return sentProblems(error.problems, error.omitted);
    throw error;
  }
}

/** The value a worker posted, or its `ConfigError` thrown here. */
export function fromConfigReply<T>(reply: ConfigReply<T>): T {
  if ("value" in reply) return reply.value;
  throw new ConfigError(reply.problems, reply.omitted);
}
