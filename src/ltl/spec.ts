import { FALSE, LAST, TRUE, atom, binary, isFutureOperator, unary, type Formula } from "./ast.js";
import { SpecError, locate, type SourceLocation } from "./errors.js";
import { UNARY_SYMBOL, BINARY_SYMBOL } from "./print.js";
import { countFormula, matchesOnlyEmpty, patternFormula, patternSize, type Steps } from "./sugar.js";
import { MAX_SEGMENT_BYTES, type SegmentContent, type SegmentFormat } from "./segments.js";
import { parseRawFormula, parseRawSpec, type RawFormula, type RawRegex, type RawStatement } from "./syntax.js";
import { didYouMean } from "./names.js";
import { toolCallAtomName, type EventVariant, type ToolCallAtom, type ToolSignature } from "./tool-atoms.js";

/**
 * In `propositional` mode a trace step is any set of the atoms; in `events` mode exactly one
 * declared event happens per step (the kinds of an agent's output segments, its tool calls).
 */
export type SpecMode = "propositional" | "events";

export interface SpecFormula {
  readonly formula: Formula;
  /** The statement as written (before macro and sugar expansion). */
  readonly text: string;
  readonly location: SourceLocation;
}

export interface Definition {
  readonly name: string;
  readonly params: readonly string[];
  readonly location: SourceLocation;
}

/** A parsed, name-resolved spec: what the compiler consumes. */
export interface Spec {
  readonly file: string;
  readonly mode: SpecMode;
  /** The atoms (or events) in declaration order; inferred in order of use when nothing is declared. */
  readonly atoms: readonly string[];
  /** Whether the atoms were declared (otherwise inferred from the formulas). */
  readonly declared: boolean;
  readonly definitions: readonly Definition[];
  /** The spec is the conjunction of these. */
  readonly formulas: readonly SpecFormula[];
  /** How each event appears in the output text (events mode); empty when the spec declares none. */
  readonly segments: readonly SegmentFormat[];
  /** The `call(…)` atoms the formulas use (events mode); they get their meaning when tools are bound. */
  readonly toolCalls: readonly ToolCallAtom[];
  /** Set once tools are bound (see `bindTools`): the atoms are then the refined events. */
  readonly binding?: ToolBinding;
}

/** What binding a tool registry to a spec adds (see `bindTools` in tool-calls.ts). */
export interface ToolBinding {
  /** The spec as written, before its events were refined. */
  readonly source: Spec;
  readonly tools: readonly ToolSignature[];
  /** One per atom of the bound spec, in the same order. */
  readonly variants: readonly EventVariant[];
}

export interface ParseSpecOptions {
  /** The name shown in error messages. Defaults to `<spec>`. */
  file?: string;
}

export interface ParseFormulaOptions {
  /** The name shown in error messages. Defaults to `<formula>`. */
  file?: string;
  /** The atoms a formula may use, in order; when given, any other name is an error. Defaults to inferring them. */
  atoms?: readonly string[];
  /** Defaults to `propositional`. */
  mode?: SpecMode;
}

/** The largest bound accepted in counting sugar and pattern repetition: beyond it automata explode anyway. */
export const MAX_REPETITION = 64;

/** The most formula nodes a spec may expand to (macros, counting and patterns multiply). */
export const MAX_EXPANSION = 200_000;

/** Parses and resolves a spec file's text. Throws `SpecError` with a location on any problem. */
export function parseSpec(text: string, options: ParseSpecOptions = {}): Spec {
  const file = options.file ?? "<spec>";
  const statements = parseRawSpec(text, file);
  const resolver = new Resolver(text, file);
  resolver.declare(statements);
  const formulas: SpecFormula[] = [];
  for (const statement of statements) {
    if (statement.t === "define") resolver.define(statement);
    else if (statement.t === "formula") {
      formulas.push({
        formula: resolver.resolve(statement.body),
        text: text.slice(statement.start, statement.end),
        location: locate(text, statement.start, file),
      });
    }
  }
  const segments = resolver.segments(statements);
  const toolCalls = [...resolver.toolCalls.values()];
  resolver.checkToolCalls(segments, toolCalls);
  return {
    file,
    mode: resolver.mode,
    atoms: resolver.atoms(),
    declared: resolver.declared,
    definitions: resolver.definitions,
    formulas,
    segments,
    toolCalls,
  };
}

