/**
 * A linear softmax head on fixed sentence embeddings, trained with minibatch Adam, label smoothing
 * and L2 weight decay. Small enough (labels × dims) to train on every core-starved box in seconds.
 */
import { seededRandom, shuffle } from "./random.js";

export interface DenseHead {
  classes: number;
  dims: number;
  /** [classes, dims] */
  weights: Float32Array;
  /** [classes] */
  biases: Float32Array;
}

export interface DenseHeadOptions {
  epochs: number;
  learningRate: number;
  weightDecay: number;
  labelSmoothing: number;
  seed: number;
}

export function denseLogits(head: DenseHead, input: Float32Array, out: Float32Array): Float32Array {
  for (let c = 0; c < head.classes; c++) {
    let sum = head.biases[c] as number;
    const base = c * head.dims;
    for (let d = 0; d < head.dims; d++) sum += (head.weights[base + d] as number) * (input[d] as number);
    out[c] = sum;
  }
  return out;
}

export function trainDenseHead(inputs: readonly Float32Array[], labels: readonly number[], classes: number, options: DenseHeadOptions): DenseHead {
  const dims = inputs[0]?.length ?? 0;
  const head: DenseHead = { classes, dims, weights: new Float32Array(classes * dims), biases: new Float32Array(classes) };
  const params = [head.weights, head.biases];
  const grads = params.map((p) => new Float32Array(p.length));
  const moments = params.map((p) => ({ m: new Float32Array(p.length), v: new Float32Array(p.length) }));
  const random = seededRandom(options.seed);
  const order = inputs.map((_, i) => i);
  const logits = new Float32Array(classes);
  const batchSize = 32;
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (let start = 0; start < order.length; start += batchSize) {
      const end = Math.min(order.length, start + batchSize);
      for (let b = start; b < end; b++) {
        const index = order[b] as number;
        const input = inputs[index] as Float32Array;
        denseLogits(head, input, logits);
        let max = -Infinity;
        for (const value of logits) max = Math.max(max, value);
        let total = 0;
        for (let c = 0; c < classes; c++) total += Math.exp((logits[c] as number) - max);
        for (let c = 0; c < classes; c++) {
          const target = (c === labels[index] ? 1 - options.labelSmoothing : 0) + options.labelSmoothing / classes;
          const g = Math.exp((logits[c] as number) - max) / total - target;
          (grads[1] as Float32Array)[c] = ((grads[1] as Float32Array)[c] as number) + g;
          const base = c * dims;
          const weightGrads = grads[0] as Float32Array;
          for (let d = 0; d < dims; d++) weightGrads[base + d] = (weightGrads[base + d] as number) + g * (input[d] as number);
        }
      }
      step++;
      const scale = 1 / (end - start);
      const correction = Math.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step);
      params.forEach((param, p) => {
        const grad = grads[p] as Float32Array;
        const { m, v } = moments[p] as { m: Float32Array; v: Float32Array };
        const decay = p === 0 ? options.weightDecay : 0;
        for (let i = 0; i < param.length; i++) {
          const g = (grad[i] as number) * scale + decay * (param[i] as number);
          m[i] = 0.9 * (m[i] as number) + 0.1 * g;
          v[i] = 0.999 * (v[i] as number) + 0.001 * g * g;
          param[i] = (param[i] as number) - (options.learningRate * correction * (m[i] as number)) / (Math.sqrt(v[i] as number) + 1e-8);
          grad[i] = 0;
        }
      });
    }
  }
  return head;
}
