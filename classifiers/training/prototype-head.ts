/**
 * A nearest-centroid ("prototype") head in the network's hidden space, blended into its output layer.
 *
 * With few examples per intent the softmax layer overfits them; the distance from a query's hidden
 * activations r to each intent's mean activation c is a steadier vote. Its logit −‖r − c‖² =
 * 2c·r − ‖c‖² − ‖r‖², and ‖r‖² is the same for every intent, so it drops out of the softmax: the
 * blend `logits + weight · (2c·r − ‖c‖²)` is still one linear layer. Folding it into the output
 * weights keeps the ONNX graph (and its latency) exactly as it was.
 */
import { bagVector, type BagExample, type BagModel } from "../ngram/bag-model.js";

/** Mean ReLU hidden activation per class, [classes, width] row-major. */
export function classCentroids(model: BagModel, examples: readonly BagExample[], labels: ArrayLike<number>): Float32Array {
  const { width, classes } = model;
  const sums = new Float64Array(classes * width);
  const counts = new Float64Array(classes);
  const pre = new Float32Array(width);
  examples.forEach((example, i) => {
    bagVector(model, example, pre);
    const label = labels[i] as number;
    counts[label] = (counts[label] as number) + 1;
    for (let d = 0; d < width; d++) sums[label * width + d] = (sums[label * width + d] as number) + Math.max(0, pre[d] as number);
  });
  return Float32Array.from(sums, (sum, i) => sum / Math.max(counts[Math.floor(i / width)] as number, 1));
}

/** The model with `weight` × the prototype head added to its output layer (a copy; `model` is unchanged). */
export function foldPrototypeHead(model: BagModel, centroids: Float32Array, weight: number): BagModel {
  if (!model.hidden) throw new Error("a prototype head needs a hidden-layer model");
  const { width, classes } = model;
  const outWeight = Float32Array.from(model.outWeight, (w, i) => w + 2 * weight * (centroids[i] as number));
  const outBias = Float32Array.from(model.outBias, (b, c) => {
    let squaredNorm = 0;
    for (let d = 0; d < width; d++) squaredNorm += (centroids[c * width + d] as number) ** 2;
    return b - weight * squaredNorm;
  });
  return { ...model, classes, outWeight, outBias };
}