/** Parses a single formula, e.g. from `--formula`. */
export function parseFormula(text: string, options: ParseFormulaOptions = {}): Formula {
  return parseFormulaAsSpec(text, options).formulas[0]!.formula;
}

/** A single formula seen as a one-statement spec (what `--formula` compiles). */
export function parseFormulaAsSpec(text: string, options: ParseFormulaOptions = {}): Spec {
  const file = options.file ?? "<formula>";
  const raw = parseRawFormula(text, file);
  const resolver = new Resolver(text, file);
  if (options.atoms !== undefined) {
    resolver.declareNames(options.mode ?? "propositional", options.atoms.map((name) => ({ name, at: 0 })));
  } else if (options.mode === "events") {
    throw new Error("parseFormula: events mode needs the list of events");
  }
  const formula = resolver.resolve(raw);
  return {
    file,
    mode: resolver.mode,
    atoms: resolver.atoms(),
    declared: resolver.declared,
    definitions: [],
    formulas: [{ formula, text: text.trim(), location: locate(text, raw.at, file) }],
    segments: [],
    toolCalls: [...resolver.toolCalls.values()],
  };
}

interface Macro {
  readonly name: string;
  readonly params: readonly string[];
  readonly body: RawFormula;
  readonly at: number;
}

interface Scope {
  readonly params: ReadonlyMap<string, Formula>;
  /** The past operator we are inside, if any (future operators may not appear there). */
  readonly insidePast: { readonly symbol: string; readonly at: number } | undefined;
  /** Macros being expanded, to report recursion instead of looping. */
  readonly expanding: readonly string[];
}

const RESERVED_IN_FILES = new Set(["true", "false", "last"]);
const MAX_MACRO_DEPTH = 64;

/** How deeply a formula may nest once macros are expanded (see `resolve`). */
export const MAX_RESOLVE_DEPTH = 1000;

class Resolver {
  mode: SpecMode = "propositional";
  declared = false;
  readonly definitions: Definition[] = [];
  private readonly declaredAtoms = new Map<string, number>();
  private readonly inferredAtoms: string[] = [];
  private readonly macros = new Map<string, Macro>();
  /** The `call(…)` atoms met so far, by atom name. */
  readonly toolCalls = new Map<string, ToolCallAtom>();
  private modeAt = -1;
  private checkingDefinition = false;
  /** Formula nodes built so far: macros and patterns can expand exponentially, so this is bounded. */
  private work = 0;
  /** Calls of `resolve` under way. */
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  atoms(): string[] {
    return this.declared ? [...this.declaredAtoms.keys()] : [...this.inferredAtoms];
  }

  private error(kind: SpecError["kind"], message: string, at: number, notes: string[] = []): SpecError {
    return new SpecError(kind, message, locate(this.text, at, this.file), notes);
  }

  declare(statements: readonly RawStatement[]): void {
    for (const s of statements) {
      if (s.t === "declare") this.declareNames(s.mode === "events" ? "events" : "propositional", s.names, s.start);
    }
  }

  declareNames(mode: SpecMode, names: readonly { name: string; at: number }[], statementAt = 0): void {
    if (this.declared && mode !== this.mode) {
      const first = locate(this.text, this.modeAt, this.file);
      throw this.error(
        "mode",
        `a spec declares either atoms or events, not both (this file declared ${this.mode === "events" ? "events" : "atoms"} at line ${first.line})`,
        statementAt,
      );
    }
    if (!this.declared) this.modeAt = statementAt;
    this.declared = true;
    this.mode = mode;
    for (const { name, at } of names) {
      const previous = this.declaredAtoms.get(name);
      if (previous !== undefined) {
        throw this.error("duplicate", `'${name}' is declared twice (first at line ${locate(this.text, previous, this.file).line})`, at);
      }
      if (RESERVED_IN_FILES.has(name)) throw this.error("syntax", `'${name}' is a reserved word and cannot name an atom`, at);
      this.declaredAtoms.set(name, at);
    }
  }

