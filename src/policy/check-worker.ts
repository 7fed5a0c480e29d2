/** Worker side of `checkPolicyFilesOffThread`: checks the posted policy files and posts the result back. */
import { parentPort, workerData } from "node:worker_threads";
import { ConfigError } from "../config/yaml-file.js";
import { checkPolicyFiles, type PolicyCheckInput } from "./check-files.js";
import type { CheckReply } from "./off-thread-check.js";

const input = (workerData as { data: PolicyCheckInput }).data;
let reply: CheckReply;
try {
  reply = { checked: checkPolicyFiles(input) };
} catch (error) {
  // A ConfigError crosses as its problems (a cloned error loses its class); anything else is a bug,
  // which the worker's "error" event carries to the gateway.
  if (!(error instanceof ConfigError)) throw error;
  reply = { problems: error.problems };
}
parentPort?.postMessage(reply);
