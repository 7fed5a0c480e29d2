// Worker threads start without the TypeScript loader the main thread runs under (tsx or vitest):
// register tsx here, then load the TypeScript worker module named in workerData.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