  /** Resolves and checks the segment declarations: events mode, known events, one each, readable tags. */
  segments(statements: readonly RawStatement[]): SegmentFormat[] {
    const formats: SegmentFormat[] = [];
    const byEvent = new Map<string, { format: SegmentFormat; at: number }>();
    let eventsAt = 0;
    for (const s of statements) {
      if (s.t === "declare" && s.mode === "events") eventsAt = s.start;
      if (s.t !== "segment") continue;
      if (!this.declared || this.mode !== "events") {
        throw this.error("mode", "segments describe events: declare them first with 'events a, b, …'", s.start);
      }
      const event = s.event.name;
      if (!this.declaredAtoms.has(event)) {
        throw this.error("unknown-atom", `unknown event '${event}'${didYouMean(event, [...this.declaredAtoms.keys()])}; declared events: ${[...this.declaredAtoms.keys()].join(", ")}`, s.event.at);
      }
      const previous = byEvent.get(event);
      if (previous !== undefined) {
        throw this.error("duplicate", `event '${event}' already has a segment (line ${previous.format.location.line})`, s.event.at);
      }
      if (s.tag.value.length === 0) throw this.error("segment", "a segment's tag may not be empty: it is how a reader tells where the segment starts", s.tag.at);
      let content: SegmentContent;
      let end: string;
      const c = s.content;
      if (c.t === "text") {
        const until = c.until?.value ?? "\n";
        if (until.length === 0) throw this.error("segment", "'until' needs a non-empty string", c.until!.at);
        if (c.max !== undefined && (c.max.n < 1 || c.max.n > MAX_SEGMENT_BYTES)) {
          throw this.error("segment", `'max' must be between 1 and ${MAX_SEGMENT_BYTES} bytes (leave it out for no limit)`, c.max.at);
        }
        if (s.endString !== undefined) throw this.error("segment", `a text segment ends with its 'until' string; remove 'end' or use 'until'`, s.endString.at);
        content = { kind: "text", until, maxBytes: c.max?.n };
        end = until;
      } else if (c.t === "choice") {
        const seen = new Set<string>();
        for (const option of c.options) {
          if (option.value.length === 0) throw this.error("segment", "a choice may not be the empty string", option.at);
          if (seen.has(option.value)) throw this.error("duplicate", `"${option.value}" is listed twice`, option.at);
          seen.add(option.value);
        }
        content = { kind: "choice", options: c.options.map((o) => o.value) };
        end = s.endString?.value ?? "\n";
      } else if (c.t === "tools") {
        content = { kind: "tools" };
        end = s.endString?.value ?? "\n";
      } else if (c.t === "args") {
        content = { kind: "arguments", of: c.of.name, ofLocation: locate(this.text, c.of.at, this.file) };
        end = s.endString?.value ?? "\n";
      } else {
        content = { kind: "regex", source: c.source, location: locate(this.text, c.at, this.file) };
        end = s.endString?.value ?? "\n";
      }
      const format: SegmentFormat = {
        event,
        tag: s.tag.value,
        content,
        end,
        writer: s.writer?.who ?? "model",
        location: locate(this.text, s.start, this.file),
      };
      for (const [other, { format: otherFormat }] of byEvent) {
        const [shorter, longer] = format.tag.length <= otherFormat.tag.length ? [format, otherFormat] : [otherFormat, format];
        if (longer.tag.startsWith(shorter.tag)) {
          throw this.error(
            "segment",
            `the tag ${JSON.stringify(format.tag)} of '${event}' and the tag ${JSON.stringify(otherFormat.tag)} of '${other}' start alike: ` +
              "no tag may be a prefix of another, or a reader could not tell which segment begins",
            s.tag.at,
          );
        }
      }
      byEvent.set(event, { format, at: s.start });
      formats.push(format);
    }
    if (formats.length > 0) {
      const missing = [...this.declaredAtoms.keys()].filter((event) => !byEvent.has(event));
      if (missing.length > 0) {
        throw this.error(
          "segment",
          `${missing.length === 1 ? "event" : "events"} ${missing.map((m) => `'${m}'`).join(", ")} ${missing.length === 1 ? "has" : "have"} no segment: once a spec declares segments, every event needs one`,
          eventsAt,
        );
      }
    }
    this.checkArgumentSegments(formats);
    // Declaration order of the events, so output is stable however the segments were listed.
    const order = [...this.declaredAtoms.keys()];
    return formats.sort((a, b) => order.indexOf(a.event) - order.indexOf(b.event));
  }

