/**
 * A configuration parse's outcome as a worker thread posts it: a `ConfigError` crosses as its
 * problems (a cloned error loses its class), and is thrown again on the other side.
 */
import { ConfigError, type ConfigProblem } from "./yaml-file.js";

export type ConfigReply<T> = { value: T } | { problems: ConfigProblem[] };

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
    if (error instanceof ConfigError) return { problems: error.problems };
    throw error;
  }
}

/** The value a worker posted, or its `ConfigError` thrown here. */
export function fromConfigReply<T>(reply: ConfigReply<T>): T {
  if ("value" in reply) return reply.value;
  throw new ConfigError(reply.problems);
}
