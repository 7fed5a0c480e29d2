/** A worker job for the runner's tests: `workerData.data` says what it does. */
import { parentPort, workerData } from "node:worker_threads";

const what = (workerData as { data: "answer" | "loop" | "hog" | "throw" }).data;
if (what === "answer") parentPort?.postMessage({ answered: true });
if (what === "throw") throw new Error("the job failed");
if (what === "loop") for (;;);
if (what === "hog") {
  const kept: number[][] = [];
  for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => i));
}