  /** `json args(a)` must name an event whose segment is `one of tools`, written by the model, and only one such segment per action. */
  private checkArgumentSegments(formats: readonly SegmentFormat[]): void {
    const argsOf = new Map<string, SegmentFormat>();
    for (const format of formats) {
      const content = format.content;
      if ((content.kind === "tools" || content.kind === "arguments") && format.writer === "environment") {
        throw new SpecError("segment", `segment '${format.event}' holds a tool call, which the model writes; remove 'by environment'`, format.location);
      }
      if (content.kind !== "arguments") continue;
      const action = formats.find((f) => f.event === content.of);
      if (action === undefined || action.content.kind !== "tools") {
        const candidates = formats.filter((f) => f.content.kind === "tools").map((f) => f.event);
        const what = action === undefined ? `'${content.of}' is not an event with a segment` : `the segment of '${content.of}' is not 'one of tools'`;
        throw new SpecError(
          "segment",
          `json args(${content.of}): ${what}; the arguments follow the tool named by a 'one of tools' segment` +
            (candidates.length > 0 ? ` (${candidates.map((c) => `'${c}'`).join(", ")})` : ""),
          content.ofLocation,
        );
      }
      const previous = argsOf.get(content.of);
      if (previous !== undefined) {
        throw new SpecError("duplicate", `the arguments of '${content.of}' already have a segment ('${previous.event}', line ${previous.location.line})`, format.location);
      }
      argsOf.set(content.of, format);
    }
  }

  /** A `call(…)` atom needs a segment that names tools, and a field test needs the arguments segment of that action. */
  checkToolCalls(formats: readonly SegmentFormat[], calls: readonly ToolCallAtom[]): void {
    if (calls.length === 0) return;
    const actions = formats.filter((f) => f.content.kind === "tools");
    const first = calls[0]!;
    if (actions.length === 0) {
      throw new SpecError("segment", `call(…) talks about tool calls, but no segment names a tool: declare one, e.g. segment action "Action: " one of tools`, first.location);
    }
    const withArguments = new Set(formats.flatMap((f) => (f.content.kind === "arguments" ? [f.content.of] : [])));
    for (const call of calls) {
      if (call.field !== undefined && !actions.every((a) => withArguments.has(a.event))) {
        const lacking = actions.find((a) => !withArguments.has(a.event))!;
        throw new SpecError(
          "segment",
          `a test on the arguments of a call needs the arguments in the output: add a segment 'json args(${lacking.event})'`,
          call.location,
        );
      }
    }
  }

