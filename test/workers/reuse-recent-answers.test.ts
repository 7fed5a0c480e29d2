/**
 * Reload workers answer an input they answered recently without starting again: a SIGHUP or a touched
 * file with nothing changed costs no worker, while any change, and a job that failed to answer, runs.
 */
import { describe, expect, it } from "vitest";
import { reuseRecentAnswers } from "../../src/workers/reuse-recent-answers.js";

/** A job that counts its runs and answers with a copy of its input. */
function countingJob() {
  const runs: string[] = [];
  const job = async (input: { file: string; text: string }) => {
    runs.push(input.text);
    return { parsed: { ...input }, rules: new Map([["r", 1]]) };
  };
  return { runs, job };
}

describe("a job that reuses its recent answers", () => {
  it("answers the same input again without running, and runs for a changed one", async () => {
    const { runs, job } = countingJob();
    const reusing = reuseRecentAnswers(job);
    const first = await reusing({ file: "routing.yaml", text: "a" });
    expect(await reusing({ file: "routing.yaml", text: "a" })).toEqual(first);
    expect(runs).toEqual(["a"]);
    await reusing({ file: "routing.yaml", text: "b" });
    await reusing({ file: "other.yaml", text: "b" });
    expect(runs).toEqual(["a", "b", "b"]);
  });

  it("gives each caller its own copy: a change to one answer is not seen by the next", async () => {
    const reusing = reuseRecentAnswers(countingJob().job);
    const first = await reusing({ file: "f", text: "a" });
    first.parsed.text = "changed by the caller";
    first.rules.set("r", 2);
    const again = await reusing({ file: "f", text: "a" });
    expect(again.parsed.text).toBe("a");
    expect(again.rules.get("r")).toBe(1);
  });

  it("keeps the two most recent answers (the active policy's and a shadow candidate's)", async () => {
    const { runs, job } = countingJob();
    const reusing = reuseRecentAnswers(job);
    for (const text of ["active", "shadow", "active", "shadow"]) await reusing({ file: "f", text });
    expect(runs).toEqual(["active", "shadow"]);
    await reusing({ file: "f", text: "edited" });
    // "active" was the least recently used of the two: it runs again, "edited" and "shadow" do not.
    for (const text of ["edited", "shadow", "active"]) await reusing({ file: "f", text });
    expect(runs).toEqual(["active", "shadow", "edited", "active"]);
  });

  it("keeps no failure: a job that failed to answer runs again", async () => {
    let calls = 0;
    const reusing = reuseRecentAnswers(async (_input: string) => {
      calls++;
      if (calls === 1) throw new Error("the worker took too long");
      return "answer";
    });
    await expect(reusing("input")).rejects.toThrow("took too long");
    expect(await reusing("input")).toBe("answer");
    expect(calls).toBe(2);
  });
});
