// The transformers.js backend, as its own entry point (`ltlguard/transformers`): importing it loads
// @huggingface/transformers and ONNX Runtime, which users of the llama.cpp path do not need.
export { TransformersBackend, checkModelFolder, ONNX_DTYPE_SUFFIX } from "./decoder/transformers.js";
export type { OnnxDtype, TransformersBackendOptions, TransformersGenerateOptions, TransformersOutput, EnvironmentText } from "./decoder/transformers.js";
export { ensureOnnxModel, onnxModelDir, ONNX_MODEL_NAMES } from "./models/onnx-model.js";
export type { OnnxModelName } from "./models/onnx-model.js";