  private resolveToolCall(raw: Extract<RawFormula, { t: "toolCall" }>): Formula {
    if (!this.declared || this.mode !== "events") {
      throw this.error("mode", "call(…) is an event of a tool call: it needs an events-mode spec ('events a, b, …') with a 'one of tools' segment", raw.at);
    }
    if (raw.tool.name.length === 0) throw this.error("syntax", "a tool name may not be empty", raw.tool.at);
    let field: ToolCallAtom["field"];
    if (raw.field !== undefined) {
      if (raw.field.path.some((p) => p.length === 0)) throw this.error("syntax", "a field name may not be empty", raw.field.at);
      field = { path: raw.field.path, regex: raw.field.source, regexLocation: locate(this.text, raw.field.regexAt, this.file) };
    }
    const name = toolCallAtomName(raw.tool.name, field);
    if (!this.toolCalls.has(name) && !this.checkingDefinition) {
      this.toolCalls.set(name, { atom: name, tool: raw.tool.name, field, location: locate(this.text, raw.at, this.file), toolLocation: locate(this.text, raw.tool.at, this.file) });
    }
    return atom(name);
  }

  define(statement: Extract<RawStatement, { t: "define" }>): void {
    const { name, at } = statement.name;
    if (this.declaredAtoms.has(name)) throw this.error("duplicate", `'${name}' is already declared as an ${this.mode === "events" ? "event" : "atom"}`, at);
    const existing = this.macros.get(name);
    if (existing !== undefined) {
      throw this.error("duplicate", `'${name}' is defined twice (first at line ${locate(this.text, existing.at, this.file).line})`, at);
    }
    const params = (statement.params ?? []).map((p) => p.name);
    const seen = new Set<string>();
    for (const p of statement.params ?? []) {
      if (seen.has(p.name)) throw this.error("duplicate", `parameter '${p.name}' appears twice`, p.at);
      seen.add(p.name);
    }
    const macro: Macro = { name, params, body: statement.body, at };
    // Registered before its body is checked, so that a macro using itself is reported as such.
    this.macros.set(name, macro);
    // Resolve the body once now with placeholder arguments, so mistakes in it are reported at the
    // definition even if the macro is never used (without inferring atoms from an unused body).
    this.checkingDefinition = true;
    try {
      this.expandMacro(macro, params.map((p) => atom(p)), statement.start, { params: new Map(), insidePast: undefined, expanding: [] });
    } finally {
      this.checkingDefinition = false;
    }
    this.definitions.push({ name, params, location: locate(this.text, at, this.file) });
  }

  resolve(raw: RawFormula, scope: Scope = { params: new Map(), insidePast: undefined, expanding: [] }): Formula {
    // Resolution recurses once per level of nesting (parentheses, operator precedence levels,
    // macro bodies): bounded here so that no input reaches the call stack's limit.
    if (this.depth >= MAX_RESOLVE_DEPTH) {
      throw this.error(
        "unsupported",
        `the formula nests more than ${MAX_RESOLVE_DEPTH} levels deep once its macros are expanded; flatten it or use fewer layers of macros`,
        raw.at,
      );
    }
    this.depth++;
    try {
      return this.resolveNode(raw, scope);
    } finally {
      this.depth--;
    }
  }

  private resolveNode(raw: RawFormula, scope: Scope): Formula {
    this.spend(1, raw.at);
    switch (raw.t) {
      case "constant":
        if (raw.value === "last") this.checkFuture("last", raw.at, scope);
        return raw.value === "true" ? TRUE : raw.value === "false" ? FALSE : LAST;
      case "name":
        return this.resolveName(raw.name, [], raw.at, scope, false);
      case "call":
        return this.resolveName(raw.name, raw.args, raw.at, scope, true);
      case "prefix":
        return this.resolvePrefixes(raw, scope);
      case "chain":
        return this.resolveChain(raw, scope);
      case "toolCall":
        return this.resolveToolCall(raw);
      case "pattern":
        this.checkFuture("pattern", raw.at, scope);
      {
        const steps = this.regexToSteps(raw.regex, scope);
        if (matchesOnlyEmpty(steps)) throw this.error("unsupported", "this pattern matches only the empty sequence, and traces are never empty", raw.at);
        const estimate = patternSize(steps);
        if (this.work + estimate > MAX_EXPANSION) {
          throw this.error(
            "unsupported",
            `this pattern expands to about ${Math.round(Math.min(estimate, 1e15)).toLocaleString("en-US")} formula nodes, more than the limit of ${MAX_EXPANSION.toLocaleString("en-US")} for a whole spec` +
              " (nested repetitions multiply); use smaller bounds",
            raw.at,
          );
        }
        return patternFormula(steps, (message, at) => this.error("unsupported", message, at), () => this.spend(1, raw.at));
      }
    }
  }

