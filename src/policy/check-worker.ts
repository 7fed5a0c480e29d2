/** Worker side of `checkPolicyFilesOffThread`: checks the posted policy files and posts the result back. */
import { parentPort, workerData } from "node:worker_threads";
import { configReply, MAX_SENT_PROBLEMS, sentProblems } from "../config/config-reply.js";
import { checkPolicyFiles, type PolicyCheckInput } from "./check-files.js";

const input = (workerData as { data: PolicyCheckInput }).data;
parentPort?.postMessage(
  configReply(() => {
    const checked = checkPolicyFiles(input);
    return checked.problems.length > MAX_SENT_PROBLEMS ? { ...checked, ...sentProblems(checked.problems) } : checked;
  }),
);
