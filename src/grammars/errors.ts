/**
 * Errors of the byte-automaton layer. Both are plain `Error`s with extra fields, so a caller can
 * map them onto its own error type (the spec compiler turns a RegexSyntaxError into a SpecError
 * pointing into the spec file by adding `offset` to the location of the regex's first character).
 */

/** A regular expression the compiler cannot read: malformed, or using syntax it does not support. */
export class RegexSyntaxError extends Error {
  override readonly name = "RegexSyntaxError";

  constructor(
    /** What is wrong, or what was expected; the position is in `offset`, not in the message. */
    message: string,
    /** The regular expression as given. */
    readonly source: string,
    /** 0-based offset in `source` (UTF-16 code units, as `source.slice` counts) where the problem is. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** An automaton would exceed the state limit (or needs so many states that building it is pointless). */
export class AutomatonTooLargeError extends Error {
  override readonly name = "AutomatonTooLargeError";

  constructor(
    /** What was being built, e.g. `regular expression /a{1,100000}/`. */
    readonly what: string,
    readonly limit: number,
    /** How many states it needs at least, or had when the limit was hit. */
    readonly states: number,
  ) {
    super(`${what} needs more than ${limit} states (at least ${states}); raise maxStates or simplify it`);
  }
}
