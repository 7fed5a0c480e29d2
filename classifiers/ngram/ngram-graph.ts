/**
 * The n-gram classifier as an ONNX graph: character ids in (`input_ids`, right-padded with 0),
 * logits out. It recomputes `features.ts`'s hashed n-grams with integer ops (so no custom op or
 * tokenizer extension is needed), looks up the compact rows, and runs the bag model.
 */
import { quantizeRows } from "../onnx/row-quantization.js";
import { OnnxGraphBuilder } from "../onnx/onnx-graph-builder.js";
import type { BagModel } from "./bag-model.js";
import {
  BIGRAM_MULTIPLIER,
  PAD_ID,
  SEPARATOR_ID,
  WORD_HASH_MODULUS,
  pairTable,
  type NgramFeatureSpec,
} from "./features.js";
import type { FeatureRows } from "./feature-rows.js";

/** Slice along axis 1 from `start` to `end` (negative end counts from the end; null = to the end). */
function sliceColumns(g: OnnxGraphBuilder, input: string, start: number, end: number | null): string {
  const stop = end === null ? Number.MAX_SAFE_INTEGER : end;
  return g.node("Slice", [input, g.int64s([start]), g.int64s([stop]), g.int64s([1])]);
}

/** valid / sqrt(max(number of valid slots in the row, 1)), as float. */
function groupWeights(g: OnnxGraphBuilder, valid: string): string {
  const mask = g.node("Cast", [valid], { to: { int: 1 } });
  const count = g.node("ReduceSum", [mask, g.int64s([1])], { keepdims: { int: 1 } });
  return g.node("Mul", [mask, g.node("Pow", [g.node("Max", [count, g.float(1)]), g.float(-0.5)])]);
}

/**
 * Builds the graph. Node count matters more than arithmetic here (ONNX Runtime spends a few
 * microseconds per node on a short query), so all character n-gram orders are hashed at once from
 * one [batch, position, offset] window tensor, and both feature groups share one embedding gather.
 */
