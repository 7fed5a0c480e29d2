/**
 * Post-hoc calibration on held-out predictions: a softmax temperature fitted by minimising the
 * negative log-likelihood, and the `unsure` threshold on calibrated confidence that gives the target
 * precision on the predictions we keep.
 */

/** Softmax of logits / temperature, written into `out`. */
export function softmax(logits: ArrayLike<number>, temperature: number, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(((logits[i] as number) - max) / temperature);
    out[i] = e;
    total += e;
  }
  for (let i = 0; i < logits.length; i++) out[i] = (out[i] as number) / total;
  return out;
}

/**
 * Cross-entropy against Platt-smoothed targets: the true label gets 1 - ε and the rest share ε, with
 * ε = 1 / (n + 2). Without it a small held-out set the model gets entirely right drives the
 * temperature towards 0 and every prediction — nonsense included — to confidence 1.
 */
function smoothedNegativeLogLikelihood(logits: readonly Float32Array[], labels: readonly number[], temperature: number): number {
  const epsilon = 1 / (logits.length + 2);
  let total = 0;
  for (let n = 0; n < logits.length; n++) {
    const row = logits[n] as Float32Array;
    let max = -Infinity;
    for (const value of row) max = Math.max(max, value / temperature);
    let sum = 0;
    let rowTotal = 0;
    for (const value of row) {
      sum += Math.exp(value / temperature - max);
      rowTotal += value / temperature;
    }
    const logPartition = max + Math.log(sum);
    const label = (row[labels[n] as number] as number) / temperature;
    const others = row.length > 1 ? (rowTotal - label) / (row.length - 1) : 0;
    total += logPartition - (1 - epsilon) * label - epsilon * others;
  }
  return total / Math.max(logits.length, 1);
}

/** The held-out loss at the best temperature: how well these logits rank and separate the labels. */
export function calibratedLoss(logits: readonly Float32Array[], labels: readonly number[]): number {
  return smoothedNegativeLogLikelihood(logits, labels, fitTemperature(logits, labels));
}

/** Golden-section search of log(temperature) in [log 0.05, log 20] minimising the smoothed NLL. */
export function fitTemperature(logits: readonly Float32Array[], labels: readonly number[]): number {
  if (logits.length === 0) return 1;
  let low = Math.log(0.05);
  let high = Math.log(20);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let fa = smoothedNegativeLogLikelihood(logits, labels, Math.exp(a));
  let fb = smoothedNegativeLogLikelihood(logits, labels, Math.exp(b));
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - ratio * (high - low);
      fa = smoothedNegativeLogLikelihood(logits, labels, Math.exp(a));
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + ratio * (high - low);
      fb = smoothedNegativeLogLikelihood(logits, labels, Math.exp(b));
    }
  }
  return Math.exp((low + high) / 2);
}

/**
 * The lowest confidence threshold whose kept predictions (confidence >= threshold) still reach
 * `targetPrecision`; when even the most confident predictions miss it, a threshold above every
 * held-out confidence (everything is unsure).
 */
export function chooseUnsureThreshold(
  predictions: readonly { confidence: number; correct: boolean }[],
  targetPrecision: number,
): number {
  const sorted = [...predictions].sort((a, b) => b.confidence - a.confidence);
  let correct = 0;
  let threshold = Math.min(1, (sorted[0]?.confidence ?? 1) + 1e-6);
  for (let i = 0; i < sorted.length; i++) {
    const prediction = sorted[i] as { confidence: number; correct: boolean };
    if (prediction.correct) correct++;
    // Only cut between distinct confidences: ties are kept or dropped together.
    const next = sorted[i + 1];
    if (next && next.confidence === prediction.confidence) continue;
    if (correct / (i + 1) >= targetPrecision) threshold = prediction.confidence;
  }
  return threshold;
}

/**
 * How far each intent's threshold moves with how confidently that intent is answered on held-out
 * queries, in logits: an intent the model answers with habitually high confidence gets a higher
 * threshold, since unknown queries mistaken for it come out confident too (the idea of DOC, Shu et
 * al. 2017). 0.25 of the intent's deviation, shrunk towards the mean over all intents with weight
 * n / (n + 5) for its n held-out queries: +2.4 points of held-out-intent recall at 2 points of
 * in-scope cost on Banking77, better in 6 of 6 seeds (docs/BENCHMARKS.md). Full deviations or
 * z-scores were worse: with ≈10–20 held-out queries per intent they are mostly noise.
 */
