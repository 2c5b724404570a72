// The public surface of ltlguard: re-exported by name, so internals stay internal.
export { TRUE, FALSE, LAST, atom, not, and, or, next, eventually, conjunction, disjunction, atomsOf, formulasEqual } from "./ltl/ast.js";
export type { Formula, UnaryKind, BinaryKind } from "./ltl/ast.js";
export { formulaToString } from "./ltl/print.js";
export { parseSpec, parseFormula, parseFormulaAsSpec } from "./ltl/spec.js";
export type { Spec, SpecMode, SpecFormula, Definition, ParseSpecOptions, ParseFormulaOptions } from "./ltl/spec.js";
export { SpecError, TooManyStatesError, TooManyNodesError, UnsupportedFormulaError, CompileTimeoutError } from "./ltl/errors.js";
export type { SourceLocation, SpecErrorKind } from "./ltl/errors.js";
export { compileFormula, compileFormulaAsync, DEFAULT_MAX_STATES } from "./ltl/compile.js";
export { DEFAULT_MAX_NODES } from "./ltl/mtbdd.js";
export type { CompileOptions, CompileTarget } from "./ltl/compile.js";
export { Dfa, stepNames, stepEvent, run, accepts, guardHolds, guardToFormula } from "./ltl/dfa.js";
export type { DfaTransition, GuardTable, TransitionTable } from "./ltl/dfa.js";
export { analyze, allowedEvents, mayEnd, compileSpec, compileSpecAsync, reachableAfterOneStep } from "./ltl/analysis.js";
export type { DfaAnalysis, CompiledSpec } from "./ltl/analysis.js";
export { parseTrace } from "./ltl/trace.js";
export type { TraceStep } from "./ltl/trace.js";
export { checkTrace } from "./ltl/verdict.js";
export type { TraceVerdict } from "./ltl/verdict.js";
export { dfaToJson, dfaToJsonChunks, stepJson } from "./ltl/export/json.js";
export type { DfaJson } from "./ltl/export/json.js";
export { dfaToDot } from "./ltl/export/dot.js";
export type { DotOptions } from "./ltl/export/dot.js";
export { dfaToHoa } from "./ltl/export/hoa.js";
export { dfaToSvg } from "./ltl/export/svg.js";
export { toMonaProgram } from "./ltl/mona.js";
export { MAX_SEGMENT_BYTES, segmentText } from "./ltl/segments.js";
export type { SegmentContent, SegmentFormat, SegmentWriter } from "./ltl/segments.js";

// Byte-level automata and the output language (src/grammars).
export { composeOutput, stepOutput, eventsAllowedAt, DEFAULT_MAX_OUTPUT_STATES } from "./grammars/output.js";
export type { OutputAutomaton, ComposeOptions } from "./grammars/output.js";
export { segmentDfa } from "./grammars/segment.js";
export { literalDfa, choiceDfa, freeTextDfa, regexDfa, concatDfa, unionDfa } from "./grammars/constructions.js";
export { runBytes, acceptsBytes } from "./grammars/byte-dfa.js";
export type { ByteDfa } from "./grammars/byte-dfa.js";
export { RegexSyntaxError, AutomatonTooLargeError } from "./grammars/errors.js";

// The project's own models (src/models).
export { ensureModel, buildModels, modelPath, MODEL_NAMES } from "./models/build.js";
export type { ModelName } from "./models/build.js";
export { inspectGguf, ModelFileError } from "./models/gguf-reader.js";

// Constrained decoding on llama.cpp (src/decoder).
export { LlamaBackend, BackendStartError, ALLOW_LIST_LOGIT } from "./decoder/llama.js";
export type { LlamaBackendOptions, GpuChoice } from "./decoder/llama.js";
export { ConstrainedDecoder } from "./decoder/decoder.js";
export type { DecoderOptions, DecoderTimings, PromptTokens } from "./decoder/decoder.js";
export { ChatTemplate, ChatTemplateError, renderPrompt, modelChatTemplate } from "./decoder/chat-template.js";
export type { ChatTemplateChoice, ThinkingChoice, ChatTurn, RenderedPrompt, ThinkingBlock } from "./decoder/chat-template.js";
export { startOutput, thinkingSpec } from "./decoder/thinking.js";
export type { StartedOutput, Thought } from "./decoder/thinking.js";
export { Generation, SegmentContentError } from "./decoder/generation.js";
export type { SamplingOptions, GenerationLimits, StopReason, GeneratedSegment, GenerationListener, Awaiting } from "./decoder/generation.js";
export { MaskIndex } from "./decoder/mask.js";
export type { TokenMask, MaskIndexStats } from "./decoder/mask.js";
export { buildVocabulary } from "./decoder/vocabulary.js";
export type { TokenizerKind } from "./decoder/vocabulary.js";
// The engine API: vocabularies, compiled constraints, matchers (docs/engine-api.md).
export { Vocabulary, compileConstraint, constraintFromOutput, CompiledConstraint, ConstraintMatcher, TokenBitmask, DEFAULT_PRECOMPUTE_MS } from "./decoder/engine.js";
export type { ConstraintSource, CompileConstraintOptions } from "./decoder/engine.js";
export type { FromTokenizerJsonOptions } from "./decoder/vocabulary-sources.js";
export { MaskEngine } from "./decoder/mask-engine.js";
export { outputToGbnf } from "./grammars/output-gbnf.js";
export type { OutputGbnfOptions } from "./grammars/output-gbnf.js";

// Tools as events, JSON-Schema arguments, and the agent runtime (src/ltl, src/grammars, src/agents).
export { bindTools, usesTools, toolCallAtomName } from "./ltl/tool-calls.js";
export type { ToolSignature, ToolCallAtom, ArgumentTest, EventVariant, ToolBinding, BindToolsOptions } from "./ltl/tool-calls.js";
export { bindToolRegistry } from "./grammars/tools.js";
export { jsonSchemaDfa, SchemaError } from "./grammars/json-schema.js";
export type { JsonSchemaOptions, FieldConstraint } from "./grammars/json-schema.js";
export { readTranscript } from "./grammars/output.js";
export type { TranscriptMismatch } from "./grammars/output.js";
export { ToolRegistry, ToolModuleError, callTool, loadToolModule, DEFAULT_TOOL_TIMEOUT_MS } from "./agents/tools.js";
export type { Tool, ToolContext, ToolOutcome } from "./agents/tools.js";
export { exampleTools, evaluateArithmetic, searchDocuments, clockQuery, EXAMPLE_DOCUMENTS } from "./agents/example-tools.js";
export { runAgent, fitToSegment } from "./agents/runtime.js";
export type { AgentRunOptions, AgentRunResult, AgentStop, AgentListener, ToolCallRecord, EnvironmentRequest, ProposalContext } from "./agents/runtime.js";
export { JsonlTranscript, MemoryTranscript } from "./agents/transcript.js";
export type { TranscriptRecord, TranscriptSink } from "./agents/transcript.js";
export { buildPrompt, checkExamples, parseExamples, ExampleError } from "./agents/prompt.js";
export type { PromptOptions, Example } from "./agents/prompt.js";
