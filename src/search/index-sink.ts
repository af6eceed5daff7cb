/**
 * Where index values are collected while a resource is indexed (index-values.ts builds them).
 * A field keeps its values in the order they were added; a string or number appears once, an
 * object (date range, quantity, composite) every time. Fields appear in the order they were first
 * written. `Acc`, the collector computeIndex uses, keeps each field in a numbered slot: adding a
 * value is an array access, not a property lookup by name on an object of forty fields.
 */
import { buildDocument } from './document-shapes.js';

/** A field of the index document: its name and its slot number (stable for the process). */
export interface Field {
  readonly name: string;
  readonly id: number;
}

const fields = new Map<string, Field>();

export function fieldOf(name: string): Field {
  let f = fields.get(name);
  if (!f) fields.set(name, (f = { name, id: fields.size }));
  return f;
}

/**
 * The fields that say whether a parameter has a value (`:missing`): its values `k`, its Ranges
 * `r` (number parameters) and `m`, set when its expression selected an element that gave neither
 * (index-values.ts keysOf).
 */
export interface PresenceKeys {
  readonly k: Field;
  readonly r: Field;
  readonly m: Field;
}

export interface ValueSink {
  /**
   * The parameter's expression selected an element (whether or not it gives a searchable value):
   * `:missing` asks for this (search.html#modifiers), and an element that gives no value, a
   * SampledData for value-quantity, a CodeableConcept with a text only, a Reference with only a
   * display, is not missing. Recorded in `m` when the resource ends with no `k` or `r` value.
   */
  present(keys: PresenceKeys): void;
  /** Adds a value: a string or number once, an object every time. */
  add(f: Field, v: unknown): void;
  /** Makes the field exist from here on in the field order, with no value yet. */
  touch(f: Field): void;
  /** Sets a field's values outright. */
  set(f: Field, values: unknown[]): void;
  /**
   * The server's own base URL (BASE_URL) while this resource is indexed: a reference to
   * `{ownBase}/Patient/p1` is our Patient/p1, one to another base is not (normalize.ts referenceKey).
   */
  readonly ownBase: string;
}

/**
 * Past this many values a field's duplicates are tracked in a Set: a GenomicReport from a VCF
 * lists every variant as a `result`, and a linear `includes` per value made indexing it quadratic.
 * Low: references (`Observation/var-0-1`, `…-0-2`) share long prefixes, and comparing them costs
 * more than hashing them once.
 */
const LINEAR_DEDUPE = 8;

export class Acc implements ValueSink {
  /** Set by indexWith for the resource being indexed (an Acc is reused). */
  ownBase = '';
  private readonly slots: Array<unknown[] | undefined> = [];
  private readonly sets: Array<Set<unknown> | undefined> = [];
  private readonly keep: boolean[] = [];
  private readonly order: Field[] = [];
  /** The parameters present() was told of, once each (by their `m` slot). */
  private readonly found: PresenceKeys[] = [];
  private readonly isFound: boolean[] = [];

  present(keys: PresenceKeys): void {
    if (this.isFound[keys.m.id]) return;
    this.isFound[keys.m.id] = true;
    this.found.push(keys);
  }

  add(f: Field, v: unknown): void {
    const a = this.slots[f.id];
    if (a === undefined) {
      this.slots[f.id] = [v];
      this.order.push(f);
      return;
    }
    if (typeof v === 'object' && v !== null) {
      a.push(v);
      return;
    }
    if (a.length < LINEAR_DEDUPE) {
      if (a.includes(v)) return;
    } else {
      let set = this.sets[f.id];
      if (set === undefined) this.sets[f.id] = set = new Set(a);
      const n = set.size;
      if (set.add(v).size === n) return;
    }
    a.push(v);
  }

  touch(f: Field): void {
    if (this.slots[f.id] === undefined) {
      this.slots[f.id] = [];
      this.order.push(f);
    }
  }

  set(f: Field, values: unknown[]): void {
    if (this.slots[f.id] === undefined) this.order.push(f);
    this.slots[f.id] = values;
    this.sets[f.id] = undefined;
  }

  /** Sets a field that stays in the document even when empty (the gx-* fields, genomic-index.ts). */
  setKept(f: Field, values: unknown[]): void {
    this.set(f, values);
    this.keep[f.id] = true;
  }

  /** The index document (fields with values, in first-written order); the collector is left empty. */
  finish(): Record<string, unknown[]> {
    for (const keys of this.found) {
      this.isFound[keys.m.id] = false;
      if (!this.slots[keys.k.id]?.length && !this.slots[keys.r.id]?.length) this.add(keys.m, true);
    }
    this.found.length = 0;
    const fields: Field[] = [];
    const values: unknown[][] = [];
    for (const f of this.order) {
      const a = this.slots[f.id]!;
      if (a.length || this.keep[f.id]) {
        fields.push(f);
        values.push(a);
      }
      this.slots[f.id] = undefined;
      this.sets[f.id] = undefined;
      this.keep[f.id] = false;
    }
    this.order.length = 0;
    return buildDocument(fields, values);
  }
}

/** Collects the values of one field only (a composite's part); others are dropped. */
export class ListSink implements ValueSink {
  values: unknown[] = [];
  private seen: Set<unknown> | undefined;
  constructor(private readonly f: Field, readonly ownBase: string) {}

  add(f: Field, v: unknown): void {
    if (f !== this.f) return;
    const a = this.values;
    if (typeof v !== 'object' || v === null) {
      if (a.length < LINEAR_DEDUPE) {
        if (a.includes(v)) return;
      } else {
        if (this.seen === undefined) this.seen = new Set(a);
        if (this.seen.has(v)) return;
        this.seen.add(v);
      }
    }
    a.push(v);
  }

  present(): void {}

  touch(): void {}

  set(f: Field, values: unknown[]): void {
    if (f !== this.f) return;
    this.values = values;
    this.seen = undefined;
  }
}

/** Writes into a plain `{ field: values }` object (callers outside computeIndex, tests). */
export class ObjectSink implements ValueSink {
  private readonly seen = new WeakMap<unknown[], Set<unknown>>();
  constructor(readonly out: Record<string, unknown[]>, readonly ownBase: string) {}

  /** (its callers hold the extracted elements, and know which parameters had one) */
  present(): void {}

  add(f: Field, v: unknown): void {
    const arr = (this.out[f.name] ??= []);
    if (typeof v !== 'object' || v === null) {
      if (arr.length < LINEAR_DEDUPE) {
        if (arr.includes(v)) return;
      } else {
        let set = this.seen.get(arr);
        if (!set) this.seen.set(arr, (set = new Set(arr)));
        if (set.has(v)) return;
        set.add(v);
      }
    }
    arr.push(v);
  }

  touch(f: Field): void {
    this.out[f.name] ??= [];
  }

  set(f: Field, values: unknown[]): void {
    this.out[f.name] = values;
  }
}
