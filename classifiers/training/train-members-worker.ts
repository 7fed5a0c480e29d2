/** Worker side of `trainMembersInParallel`: trains one ensemble member and sends its weights back. */
import { parentPort, workerData } from "node:worker_threads";
import { unpackExamples, type PackedTrainingJob } from "./parallel-training.js";
import { trainBagModel } from "./train-bag-model.js";

const job = (workerData as { data: PackedTrainingJob }).data;
const model = trainBagModel(unpackExamples(job), job.labels, job.shape, job.options);
const buffers = [model.embedding, model.bias, model.outWeight, model.outBias].map((array) => array.buffer as ArrayBuffer);
parentPort?.postMessage(model, buffers);