const CLASS_SHIFT = 0.25;
const CLASS_SHRINKAGE = 5;

const logit = (p: number) => {
  const clipped = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  return Math.log(clipped / (1 - clipped));
};
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Per intent, the logit shift of its threshold: `CLASS_SHIFT` × (its held-out queries' mean logit of
 * their own intent − the mean over all held-out queries), shrunk towards 0 for intents with few.
 */
function classShifts(probabilities: readonly Float64Array[], labels: readonly number[], classes: number): Float64Array {
  const sums = new Float64Array(classes);
  const counts = new Float64Array(classes);
  let total = 0;
  labels.forEach((label, n) => {
    const value = logit((probabilities[n] as Float64Array)[label] as number);
    sums[label] = (sums[label] as number) + value;
    counts[label] = (counts[label] as number) + 1;
    total += value;
  });
  const mean = total / Math.max(labels.length, 1);
  return sums.map((sum, c) => {
    const n = counts[c] as number;
    return n === 0 ? 0 : CLASS_SHIFT * (n / (n + CLASS_SHRINKAGE)) * (sum / n - mean);
  });
}

/** A threshold on confidence moved by a logit shift; 0 and 1 (nothing / everything unsure) stay put. */
function shifted(threshold: number, shift: number): number {
  if (threshold <= 0 || threshold >= 1) return threshold;
  return sigmoid(logit(threshold) + shift);
}

export interface HeldOutCalibration {
  temperature: number;
  /** The threshold of an intent answered with average confidence. */
  unsureThreshold: number;
  heldOutAccuracy: number | null;
  heldOutEscalationRate: number | null;
  heldOutConfidentPrecision: number | null;
}

/**
 * Fits the temperature and the unsure thresholds on held-out logits and reports how they do there.
 * `classThresholds[c]` is intent c's threshold (see `CLASS_SHIFT`); `unsureThreshold` the one they
 * are shifted from, chosen so that the kept held-out predictions reach `targetPrecision`.
 */
export function calibrateOnHeldOut(
  logits: readonly Float32Array[],
  labels: readonly number[],
  targetPrecision: number,
): HeldOutCalibration & { classThresholds: number[] | null } {
  if (logits.length === 0) {
    return { temperature: 1, unsureThreshold: 0, classThresholds: null, heldOutAccuracy: null, heldOutEscalationRate: null, heldOutConfidentPrecision: null };
  }
  const temperature = fitTemperature(logits, labels);
  const probabilities = logits.map((row) => softmax(row, temperature, new Float64Array(row.length)));
  const shifts = classShifts(probabilities, labels, (logits[0] as Float32Array).length);
  const predictions = probabilities.map((row, i) => {
    let best = 0;
    for (let c = 1; c < row.length; c++) if ((row[c] as number) > (row[best] as number)) best = c;
    const confidence = row[best] as number;
    // The confidence as an intent of average confidence would have it: comparing it with the
    // unshifted threshold is comparing the confidence with the intent's own threshold.
    return { confidence, adjusted: sigmoid(logit(confidence) - (shifts[best] as number)), best, correct: best === labels[i] };
  });
  const unsureThreshold = chooseUnsureThreshold(predictions.map((p) => ({ confidence: p.adjusted, correct: p.correct })), targetPrecision);
  const classThresholds = Array.from(shifts, (shift) => shifted(unsureThreshold, shift));
  const kept = predictions.filter((p) => p.confidence >= (classThresholds[p.best] as number));
  return {
    temperature,
    unsureThreshold,
    classThresholds,
    heldOutAccuracy: predictions.filter((p) => p.correct).length / predictions.length,
    heldOutEscalationRate: 1 - kept.length / predictions.length,
    heldOutConfidentPrecision: kept.length > 0 ? kept.filter((p) => p.correct).length / kept.length : null,
  };
}
