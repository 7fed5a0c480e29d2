/**
 * The n-gram classifier's network: an embedding bag over compact feature rows (row 0 is the zero row
 * for features never seen in training), each feature group averaged with a 1/sqrt(count) scale, then
 * either a bias (linear model: the embedding width is the number of classes) or a ReLU hidden layer
 * and an output layer.
 */
export interface BagModel {
  readonly rows: number;
  readonly width: number;
  readonly classes: number;
  readonly hidden: boolean;
  /** [rows, width], row-major. */
  readonly embedding: Float32Array;
  /** [width] */
  readonly bias: Float32Array;
  /** [classes, width] when hidden, else empty. */
  readonly outWeight: Float32Array;
  /** [classes] when hidden, else empty. */
  readonly outBias: Float32Array;
}

/** One example as the network sees it: compact rows per group and each group's feature count. */
export interface BagExample {
  charRows: Int32Array;
  wordRows: Int32Array;
}

export function groupScale(count: number): number {
  return 1 / Math.sqrt(Math.max(count, 1));
}

/** Writes the pre-activation bag vector (embedding sums plus bias) into `out` (length `width`). */
export function bagVector(model: BagModel, example: BagExample, out: Float32Array): void {
  const { width, embedding } = model;
  out.set(model.bias);
  for (const rows of [example.charRows, example.wordRows]) {
    const scale = groupScale(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as number;
      if (row === 0) continue;
      const base = row * width;
      for (let d = 0; d < width; d++) out[d] = (out[d] as number) + (embedding[base + d] as number) * scale;
    }
  }
}

/** Logits for one example; `scratch` must hold `width` floats. */
export function bagLogits(model: BagModel, example: BagExample, scratch: Float32Array, logits: Float32Array): void {
  bagVector(model, example, scratch);
  if (!model.hidden) {
    logits.set(scratch.subarray(0, model.classes));
    return;
  }
  hiddenLogits(model, scratch, logits);
}

/** The output layer of a hidden model: `logits = outBias + outWeight · relu(preActivation)`. */
export function hiddenLogits(model: BagModel, preActivation: Float32Array, logits: Float32Array): void {
  const { width, classes, outWeight, outBias } = model;
  for (let c = 0; c < classes; c++) {
    let sum = outBias[c] as number;
    const base = c * width;
    for (let d = 0; d < width; d++) {
      const activation = preActivation[d] as number;
      if (activation > 0) sum += activation * (outWeight[base + d] as number);
    }
    logits[c] = sum;
  }
}

/**
 * Folds independently trained hidden-layer members into one model whose logits are the members'
 * mean: embeddings and biases side by side, output weights side by side and divided by the member
 * count. The ONNX graph is unchanged — an ensemble only widens the embedding.
 */
export function mergeEnsemble(members: readonly BagModel[]): BagModel {
  const first = members[0];
  if (!first || members.length === 1) return first as BagModel;
  if (members.some((m) => !m.hidden || m.rows !== first.rows || m.classes !== first.classes)) {
    throw new Error("ensemble members must be hidden-layer models over the same rows and classes");
  }
  const width = members.reduce((sum, m) => sum + m.width, 0);
  const { rows, classes } = first;
  const embedding = new Float32Array(rows * width);
  const bias = new Float32Array(width);
  const outWeight = new Float32Array(classes * width);
  const outBias = new Float32Array(classes);
  let offset = 0;
  for (const member of members) {
    for (let r = 0; r < rows; r++) {
      embedding.set(member.embedding.subarray(r * member.width, (r + 1) * member.width), r * width + offset);
    }
    bias.set(member.bias, offset);
    for (let c = 0; c < classes; c++) {
      for (let d = 0; d < member.width; d++) {
        outWeight[c * width + offset + d] = (member.outWeight[c * member.width + d] as number) / members.length;
      }
      outBias[c] = (outBias[c] as number) + (member.outBias[c] as number) / members.length;
    }
    offset += member.width;
  }
  return { rows, width, classes, hidden: true, embedding, bias, outWeight, outBias };
}