  /** `X F !a`, `at most 3 a`: the operators from the outermost in, then the operand, then the formula from the inside out. */
  private resolvePrefixes(raw: Extract<RawFormula, { t: "prefix" }>, scope: Scope): Formula {
    let inner = scope;
    for (const op of raw.ops) {
      if (op.t === "count") {
        this.checkFuture(op.bound === "exactly" ? "exactly" : `at ${op.bound}`, op.at, inner);
        if (op.n > MAX_REPETITION) throw this.error("unsupported", `counting is limited to ${MAX_REPETITION}`, op.at);
        continue;
      }
      const symbol = UNARY_SYMBOL[op.kind];
      if (isFutureOperator(op.kind)) this.checkFuture(symbol, op.at, inner);
      if (isPast(op.kind) && inner.insidePast === undefined) inner = { ...inner, insidePast: { symbol, at: op.at } };
    }
    this.spend(raw.ops.length, raw.at);
    let formula = this.resolve(raw.arg, inner);
    for (let i = raw.ops.length - 1; i >= 0; i--) {
      const op = raw.ops[i]!;
      formula = op.t === "count" ? countFormula(op.bound, op.n, formula) : unary(op.kind, formula);
    }
    return formula;
  }

  /**
   * Operands joined by operators of one precedence level. In a right-folded chain each operator
   * lies inside all the operators before it, so `a S b U c` puts `U` inside `S`.
   */
  private resolveChain(raw: Extract<RawFormula, { t: "chain" }>, scope: Scope): Formula {
    const { items, ops } = raw;
    this.spend(ops.length, raw.at);
    const formulas: Formula[] = [];
    let inner = scope;
    for (let k = 0; k < items.length; k++) {
      if (k < ops.length) {
        const kind = ops[k]!;
        // The operator joining item k to what follows starts where item k starts.
        const at = raw.right ? items[k]!.at : raw.at;
        if (isFutureOperator(kind)) this.checkFuture(BINARY_SYMBOL[kind], at, inner);
        if (kind === "since" && inner.insidePast === undefined) inner = { ...inner, insidePast: { symbol: "S", at } };
      }
      formulas.push(this.resolve(items[k]!, inner));
      if (!raw.right) inner = scope;
    }
    if (raw.right) {
      let formula = formulas[formulas.length - 1]!;
      for (let k = ops.length - 1; k >= 0; k--) formula = binary(ops[k]!, formulas[k]!, formula);
      return formula;
    }
    let formula = formulas[0]!;
    for (let k = 0; k < ops.length; k++) formula = binary(ops[k]!, formula, formulas[k + 1]!);
    return formula;
  }

  private spend(nodes: number, at: number): void {
    this.work += nodes;
    if (this.work > MAX_EXPANSION) {
      throw this.error(
        "unsupported",
        `the spec expands to more than ${MAX_EXPANSION} formula nodes (through macros, counting or pattern repetition); simplify this`,
        at,
      );
    }
  }

  private checkFuture(symbol: string, at: number, scope: Scope): void {
    if (scope.insidePast !== undefined) {
      const past = locate(this.text, scope.insidePast.at, this.file);
      throw this.error(
        "unsupported",
        `'${symbol}' looks into the future inside the past operator '${scope.insidePast.symbol}' (line ${past.line}, column ${past.column}); ` +
          "past operators may contain only atoms, Boolean connectives and other past operators",
        at,
      );
    }
  }

