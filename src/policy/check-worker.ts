/** Worker side of `checkPolicyFilesOffThread`: checks the posted policy files and posts the result back. */
import { parentPort, workerData } from "node:worker_threads";
import { configReply } from "../config/config-reply.js";
import { checkPolicyFiles, type PolicyCheckInput } from "./check-files.js";

const input = (workerData as { data: PolicyCheckInput }).data;
parentPort?.postMessage(configReply(() => checkPolicyFiles(input)));
