/** Worker side of `parseBudgetsOffThread`: parses the posted budgets.yaml text and posts its budgets or problems. */
import { parentPort, workerData } from "node:worker_threads";
import { configReply } from "../../config/config-reply.js";
import { parseBudgetPolicy } from "./load.js";

const { file, text } = (workerData as { data: { file: string; text: string } }).data;
parentPort?.postMessage(configReply(() => parseBudgetPolicy(file, text)));
