import type { CliCommand } from "./command.js";

/**
 * The CLI's command table: `npm run cli -- <group> [<sub>] …`. Each entry is loaded lazily so that
 * `serve` does not pay for the classifier trainer's imports and vice versa.
 */
export const commands: Record<string, () => Promise<CliCommand>> = {
  serve: async () => (await import("./serve.js")).serveCommand,
  classifier: async () => (await import("../../classifiers/cli.js")).classifierCommand,
  pii: async () => (await import("../pii/cli.js")).piiCommand,
  policy: async () => (await import("../policy/cli.js")).policyCommand,
};
