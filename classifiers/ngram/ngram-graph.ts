/**
 * The n-gram classifier as an ONNX graph: character ids in (`input_ids`, right-padded with 0),
 * logits out. It recomputes `features.ts`'s hashed n-grams with integer ops (so no custom op or
 * tokenizer extension is needed), looks up the compact rows, and runs the bag model.
 */
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

/** Σ over the group of Gather(embedding, rows) / sqrt(count of valid slots). */
function bagOfGroup(g: OnnxGraphBuilder, slots: string, valid: string, lookup: string, embedding: string): string {
  const rows = g.node("Where", [valid, g.node("Gather", [lookup, slots]), g.constant({ type: "int32", dims: [], data: Int32Array.of(0) })]);
  const vectors = g.node("Gather", [embedding, rows]);
  const summed = g.node("ReduceSum", [vectors, g.int64s([1])], { keepdims: { int: 0 } });
  const count = g.node("ReduceSum", [g.node("Cast", [valid], { to: { int: 1 } }), g.int64s([1])], { keepdims: { int: 1 } });
  const scale = g.node("Sqrt", [g.node("Max", [count, g.float(1)])]);
  return g.node("Div", [summed, scale]);
}

export function buildNgramGraph(spec: NgramFeatureSpec, featureRows: FeatureRows, model: BagModel): Uint8Array {
  const g = new OnnxGraphBuilder("switchyard_ngram_classifier");
  const ids = g.input("input_ids", "int64", ["batch", "sequence"]);
  const scalar = (value: number) => g.int64(value);

  const isPad = g.node("Equal", [ids, scalar(PAD_ID)]);
  const characters = g.node("Where", [isPad, scalar(SEPARATOR_ID), ids]);
  const batch = g.node("Slice", [g.node("Shape", [ids]), g.int64s([0]), g.int64s([1]), g.int64s([0])]);
  const separatorColumn = g.node("Expand", [g.int64s([SEPARATOR_ID], [1, 1]), g.node("Concat", [batch, g.int64s([1])], { axis: { int: 0 } })]);
  const x = g.node("Concat", [separatorColumn, characters, separatorColumn], { axis: { int: 1 } });
  const realLength = g.node("ReduceSum", [g.node("Cast", [g.node("Not", [isPad])], { to: { int: 7 } }), g.int64s([1])], {
    keepdims: { int: 1 },
  });
  const ones = g.node("ConstantOfShape", [g.node("Shape", [x])], {
    value: { tensor: { type: "int64", dims: [1], data: BigInt64Array.of(1n) } },
  });
  const positions = g.node("Sub", [g.node("CumSum", [ones, scalar(1)]), scalar(1)]);

  // Character n-grams: a window starting at p is valid while p + order <= realLength + 2.
  const charSlots: string[] = [];
  const charValid: string[] = [];
  for (const order of spec.charOrders) {
    let hash = "";
    let scale = 1;
    for (let k = 0; k < order; k++) {
      const tail = k - (order - 1);
      const column = sliceColumns(g, x, k, tail === 0 ? null : tail);
      const term = scale === 1 ? column : g.node("Mul", [column, scalar(scale)]);
      hash = hash === "" ? term : g.node("Add", [hash, term]);
      scale *= spec.vocabSize;
    }
    charSlots.push(g.node("Mod", [hash, scalar(spec.charBuckets)]));
    const starts = sliceColumns(g, positions, 0, order === 1 ? null : 1 - order);
    charValid.push(g.node("Less", [starts, g.node("Sub", [realLength, scalar(order - 3)])]));
  }
  const concat = (parts: string[]) => (parts.length === 1 ? (parts[0] as string) : g.node("Concat", parts, { axis: { int: 1 } }));

  // Words: pair values summed per word (ScatterElements add), words indexed by the separators before them.
  const isSeparator = g.node("Equal", [x, scalar(SEPARATOR_ID)]);
  const wordIndex = g.node("Sub", [g.node("CumSum", [g.node("Cast", [isSeparator], { to: { int: 7 } }), scalar(1)]), scalar(1)]);
  const pairIds = g.node("Add", [g.node("Mul", [sliceColumns(g, x, 0, -1), scalar(spec.vocabSize)]), sliceColumns(g, x, 1, null)]);
  const pairs = pairTable(spec);
  const pairValues = g.node("Gather", [g.constant({ type: "int64", dims: [pairs.length], data: BigInt64Array.from(pairs, (v) => BigInt(v)) }, "pairs"), pairIds]);
  const zeros = g.node("ConstantOfShape", [g.node("Shape", [x])], {
    value: { tensor: { type: "int64", dims: [1], data: BigInt64Array.of(0n) } },
  });
  const wordHash = g.node("ScatterElements", [zeros, sliceColumns(g, wordIndex, 0, -1), pairValues], {
    axis: { int: 1 },
    reduction: { string: "add" },
  });
  const letters = g.node("ScatterElements", [zeros, wordIndex, g.node("Cast", [g.node("Not", [isSeparator])], { to: { int: 7 } })], {
    axis: { int: 1 },
    reduction: { string: "add" },
  });
  const wordValid = g.node("Greater", [letters, scalar(0)]);
  const wordSlots = g.node("Add", [g.node("Mod", [wordHash, scalar(spec.wordBuckets)]), scalar(spec.charBuckets)]);
  const reduced = g.node("Mod", [wordHash, scalar(WORD_HASH_MODULUS)]);
  const bigramHash = g.node("Add", [g.node("Mul", [sliceColumns(g, reduced, 0, -1), scalar(BIGRAM_MULTIPLIER)]), sliceColumns(g, reduced, 1, null)]);
  const bigramSlots = g.node("Add", [g.node("Mod", [bigramHash, scalar(spec.wordBigramBuckets)]), scalar(spec.charBuckets + spec.wordBuckets)]);
  const bigramValid = g.node("And", [sliceColumns(g, wordValid, 0, -1), sliceColumns(g, wordValid, 1, null)]);

  const lookup = g.constant({ type: "int32", dims: [featureRows.lookup.length], data: featureRows.lookup }, "lookup");
  const embedding = g.constant({ type: "float", dims: [model.rows, model.width], data: model.embedding }, "embedding");
  const charVector = bagOfGroup(g, concat(charSlots), concat(charValid), lookup, embedding);
  const wordVector = bagOfGroup(g, concat([wordSlots, bigramSlots]), concat([wordValid, bigramValid]), lookup, embedding);
  const pre = g.node("Add", [g.node("Add", [charVector, wordVector]), g.constant({ type: "float", dims: [model.width], data: model.bias }, "bias")]);
  const logits = model.hidden
    ? g.node("Gemm", [g.node("Relu", [pre]), g.constant({ type: "float", dims: [model.classes, model.width], data: model.outWeight }, "out_weight"), g.constant({ type: "float", dims: [model.classes], data: model.outBias }, "out_bias")], { transB: { int: 1 } })
    : pre;
  g.output(logits, "float", ["batch", model.classes], "logits");
  return g.toModelBytes({ producer: "switchyard" });
}
