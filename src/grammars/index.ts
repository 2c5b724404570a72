// The byte-automaton layer: content constraints as minimal DFAs over UTF-8 bytes, their analyses,
// and their GBNF export. Imports only src/ltl and node builtins; knows nothing of models or tokens.
export { runBytes, acceptsBytes } from "./byte-dfa.js";
export type { ByteDfa } from "./byte-dfa.js";
export { RegexSyntaxError, AutomatonTooLargeError } from "./errors.js";
export {
  DEFAULT_MAX_STATES,
  emptyDfa,
  isEmptyLanguage,
  byteClasses,
  jointByteClasses,
  tableByteClasses,
  liveStates,
  reachableStates,
  trimDfa,
  compactDfa,
  minimizeDfa,
  minimizeCompact,
  productDfa,
  unionDfa,
  intersectDfa,
  concatDfa,
} from "./ops.js";
export type { ByteClasses, CompactDfa, DfaBuildOptions } from "./ops.js";
export { literalDfa, choiceDfa, freeTextDfa, kmpTable } from "./constructions.js";
export type { FreeTextOptions } from "./constructions.js";
export { regexDfa, compileRegexTree } from "./regex.js";
export { parseRegex, MAX_GROUP_DEPTH, MAX_REPEAT_BOUND } from "./regex-parser.js";
export type { RegexNode } from "./regex-parser.js";
export {
  isPrefixFree,
  prefixFreeWitness,
  boundedEquivalenceClasses,
  distancesToAcceptance,
  shortestSuffix,
  shortestWord,
  sampleWord,
  enumerateWords,
} from "./analysis.js";
export type { PrefixWitness, RandomSource, SampleOptions } from "./analysis.js";
export {
  GbnfBuilder,
  GBNF_NEVER,
  gbnfLiteral,
  gbnfCharClass,
  literalToGbnf,
  choiceToGbnf,
  regexToGbnf,
  freeTextToGbnf,
  dfaToGbnf,
} from "./gbnf.js";
export type { GbnfRule, FreeTextGbnfOptions } from "./gbnf.js";
export {
  encodeUtf8,
  encodeCodePoint,
  isValidUtf8,
  utf8Length,
  utf8RangeSequences,
  utf8SetSequences,
  UTF8_NEXT,
  UTF8_STATES,
} from "./utf8.js";
export type { ByteRangeSequence } from "./utf8.js";
export {
  cpSet,
  cpUnion,
  cpComplement,
  cpScalarComplement,
  cpWithoutSurrogates,
  cpContains,
  cpSize,
  ANY_SCALAR,
  DIGIT,
  DOT,
  SPACE,
  WORD,
  MAX_CODE_POINT,
} from "./codepoints.js";
export type { CodePointSet } from "./codepoints.js";
export {
  jsonSchemaDfa,
  compileJsonSchema,
  formatWarnings,
  SchemaError,
  ANY_VALUE_DEPTH,
  COMPLETE_ANY_VALUE_DEPTH,
  DEFAULT_RECURSION_DEPTH,
  MAX_LENGTH_BOUND,
  MAX_ITEMS_BOUND,
  COMPLETE_MAX_LENGTH_BOUND,
  COMPLETE_MAX_ITEMS_BOUND,
  MAX_BRANCH_COMBINATIONS,
} from "./json-schema.js";
export type { CompiledJsonSchema, FieldConstraint, JsonSchemaOptions, SchemaWarning } from "./json-schema.js";
export { DfaAssembly, jsonStringDfa, utf8LengthDfa, complementWithinUtf8, multipleOfDfa } from "./json-schema-automata.js";
