/**
 * A config file's parse or check run on a worker thread at each reload, shared by the policy files'
 * check and budgets.yaml's parse: the answer a worker posts (`ConfigReply`) turned back into the value
 * or its `ConfigError`, a worker stopped at its time or memory limit reported as a problem on the file
 * to blame, and recent answers reused, since the job is a pure function of its input (a reload of
 * unchanged files starts no worker).
 */
import { reuseRecentAnswers } from "../workers/reuse-recent-answers.js";
import { runTypeScriptWorker, type WorkerLimits } from "../workers/run-typescript-worker.js";
import { fromConfigReply, type ConfigReply } from "./config-reply.js";
import { workerLimitProblem } from "./worker-limit-problem.js";

/** The file a job that outgrew its limits is reported on, and what the job was doing (for the message). */
export interface JobBlame {
  file: { path: string; bytes: number };
  doing: string;
}

/**
 * The job at `entry` (a worker module posting `configReply(…)`) as a function of its input.
 *
 * @example
 * const check = configJobOnWorker(new URL("./check-worker.ts", import.meta.url), limits, (input: PolicyCheckInput) => ({ file: largestFile(input), doing: "checking the policy files" }));
 */
export function configJobOnWorker<Input, Value>(entry: URL, limits: WorkerLimits, blame: (input: Input) => JobBlame): (input: Input) => Promise<Value> {
  const run = reuseRecentAnswers((input: Input) => runTypeScriptWorker<ConfigReply<Value>>(entry, input, limits));
  return async (input) => {
    let reply: ConfigReply<Value>;
    try {
      reply = await run(input);
    } catch (error) {
      const { file, doing } = blame(input);
      throw workerLimitProblem(error, file, doing);
    }
    return fromConfigReply(reply);
  };
}