  private resolveName(name: string, args: readonly RawFormula[], at: number, scope: Scope, isCall: boolean): Formula {
    const param = scope.params.get(name);
    if (param !== undefined) {
      if (isCall) throw this.error("macro-arity", `'${name}' is a parameter, not a macro, and takes no arguments`, at);
      return param;
    }
    const macro = this.macros.get(name);
    if (macro !== undefined) {
      const argFormulas = args.map((a) => this.resolve(a, scope));
      return this.expandMacro(macro, argFormulas, at, scope);
    }
    if (isCall) {
      throw this.error("undefined-macro", `undefined macro '${name}'${didYouMean(name, [...this.macros.keys()])}`, at);
    }
    if (this.declared) {
      if (this.declaredAtoms.has(name)) return atom(name);
      const kind = this.mode === "events" ? "event" : "atom";
      throw this.error(
        "unknown-atom",
        `unknown ${kind} '${name}'${didYouMean(name, [...this.declaredAtoms.keys(), ...this.macros.keys()])}; declared ${kind}s: ${[...this.declaredAtoms.keys()].join(", ")}`,
        at,
      );
    }
    if (!this.checkingDefinition && !this.inferredAtoms.includes(name)) this.inferredAtoms.push(name);
    return atom(name);
  }

  private expandMacro(macro: Macro, args: readonly Formula[], at: number, scope: Scope): Formula {
    if (args.length !== macro.params.length) {
      throw this.error(
        "macro-arity",
        `macro '${macro.name}' takes ${macro.params.length} argument${macro.params.length === 1 ? "" : "s"} (${macro.params.join(", ")}), got ${args.length}`,
        at,
      );
    }
    if (scope.expanding.includes(macro.name) || scope.expanding.length > MAX_MACRO_DEPTH) {
      throw this.error("undefined-macro", `macro '${macro.name}' refers to itself (${[...scope.expanding, macro.name].join(" -> ")})`, at);
    }
    const params = new Map(macro.params.map((p, i) => [p, args[i]!] as const));
    const inner: Scope = { params, insidePast: scope.insidePast, expanding: [...scope.expanding, macro.name] };
    return this.resolve(macro.body, inner);
  }



  /** Turns a pattern's regular expression into steps whose letters are propositional formulas. */
  private regexToSteps(regex: RawRegex, scope: Scope): Steps {
    switch (regex.t) {
      case "seq":
        return { t: "seq", items: regex.items.map((i) => this.regexToSteps(i, scope)) };
      case "alt":
        return { t: "alt", options: regex.options.map((o) => this.regexToSteps(o, scope)) };
      case "repeat": {
        if (regex.max !== undefined && regex.max < regex.min) {
          throw this.error("syntax", `repetition {${regex.min},${regex.max}} has its upper bound below its lower bound`, regex.at);
        }
        if ((regex.max ?? regex.min) > MAX_REPETITION) {
          throw this.error("unsupported", `repetition bounds are limited to ${MAX_REPETITION}`, regex.at);
        }
        return { t: "repeat", item: this.regexToSteps(regex.item, scope), min: regex.min, max: regex.max, at: regex.at };
      }
      case "any":
        return { t: "letter", formula: TRUE };
      case "step":
        return { t: "letter", formula: this.propositional(this.resolve(regex.formula, scope), regex.at) };
      case "name":
        return { t: "letter", formula: this.propositional(this.resolveName(regex.name, [], regex.at, scope, false), regex.at) };
    }
  }

  private propositional(f: Formula, at: number): Formula {
    if (!isPropositional(f)) {
      throw this.error("unsupported", "a pattern step must be propositional (atoms and Boolean connectives only)", at);
    }
    return f;
  }
}

function isPast(kind: Formula["kind"]): boolean {
  return kind === "yesterday" || kind === "weakYesterday" || kind === "once" || kind === "historically";
}

function isPropositional(root: Formula): boolean {
  const seen = new Set<Formula>();
  const stack = [root];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    switch (f.kind) {
      case "true":
      case "false":
      case "atom":
        break;
      case "not":
        stack.push(f.arg);
        break;
      case "and":
      case "or":
      case "implies":
      case "iff":
        stack.push(f.left, f.right);
        break;
      default:
        return false;
    }
  }
  return true;
}
