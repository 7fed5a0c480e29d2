/**
 * A worker job that answers an input it answered recently without starting a worker. Reloads are
 * triggered by SIGHUP, the admin API, a file watch's catch-up and touched files, most often with
 * nothing changed; each one started a worker (~0.6 s of CPU on a 2-core host: the worker imports zod
 * and parses with a cold JIT) to reach the answer it had reached before.
 *
 * Only for jobs whose answer depends on their input alone (a parse and check of file texts). Only
 * answers are kept, not failures to answer (a time or memory limit, a stopped worker), so a job that
 * timed out on a loaded host runs again.
 */
import { createHash } from "node:crypto";
import { deserialize, serialize } from "node:v8";

/**
 * `job` with its `keep` most recent answers kept: called again with an input that serialises to the
 * same bytes (the structured clone a worker is sent), it resolves with a fresh copy of that answer.
 * A fresh copy because callers may change what they get. The default of 2 is one answer per policy
 * store sharing the job: the active policy's and a shadow candidate's, which reload one after the other.
 *
 * @example
 * const check = reuseRecentAnswers((input: PolicyCheckInput) => runTypeScriptWorker<Reply>(entry, input, limits));
 */
export function reuseRecentAnswers<Input, Answer>(job: (input: Input) => Promise<Answer>, keep = 2): (input: Input) => Promise<Answer> {
  // Least recently used first (a Map iterates in insertion order).
  const answers = new Map<string, Buffer>();
  return async (input) => {
    const key = createHash("sha256").update(serialize(input)).digest("hex");
    const kept = answers.get(key);
    if (kept) {
      answers.delete(key);
      answers.set(key, kept);
      return deserialize(kept) as Answer;
    }
    const answer = await job(input);
    answers.set(key, serialize(answer));
    for (const oldest of answers.keys()) {
      if (answers.size <= keep) break;
      answers.delete(oldest);
    }
    return answer;
  };
}
