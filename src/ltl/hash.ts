/**
 * Hash tables over small integers in typed arrays, for the compiler's hot paths (decision-diagram
 * nodes, interned formulas, memo tables). A JavaScript `Map` keyed by packed doubles or strings
 * costs an allocation or a heap number per lookup and caps what can be packed; these cost a few
 * array reads and have no such cap.
 */

/** Mixes up to three 32-bit integers into a well-spread 32-bit hash. */
function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul(b ^ 0xc2b2ae35, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= Math.imul(c ^ 0x165667b1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 13), 0x297a2d39);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The largest number of entries a table may hold (typed arrays of 2^29 slots are close to what engines allow). */
export const MAX_TABLE_ENTRIES = 2 ** 28;

export class TableFullError extends Error {
  override readonly name = "TableFullError";
}

/**
 * Interns triples of integers: `intern(a, b, c)` returns the same dense id (0, 1, 2, …) for the same
 * triple every time. The triples are kept in columns `first`, `second`, `third`.
 */
export class TripleTable {
  first: Int32Array = new Int32Array(64);
  second: Int32Array = new Int32Array(64);
  third: Int32Array = new Int32Array(64);
  size = 0;
  private slots: Int32Array = new Int32Array(128).fill(-1);
  private mask = 127;

  constructor(private readonly limit = MAX_TABLE_ENTRIES) {}

  /** The id of the triple, or -1 when it has not been interned. */
  find(a: number, b: number, c: number): number {
    const { slots, mask, first, second, third } = this;
    let i = mix(a, b, c) & mask;
    for (;;) {
      const id = slots[i]!;
      if (id === -1) return -1;
      if (first[id] === a && second[id] === b && third[id] === c) return id;
      i = (i + 1) & mask;
    }
  }

  intern(a: number, b: number, c: number): number {
    const { slots, mask, first, second, third } = this;
    let i = mix(a, b, c) & mask;
    for (;;) {
      const id = slots[i]!;
      if (id === -1) break;
      if (first[id] === a && second[id] === b && third[id] === c) return id;
      i = (i + 1) & mask;
    }
    const id = this.size;
    if (id >= this.limit) throw new TableFullError(`more than ${this.limit} entries`);
    if (id === first.length) this.growColumns();
    this.first[id] = a;
    this.second[id] = b;
    this.third[id] = c;
    this.size = id + 1;
    slots[i] = id;
    if (this.size * 2 > mask) this.rehash();
    return id;
  }

  private growColumns(): void {
    const grow = (column: Int32Array): Int32Array => {
      const next = new Int32Array(column.length * 2);
      next.set(column);
      return next;
    };
    this.first = grow(this.first);
    this.second = grow(this.second);
    this.third = grow(this.third);
  }

  private rehash(): void {
    const capacity = (this.mask + 1) * 2;
    const slots = new Int32Array(capacity).fill(-1);
    const mask = capacity - 1;
    for (let id = 0; id < this.size; id++) {
      let i = mix(this.first[id]!, this.second[id]!, this.third[id]!) & mask;
      while (slots[i] !== -1) i = (i + 1) & mask;
      slots[i] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** A map from pairs of integers to integers (absent: -1). Values must be ≥ 0. */
export class PairMap {
  private keysA: Int32Array = new Int32Array(128);
  private keysB: Int32Array = new Int32Array(128);
  private values: Int32Array = new Int32Array(128).fill(-1);
  private mask = 127;
  size = 0;

  get(a: number, b: number): number {
    const { keysA, keysB, values, mask } = this;
    let i = mix(a, b, 0x5bd1e995) & mask;
    for (;;) {
      const v = values[i]!;
      if (v === -1) return -1;
      if (keysA[i] === a && keysB[i] === b) return v;
      i = (i + 1) & mask;
    }
  }

  set(a: number, b: number, value: number): void {
    const { keysA, keysB, values, mask } = this;
    let i = mix(a, b, 0x5bd1e995) & mask;
    for (;;) {
      const v = values[i]!;
      if (v === -1) break;
      if (keysA[i] === a && keysB[i] === b) {
        values[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
    keysA[i] = a;
    keysB[i] = b;
    values[i] = value;
    this.size++;
    if (this.size * 2 > mask) this.rehash();
  }

  private rehash(): void {
    const capacity = (this.mask + 1) * 2;
    if (capacity > 2 * MAX_TABLE_ENTRIES) throw new TableFullError(`more than ${MAX_TABLE_ENTRIES} entries`);
    const { keysA, keysB, values } = this;
    this.keysA = new Int32Array(capacity);
    this.keysB = new Int32Array(capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== -1) this.set(keysA[i]!, keysB[i]!, values[i]!);
  }
}

/**
 * Interns sorted lists of non-negative integers as hash-consed cons cells: the list
 * [x0, x1, …] is cell(x0, list[x1, …]), so equal lists get equal ids and lists that share a tail
 * share its cells. Id 0 is the empty list.
 */
export class ListInterner {
  private readonly cells = new TripleTable();
  /** The elements of each list id, materialized on first request. */
  private readonly elements: (readonly number[] | undefined)[] = [[]];

  constructor() {
    this.cells.intern(-1, -1, 0); // id 0: the empty list
  }

  intern(list: readonly number[]): number {
    let id = 0;
    for (let i = list.length - 1; i >= 0; i--) id = this.cells.intern(list[i]!, id, 1);
    return id;
  }

  /** The list's elements (shared: do not modify). */
  list(id: number): readonly number[] {
    let cached = this.elements[id];
    if (cached === undefined) {
      const out: number[] = [];
      for (let x = id; x !== 0; x = this.cells.second[x]!) out.push(this.cells.first[x]!);
      cached = out;
      this.elements[id] = cached;
    }
    return cached;
  }

  /** The first element of a non-empty list, and the rest. */
  head(id: number): number {
    return this.cells.first[id]!;
  }

  tail(id: number): number {
    return this.cells.second[id]!;
  }
}
