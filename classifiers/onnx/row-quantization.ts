/**
 * Symmetric per-row int8 quantisation of the embedding table: each row keeps its own scale
 * (max |value| / 127). A quarter of float32's size; the model is rounded to it after training so
 * the reference implementation and the ONNX graph compute the same numbers.
 */
export interface QuantizedRows {
  values: Int8Array;
  scales: Float32Array;
}

export function quantizeRows(table: Float32Array, width: number): QuantizedRows {
  const rows = table.length / width;
  const values = new Int8Array(table.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let d = 0; d < width; d++) max = Math.max(max, Math.abs(table[r * width + d] as number));
    const scale = max / 127;
    scales[r] = scale;
    if (scale === 0) continue;
    for (let d = 0; d < width; d++) values[r * width + d] = Math.round((table[r * width + d] as number) / scale);
  }
  return { values, scales };
}

/** Replaces every value by its quantised value (q × row scale), in place. */
export function roundToQuantizedRows(table: Float32Array, width: number): Float32Array {
  const { values, scales } = quantizeRows(table, width);
  for (let i = 0; i < table.length; i++) table[i] = (values[i] as number) * (scales[Math.floor(i / width)] as number);
  return table;
}
