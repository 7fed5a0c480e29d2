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
 * The lowest threshold whose kept predictions (score >= threshold) still reach `targetPrecision`;
 * when even the highest-scored predictions miss it, a threshold above every held-out score
 * (everything is unsure), at most `ceiling`.
 */
export function chooseScoreThreshold(
  predictions: readonly { score: number; correct: boolean }[],
  targetPrecision: number,
  ceiling = Infinity,
): number {
  const sorted = [...predictions].sort((a, b) => b.score - a.score);
  let correct = 0;
  let threshold = Math.min(ceiling, (sorted[0]?.score ?? ceiling) + 1e-6);
  for (let i = 0; i < sorted.length; i++) {
    const prediction = sorted[i] as { score: number; correct: boolean };
    if (prediction.correct) correct++;
    // Only cut between distinct scores: ties are kept or dropped together.
    const next = sorted[i + 1];
    if (next && next.score === prediction.score) continue;
    if (correct / (i + 1) >= targetPrecision) threshold = prediction.score;
  }
  return threshold;
}

/** `chooseScoreThreshold` on calibrated confidence, which never exceeds 1. */
export function chooseUnsureThreshold(
  predictions: readonly { confidence: number; correct: boolean }[],
  targetPrecision: number,
): number {
  return chooseScoreThreshold(predictions.map((p) => ({ score: p.confidence, correct: p.correct })), targetPrecision, 1);
}

/** ln confidence + weight × coverage: the score the in-scope rule thresholds (ngram/word-coverage.ts). */
export function inScopeScore(confidence: number, coverage: number, coverageWeight: number): number {
  return Math.log(confidence) + coverageWeight * coverage;
}

/** Word coverage of held-out example `example` for intent `intent`, and its weight in the in-scope score. */
export interface HeldOutCoverage {
  weight: number;
  of(example: number, intent: number): number;
}

export interface HeldOutCalibration {
  temperature: number;
  unsureThreshold: number;
  /** The in-scope rule's threshold: only when calibrated with coverage on a non-empty held-out split. */
  inScopeThreshold?: number;
  heldOutAccuracy: number | null;
  heldOutEscalationRate: number | null;
  heldOutConfidentPrecision: number | null;
}

/**
 * Fits the temperature and the unsure threshold on held-out logits and reports how they do there.
 * With `coverage`, also the in-scope rule's threshold, for the same target precision; the report then
 * describes that rule, the one the model will apply.
 */
export function calibrateOnHeldOut(
  logits: readonly Float32Array[],
  labels: readonly number[],
  targetPrecision: number,
  coverage?: HeldOutCoverage,
): HeldOutCalibration {
  if (logits.length === 0) {
    return { temperature: 1, unsureThreshold: 0, heldOutAccuracy: null, heldOutEscalationRate: null, heldOutConfidentPrecision: null };
  }
  const temperature = fitTemperature(logits, labels);
  const predictions = logits.map((row, i) => {
    const probabilities = softmax(row, temperature, new Float64Array(row.length));
    let best = 0;
    for (let c = 1; c < row.length; c++) if ((probabilities[c] as number) > (probabilities[best] as number)) best = c;
    const confidence = probabilities[best] as number;
    const score = coverage ? inScopeScore(confidence, coverage.of(i, best), coverage.weight) : confidence;
    return { confidence, score, correct: best === labels[i] };
  });
  const unsureThreshold = chooseUnsureThreshold(predictions, targetPrecision);
  const inScopeThreshold = coverage ? chooseScoreThreshold(predictions, targetPrecision) : undefined;
  const kept = predictions.filter((p) => (inScopeThreshold === undefined ? p.confidence >= unsureThreshold : p.score >= inScopeThreshold));
  return {
    temperature,
    unsureThreshold,
    ...(inScopeThreshold === undefined ? {} : { inScopeThreshold }),
    heldOutAccuracy: predictions.filter((p) => p.correct).length / predictions.length,
    heldOutEscalationRate: 1 - kept.length / predictions.length,
    heldOutConfidentPrecision: kept.length > 0 ? kept.filter((p) => p.correct).length / kept.length : null,
  };
}
