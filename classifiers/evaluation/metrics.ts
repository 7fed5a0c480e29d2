/** Classification metrics reported by `classifier eval` and the benchmark. */

export function accuracy(predicted: readonly string[], expected: readonly string[]): number {
  let correct = 0;
  predicted.forEach((label, i) => {
    if (label === expected[i]) correct++;
  });
  return predicted.length === 0 ? 0 : correct / predicted.length;
}

/** Unweighted mean of per-label F1 over the labels of `expected`. */
export function macroF1(predicted: readonly string[], expected: readonly string[]): number {
  const labels = new Set(expected);
  let total = 0;
  for (const label of labels) {
    let truePositives = 0;
    let predictedCount = 0;
    let expectedCount = 0;
    predicted.forEach((p, i) => {
      if (p === label) predictedCount++;
      if (expected[i] === label) expectedCount++;
      if (p === label && expected[i] === label) truePositives++;
    });
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = expectedCount === 0 ? 0 : truePositives / expectedCount;
    total += precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  }
  return labels.size === 0 ? 0 : total / labels.size;
}

/** Nearest-rank percentile (0 < p ≤ 100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