export function buildNgramGraph(spec: NgramFeatureSpec, featureRows: FeatureRows, model: BagModel): Uint8Array {
  const g = new OnnxGraphBuilder("switchyard_ngram_classifier");
  const ids = g.input("input_ids", "int64", ["batch", "sequence"]);
  const scalar = (value: number) => g.int64(value);
  const axis1 = { axis: { int: 1 } };

  const isPad = g.node("Equal", [ids, scalar(PAD_ID)]);
  const characters = g.node("Where", [isPad, scalar(SEPARATOR_ID), ids]);
  // Frame every row with a separator on each side.
  const x = g.node("Pad", [characters, g.int64s([0, 1, 0, 1]), scalar(SEPARATOR_ID)]);
  const realLength = g.node("ReduceSum", [g.node("Cast", [g.node("Not", [isPad])], { to: { int: 7 } }), g.int64s([1])], {
    keepdims: { int: 1 },
  });

  // Character n-grams of every order from one window tensor: windows[b, p, k] = x[b, p + k].
  const maxOrder = Math.max(...spec.charOrders);
  const framedLength = g.node("Squeeze", [g.node("Shape", [x], { start: { int: 1 }, end: { int: 2 } })]);
  const positions = g.node("Range", [scalar(0), framedLength, scalar(1)]);
  const padded = g.node("Pad", [x, g.int64s([0, 0, 0, maxOrder - 1]), scalar(PAD_ID)]);
  const offsets = g.int64s(Array.from({ length: maxOrder }, (_, k) => k), [1, maxOrder]);
  const windowIndex = g.node("Add", [g.node("Unsqueeze", [positions, g.int64s([1])]), offsets]);
  const windows = g.node("Gather", [padded, windowIndex], axis1);
  const powers = Array.from({ length: maxOrder }, (_, k) => spec.vocabSize ** k);
  const prefixHashes = g.node("CumSum", [g.node("Mul", [windows, g.int64s(powers)]), scalar(2)]);
  const orders = spec.charOrders;
  const hashes = g.node("Gather", [prefixHashes, g.int64s(orders.map((order) => order - 1))], { axis: { int: 2 } });
  // Reshape's 0 copies the batch dimension.
  const flat = g.int64s([0, -1]);
  const charSlots = g.node("Reshape", [g.node("Mod", [hashes, scalar(spec.charBuckets)]), flat]);
  // A window starting at p is valid while p + order <= realLength + 2.
  const windowEnds = g.node("Add", [g.node("Unsqueeze", [positions, g.int64s([1])]), g.int64s(orders, [1, orders.length])]);
  const limit = g.node("Unsqueeze", [g.node("Add", [realLength, scalar(3)]), g.int64s([2])]);
  const charValid = g.node("Reshape", [g.node("Less", [g.node("Unsqueeze", [windowEnds, g.int64s([0])]), limit]), flat]);

  // Words: pair values summed per word (ScatterElements add), words indexed by the separators before them.
  const isSeparator = g.node("Equal", [x, scalar(SEPARATOR_ID)]);
  const wordIndex = g.node("Sub", [g.node("CumSum", [g.node("Cast", [isSeparator], { to: { int: 7 } }), scalar(1)]), scalar(1)]);
  const pairIds = g.node("Add", [g.node("Mul", [sliceColumns(g, x, 0, -1), scalar(spec.vocabSize)]), sliceColumns(g, x, 1, null)]);
  const pairs = pairTable(spec);
  const pairValues = g.node("Gather", [g.constant({ type: "int64", dims: [pairs.length], data: BigInt64Array.from(pairs, (v) => BigInt(v)) }, "pairs"), pairIds]);
  const zeros = g.node("ConstantOfShape", [g.node("Shape", [x])], {
    value: { tensor: { type: "int64", dims: [1], data: BigInt64Array.of(0n) } },
  });
  const scatterAdd = { axis: { int: 1 }, reduction: { string: "add" } };
  const wordHash = g.node("ScatterElements", [zeros, sliceColumns(g, wordIndex, 0, -1), pairValues], scatterAdd);
  const letters = g.node("ScatterElements", [zeros, wordIndex, g.node("Cast", [g.node("Not", [isSeparator])], { to: { int: 7 } })], scatterAdd);
  const wordValid = g.node("Greater", [letters, scalar(0)]);
  const wordSlots = g.node("Add", [g.node("Mod", [wordHash, scalar(spec.wordBuckets)]), scalar(spec.charBuckets)]);
  const reduced = g.node("Mod", [wordHash, scalar(WORD_HASH_MODULUS)]);
  const bigramHash = g.node("Add", [g.node("Mul", [sliceColumns(g, reduced, 0, -1), scalar(BIGRAM_MULTIPLIER)]), sliceColumns(g, reduced, 1, null)]);
  const bigramSlots = g.node("Add", [g.node("Mod", [bigramHash, scalar(spec.wordBigramBuckets)]), scalar(spec.charBuckets + spec.wordBuckets)]);
  const bigramValid = g.node("And", [sliceColumns(g, wordValid, 0, -1), sliceColumns(g, wordValid, 1, null)]);
  const wordGroupValid = g.node("Concat", [wordValid, bigramValid], axis1);

  // One weighted embedding bag over both groups: weight = valid / sqrt(count of the group's valid slots).
  const slots = g.node("Concat", [charSlots, wordSlots, bigramSlots], axis1);
  const weights = g.node("Concat", [groupWeights(g, charValid), groupWeights(g, wordGroupValid)], axis1);
  const lookup = g.constant({ type: "int32", dims: [featureRows.lookup.length], data: featureRows.lookup }, "lookup");
  // int8 rows with a per-row scale: a quarter of float32. The trained weights are rounded to this
  // (roundToQuantizedRows) so the graph and the reference implementation agree. The row scale is
  // folded into the bag weights, so the [batch, slots, width] tensor is only cast, never scaled.
  const quantized = quantizeRows(model.embedding, model.width);
  const rowIds = g.node("Gather", [lookup, slots]);
  const embedding = g.constant({ type: "int8", dims: [model.rows, model.width], data: quantized.values }, "embedding");
  const rowScales = g.constant({ type: "float", dims: [model.rows], data: quantized.scales }, "row_scales");
  const vectors = g.node("Cast", [g.node("Gather", [embedding, rowIds])], { to: { int: 1 } });
  const scaledWeights = g.node("Mul", [weights, g.node("Gather", [rowScales, rowIds])]);
  const bag = g.node("Squeeze", [g.node("MatMul", [g.node("Unsqueeze", [scaledWeights, g.int64s([1])]), vectors]), g.int64s([1])]);
  const pre = g.node("Add", [bag, g.constant({ type: "float", dims: [model.width], data: model.bias }, "bias")]);
  const logits = model.hidden
    ? g.node("Gemm", [g.node("Relu", [pre]), g.constant({ type: "float", dims: [model.classes, model.width], data: model.outWeight }, "out_weight"), g.constant({ type: "float", dims: [model.classes], data: model.outBias }, "out_bias")], { transB: { int: 1 } })
    : pre;
  g.output(logits, "float", ["batch", model.classes], "logits");
  return g.toModelBytes({ producer: "switchyard" });
}
