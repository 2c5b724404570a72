/**
 * A deterministic automaton over bytes: the common currency of src/grammars.
 *
 * Content constraints (literals, choices, regular expressions, bounded free text) are compiled
 * to ByteDfas; the composer joins them with the event automaton; the decoder walks the token
 * trie against the result. A dense table keeps a step to one array read, which is what the
 * token-trie walk needs.
 */
export interface ByteDfa {
  /** Number of states; states are 0 … stateCount-1. */
  readonly stateCount: number;
  readonly initial: number;
  /** `transitions[state * 256 + byte]` is the next state, or -1 where the byte is rejected. */
  readonly transitions: Int32Array;
  /** `accepting[state]` is 1 where the bytes read so far form a word of the language. */
  readonly accepting: Uint8Array;
}

/** The state after reading `bytes` from `state`, or -1 once a byte is rejected. */
export function runBytes(dfa: ByteDfa, bytes: Uint8Array, state: number = dfa.initial): number {
  let current = state;
  for (let i = 0; i < bytes.length && current >= 0; i++) {
    current = dfa.transitions[current * 256 + bytes[i]!]!;
  }
  return current;
}

/** Whether the DFA accepts exactly `bytes`. */
export function acceptsBytes(dfa: ByteDfa, bytes: Uint8Array): boolean {
  const end = runBytes(dfa, bytes);
  return end >= 0 && dfa.accepting[end] === 1;
}
