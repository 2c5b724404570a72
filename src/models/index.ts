/** The project's own models: GGUF reading/writing, the trace corpus, and the model builders. */
export {
  buildModels,
  BUILDER_VERSION,
  type BuildOptions,
  type BuiltModel,
  defaultModelsDir,
  ensureModel,
  expectedBuildId,
  type FitReport,
  isModelName,
  MODEL_NAMES,
  type ModelName,
  modelPath,
  qwen3CorpusSequences,
  staleReason,
} from "./build.js";
export {
  generateCorpus,
  generateTrace,
  MAX_CONTENT_BYTES,
  SEGMENT_TAGS,
  type Segment,
  type SegmentKind,
  splitCorpus,
  type Tool,
  TOOLS,
  type Trace,
  TRACE_SHAPES,
  type TraceShape,
  traceText,
} from "./corpus.js";
export { f16BitsToF32, f32ToF16Bits, GGML_TYPES, type GgufArrayValue, type GgufValue, gv } from "./gguf-format.js";
export { type GgufInfo, type GgufTensorInfo, inspectGguf, type InspectOptions, ModelFileError, readTensorData } from "./gguf-reader.js";
export { encodeGguf, type GgufFileSpec, type GgufTensorSpec, GgufWriteError, writeGgufFile } from "./gguf-writer.js";
export { Prng } from "./prng.js";
