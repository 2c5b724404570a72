/**
 * A small builder for ONNX graphs, serialized with onnx-proto (protobuf). Only what the project's
 * own models need: typed inputs and outputs with symbolic dimensions, nodes with int/ints
 * attributes, and initializers stored as raw little-endian bytes (which keeps a 150k-row table a
 * single memcpy for the runtime instead of a repeated protobuf field).
 */
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/** ONNX element types used here (TensorProto.DataType). */
export const ONNX_TYPE = { float: 1, int32: 6, int64: 7 } as const;
export type OnnxElementType = keyof typeof ONNX_TYPE;

/** A dimension: a fixed size, or a name shared by every dimension of the same (runtime) size. */
export type OnnxDim = number | string;

type AttributeValue = number | readonly number[];

export interface OnnxGraphOptions {
  readonly name: string;
  /** Default-domain opset; every operator below is used with its opset-13+ signature. */
  readonly opset?: number;
  readonly producer?: string;
  /** Key/value pairs stored in the model's metadata_props (e.g. a build id). */
  readonly metadata?: Readonly<Record<string, string>>;
}

export class OnnxGraph {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(private readonly options: OnnxGraphOptions) {}

  input(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Declares `value` (already produced by a node) as a graph output. */
  output(value: string, type: OnnxElementType, dims: readonly OnnxDim[]): void {
    this.outputs.push(valueInfo(value, type, dims));
  }

  /** A constant tensor stored in the file. */
  initializer(name: string, type: OnnxElementType, dims: readonly number[], data: Float32Array | Int32Array | BigInt64Array): string {
    this.claim(name);
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`initializer ${name}: dims ${dims.join("×")} hold ${count} values, got ${data.length}`);
    const expected = type === "float" ? Float32Array : type === "int32" ? Int32Array : BigInt64Array;
    if (!(data instanceof expected)) throw new Error(`initializer ${name}: ${type} data must be a ${expected.name}`);
    // Raw data is little-endian by the ONNX spec; typed arrays use the host order, so check it.
    if (!LITTLE_ENDIAN) throw new Error("writing ONNX raw tensors needs a little-endian host");
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [...dims],
        dataType: ONNX_TYPE[type],
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    return name;
  }

  /** A small int64 constant (axes, slice bounds). */
  ints(name: string, values: readonly number[]): string {
    return this.initializer(name, "int64", [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** Adds a node; returns the names of its outputs (`outputs` of them, or the given names). */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, outputs: number | readonly string[] = 1): string[] {
    const outNames = typeof outputs === "number" ? Array.from({ length: outputs }, () => `${opType.toLowerCase()}_${this.counter++}`) : [...outputs];
    for (const name of outNames) this.claim(name);
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        input: [...inputs],
        output: outNames,
        name: `${opType}_${this.nodes.length}`,
        attribute: Object.entries(attributes).map(([name, value]) =>
          typeof value === "number"
            ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value })
            : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...value] }),
        ),
      }),
    );
    return outNames;
  }

  /** Shorthand for a node with one output. */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, output?: string): string {
    return this.node(opType, inputs, attributes, output === undefined ? 1 : [output])[0]!;
  }

  /** The serialized model (deterministic: the same graph gives the same bytes). */
  encode(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: this.options.producer ?? "ltlguard",
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: "", version: this.options.opset ?? 17 })],
      metadataProps: Object.entries(this.options.metadata ?? {}).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
      graph: onnx.GraphProto.create({
        name: this.options.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`ONNX graph ${this.options.name}: the name ${name} is used twice`);
    this.names.add(name);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function valueInfo(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: ONNX_TYPE[type],
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === "number" ? onnx.TensorShapeProto.Dimension.create({ dimValue: d }) : onnx.TensorShapeProto.Dimension.create({ dimParam: d }))),
        }),
      }),
    }),
  });
}
