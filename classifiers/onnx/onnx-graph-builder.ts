/**
 * Builds ONNX ModelProto bytes from a small in-memory graph description. Field numbers follow
 * onnx/onnx.proto (IR version 8, default-domain opset 17), which every onnxruntime since 1.14 reads.
 */
import { ProtoWriter } from "./protobuf-writer.js";

const IR_VERSION = 8;
export const OPSET_VERSION = 17;

export const ElementType = { float: 1, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10 } as const;
export type ElementTypeName = keyof typeof ElementType;

export type Tensor =
  | { type: "float"; dims: readonly number[]; data: Float32Array }
  | { type: "float16"; dims: readonly number[]; data: Uint16Array }
  | { type: "int8"; dims: readonly number[]; data: Int8Array }
  | { type: "int32"; dims: readonly number[]; data: Int32Array }
  | { type: "int64"; dims: readonly number[]; data: BigInt64Array };

export type AttributeValue =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { string: string }
  | { tensor: Tensor };

/** A tensor dimension: a fixed size or a symbolic name such as "batch". */
export type Dim = number | string;

interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Record<string, AttributeValue>;
}

interface ValueSpec {
  name: string;
  type: ElementTypeName;
  dims: readonly Dim[];
}

function tensorProto(name: string, tensor: Tensor): ProtoWriter {
  const writer = new ProtoWriter().packedInts(1, tensor.dims).int(2, ElementType[tensor.type]).string(8, name);
  const raw = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  // raw_data is little-endian by spec; typed arrays are little-endian on every platform Node runs on.
  return writer.bytes(9, raw);
}

function attributeProto(name: string, value: AttributeValue): ProtoWriter {
  const writer = new ProtoWriter().string(1, name);
  if ("int" in value) return writer.int(3, value.int).int(20, 2);
  if ("float" in value) return writer.float(2, value.float).int(20, 1);
  if ("ints" in value) return writer.packedInts(8, value.ints).int(20, 7);
  if ("string" in value) return writer.string(4, value.string).int(20, 3);
  return writer.message(5, tensorProto("", value.tensor)).int(20, 4);
}

function valueInfoProto(value: ValueSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of value.dims) {
    const dimension = typeof dim === "number" ? new ProtoWriter().int(1, dim) : new ProtoWriter().string(2, dim);
    shape.message(1, dimension);
  }
  const tensorType = new ProtoWriter().int(1, ElementType[value.type]).message(2, shape);
  return new ProtoWriter().string(1, value.name).message(2, new ProtoWriter().message(1, tensorType));
}

/**
 * @example
 * const g = new OnnxGraphBuilder("double");
 * const x = g.input("x", "float", ["batch", 4]);
 * g.output(g.node("Add", [x, x]), "float", ["batch", 4], "y");
 * const bytes = g.toModelBytes({ producer: "test" });
 */
export class OnnxGraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly inputs: ValueSpec[] = [];
  private readonly outputs: ValueSpec[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private nextId = 0;

  constructor(private readonly graphName: string) {}

  input(name: string, type: ElementTypeName, dims: readonly Dim[]): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Declares `value` a graph output named `name` (an Identity node renames it when needed). */
  output(value: string, type: ElementTypeName, dims: readonly Dim[], name: string): void {
    if (value !== name) this.nodes.push({ opType: "Identity", inputs: [value], outputs: [name], attributes: {} });
    this.outputs.push({ name, type, dims });
  }

  constant(tensor: Tensor, hint = "const"): string {
    const name = `${hint}_${this.nextId++}`;
    this.initializers.set(name, tensor);
    return name;
  }

  int64s(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant({ type: "int64", dims, data: BigInt64Array.from(values, (v) => BigInt(v)) }, "i64");
  }

  /** A scalar int64 constant. */
  int64(value: number): string {
    return this.constant({ type: "int64", dims: [], data: BigInt64Array.of(BigInt(value)) }, "i64");
  }

  float(value: number): string {
    return this.constant({ type: "float", dims: [], data: Float32Array.of(value) }, "f32");
  }

  /** Adds a node with one output and returns the output's name. */
  node(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}): string {
    const output = `${opType.toLowerCase()}_${this.nextId++}`;
    this.nodes.push({ opType, inputs, outputs: [output], attributes });
    return output;
  }

  toModelBytes(options: { producer: string; metadata?: Record<string, string> }): Uint8Array {
    const graph = new ProtoWriter();
    for (const node of this.nodes) {
      const proto = new ProtoWriter();
      for (const input of node.inputs) proto.string(1, input);
      for (const output of node.outputs) proto.string(2, output);
      proto.string(3, `${node.outputs[0]}_node`).string(4, node.opType);
      for (const [name, value] of Object.entries(node.attributes)) proto.message(5, attributeProto(name, value));
      graph.message(1, proto);
    }
    graph.string(2, this.graphName);
    for (const [name, tensor] of this.initializers) graph.message(5, tensorProto(name, tensor));
    for (const input of this.inputs) graph.message(11, valueInfoProto(input));
    for (const output of this.outputs) graph.message(12, valueInfoProto(output));

    const model = new ProtoWriter()
      .int(1, IR_VERSION)
      .string(2, options.producer)
      .message(7, graph)
      .message(8, new ProtoWriter().string(1, "").int(2, OPSET_VERSION));
    for (const [key, value] of Object.entries(options.metadata ?? {})) {
      model.message(14, new ProtoWriter().string(1, key).string(2, value));
    }
    return model.finish();
  }
}
