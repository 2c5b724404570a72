import * as ohm from "ohm-js";

/**
 * The concrete syntax of `.ltl` spec files, as an ohm grammar. The grammar is pure: every
 * semantic action (building formulas, expanding sugar, resolving names) lives in `parser.ts`.
 *
 * Operators are upper-case keywords and atoms are lower-case identifiers, so two formulas can
 * never run together into one; statements are still separated by a newline or `;` (checked by the
 * parser, which sees where each statement starts and ends).
 */
export const SPEC_GRAMMAR_SOURCE = String.raw`
LtlSpec {
  Spec = Entry*
  Entry = Statement | ";"
  Statement = Declaration | SegmentDecl | Definition | Formula

  Declaration = declKeyword NonemptyListOf<ident, ",">
  declKeyword = ("atoms" | "events") ~idChar

  // How an event appears in the output text: its tag, its content, and who writes it.
  SegmentDecl = kw<"segment"> ident string SegmentContent SegmentOption*
  SegmentContent = kw<"text"> TextLimit*  -- text
                 | kw<"one"> kw<"of"> kw<"tools">  -- tools
                 | kw<"one"> kw<"of"> NonemptyListOf<string, ",">  -- choice
                 | kw<"json"> kw<"args"> "(" ident ")"  -- args
                 | kw<"matching"> regexLiteral  -- regex
  TextLimit = kw<"until"> string  -- until
            | kw<"max"> number  -- max
  SegmentOption = kw<"end"> string  -- end
                | kw<"by"> writer  -- by
  writer = ("model" | "environment") ~idChar

  // Strings use JSON-style escapes; a regular expression is written between slashes, with "\/"
  // for a slash inside it.
  string = "\"" stringChar* "\""
  stringChar = "\\" any  -- escape
             | ~("\"" | "\\" | "\n") any  -- plain
  regexLiteral = "/" regexChar+ "/"
  regexChar = "\\" ~"\n" any  -- escape
            | ~("/" | "\\" | "\n") any  -- plain

  Definition = kw<"define"> ident Params? "=" Formula
  Params = "(" ListOf<ident, ","> ")"

  FormulaOnly = Formula

  // A formula is read flat — operands and the binary operators between them — and precedence
  // and associativity are applied afterwards (buildChain in syntax.ts), so that long chains such
  // as a & b & c & … or X X X a cost no parser recursion.
  Formula = Operand (binaryOperator Operand)*
  Operand = Prefix* Primary
  Prefix = "!"  -- not
         | unaryOp  -- temporal
         | kw<"at"> countWord number  -- count
         | kw<"exactly"> number  -- exactly
  Primary = "(" Formula ")"  -- paren
          | kw<"true">  -- true
          | kw<"false">  -- false
          | kw<"last">  -- last
          | kw<"pattern"> "(" Regex ")"  -- pattern
          | kw<"call"> "(" toolName ("," FieldTest)? ")"  -- toolCall
          | callHead ListOf<Formula, ","> ")"  -- call
          | ident  -- name

  // A tool call as an atom: call(transfer), call(delete_file, path matching /\/etc\/.*/).
  toolName = ident | string
  FieldTest = NonemptyListOf<toolName, "."> kw<"matching"> regexLiteral

  Regex = Regex "|" RegexSeq  -- alt
        | RegexSeq
  RegexSeq = RegexItem*
  RegexItem = RegexAtom quantifier?
  RegexAtom = "(" Regex ")"  -- group
            | "."  -- any
            | "[" Formula "]"  -- step
            | ident  -- name
  quantifier = "*" | "+" | "?" | bounds
  bounds = "{" spaces number? spaces ("," spaces number? spaces)? "}"  -- range
         | "{" spaces ("<=" | "≤") spaces number spaces "}"  -- atMost

  unaryOp = ("WX" | "WY" | "X" | "F" | "G" | "Y" | "O" | "H") ~idChar
  binaryOperator = "<->" | "->" | "|" | "&" | binaryOp
  binaryOp = ("U" | "R" | "W" | "M" | "S") ~idChar
  countWord = ("most" | "least") ~idChar

  // A macro call's "(" must follow the name directly: "m (b)" or "m" at the end of a line followed
  // by "(b)" on the next are two statements, never a call.
  callHead = ident "("

  kw<word> = word ~idChar
  keyword = ("true" | "false" | "last" | "atoms" | "events" | "define" | "at" | "exactly" | "pattern" | "segment") ~idChar
  ident = ~keyword identStart idChar*
  identStart = "a".."z" | "_"
  idChar = alnum | "_"
  number = digit+

  space += comment
  comment = "#" (~"\n" any)*  -- hash
          | "//" (~"\n" any)*  -- slashes
}
`;

let grammar: ohm.Grammar | undefined;

/** The compiled grammar (built once, on first use). */
export function specGrammar(): ohm.Grammar {
  grammar ??= ohm.grammar(SPEC_GRAMMAR_SOURCE);
  return grammar;
}
