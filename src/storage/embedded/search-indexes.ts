import { Query } from 'mingo';
import type { SearchIndex, StoreQuery } from '../types.js';
import type { Entry } from './records.js';
import { candidateDoc, decodeIndex, fieldsOf, type CandidateDoc } from './index-docs.js';
import { RangeIndex, type Bounds, type EntryTest } from '../../search/range-index.js';
import { chain, elemBounds, intersect, isIn, keyOrder, literalPrefix, lowerBound, scalarBounds } from '../../search/filter-bounds.js';
import { encodeKey, KEY, keyString, postingKey, type Terms } from './index-terms.js';
import { hashField, hashHi, hashLo } from './key-hash.js';
import { PostingStore } from './posting-store.js';
import { smallest } from './top-k.js';

export { postingKey } from './index-terms.js';
export { smallest } from './top-k.js';

/**
 * In-memory search indexes of the embedded store (DESIGN.md "Search": the embedded adapter runs
 * the compiled MongoDB document with mingo, but only over candidates picked here, never a whole
 * collection for a selective indexed parameter). Per resource type:
 *  - postings: index field + posting key -> slots (tokens, references, uris, folded strings), in
 *    typed arrays (posting-store.ts), with a lazily sorted key list per field for prefix
 *    (`^literal`) regexes;
 *  - interval indexes for dates ({s, e}), `lu`, and genomic regions ({a, s, e}, one per accession).
 * Postings are append-only: a value dropped by an update stays listed until verified away by the
 * query itself, so an update costs only its new values. Candidates are deduplicated per query.
 * Writes hand over their index as terms (index-terms.ts), computed on the prepare workers for
 * bulk loads.
 */
const SATURATION = Number(process.env.FHIR_INDEX_SATURATION ?? 50_000);

interface FieldIndex {
  readonly id: number;
  /** A value whose posting key differs from it was seen: prefix lookups on the keys could miss. */
  keyed: boolean;
  /** Ids of the field's lists (one per distinct key), for prefix lookups. */
  lists: number[];
  /** Keys sorted, with their lists, valid while `lists` has not grown. */
  sorted?: { keys: string[]; ids: number[] };
}

interface TypeIndex {
  fields: Map<string, FieldIndex>;
  ranges: Map<string, RangeIndex>;
}

interface Resolved {
  lists: Int32Array;
  fields: Array<FieldIndex | undefined>;
}

interface Plan {
  est: number;
  run: () => Iterable<number>;
  /** The live slots it yields are exactly the documents that match the filter it was made for. */
  exact?: boolean;
}

/** What the indexes answer for a query (embedded-store.ts runs the rest). */
export interface Picked {
  docs: CandidateDoc[];
  /** The docs match the filter already (no need to run it over them). */
  verified: boolean;
  /** The docs are the page itself, in order, and `total` the count when asked for. */
  paged?: boolean;
  total?: number;
}

const EMPTY_SLOTS = new Int32Array(0);

export class SearchIndexes {
  /** Slot -> store entry; an entry is live while its `xb` (serialized index) is set. */
  private readonly slots: Entry[] = [];
  private readonly types = new Map<string, TypeIndex>();
  private readonly postings = new PostingStore(SATURATION);
  private fieldCount = 0;
  private stamp = new Uint32Array(1024);
  private generation = 0;
  /** How the store finds an entry by id (for `_id` plans). */
  entryOf: (t: string, id: string) => Entry | undefined = () => undefined;
  /** Observability for tests and the bench: candidates handed to mingo by the last query. */
  readonly stats = { lastCandidates: -1, lastIndexed: false, queries: 0, lastVerified: false, lastDecoded: 0, lastExact: false };

  private typeIndex(t: string): TypeIndex {
    let ti = this.types.get(t);
    if (!ti) this.types.set(t, (ti = { fields: new Map(), ranges: new Map() }));
    return ti;
  }

  private fieldIndex(ti: TypeIndex, field: string): FieldIndex {
    let fi = ti.fields.get(field);
    if (!fi) ti.fields.set(field, (fi = { id: this.fieldCount++, keyed: false, lists: [] }));
    return fi;
  }

  /** Gives a new entry its slot. */
  register(e: Entry): void {
    e.slot = this.slots.length;
    this.slots.push(e);
  }

  /**
   * Indexes the current version of `e` from its terms (resource `r` of `terms`); `old` are the
   * terms of the version it replaces, when that one was live: its keys are listed already.
   */
  apply(e: Entry, terms: Terms, r: number, old?: { terms: Terms; r: number }): void {
    const slot = e.slot;
    const last = e.versions[e.versions.length - 1];
    const ti = this.typeIndex(e.t);
    // Tagged with the version: entries an update leaves behind are told apart at query time.
    const tag = e.versions.length;
    this.range(ti, 'lu', 'date').add(last.lu, last.lu + 1, slot, tag);
    const known = old ? this.listsOf(ti, old.terms, old.r) : undefined;
    const { post, res } = terms;
    const resolved = this.resolvedOf(terms);
    const store = this.postings;
    for (let p = 2 * res[4 * r], end = 2 * res[4 * r + 1]; p < end; p += 2) {
      const k = post[p];
      let fi = resolved.fields[k];
      if (!fi) resolved.fields[k] = fi = this.fieldIndex(ti, terms.strings[terms.key[KEY * k + 2]]);
      if (post[p + 1]) fi.keyed = true;
      let id = resolved.lists[k];
      if (id < 0) {
        id = this.findKey(terms, k, fi);
        if (id < 0) {
          resolved.lists[k] = id = store.create(terms.key[KEY * k], terms.key[KEY * k + 1], fi.id, terms.words, terms.key[KEY * k + 3], terms.key[KEY * k + 4], slot);
          fi.lists.push(id);
          fi.sorted = undefined;
          continue;
        }
        resolved.lists[k] = id;
      }
      if (!known?.has(id)) store.append(id, slot);
    }
    const { rng, rngKey, strings } = terms;
    for (let q = 2 * res[4 * r + 2], end = 2 * res[4 * r + 3]; q < end; q += 2) {
      this.range(ti, strings[rngKey[q]], rngKey[q + 1] ? 'region' : 'date').add(rng[q], rng[q + 1], slot, tag);
    }
  }

  private findKey(terms: Terms, k: number, fi: FieldIndex): number {
    const m = KEY * k;
    return this.postings.find(terms.key[m], terms.key[m + 1], fi.id, terms.words, terms.key[m + 3], terms.key[m + 4]);
  }

  /**
   * What the keys of a batch of terms resolved to (list, field), so that a key many resources of
   * the batch share is looked up once. Lists never move, so this stays true; per store (this
   * object), and only for finished terms: a reused builder changes under the same identity.
   */
  private readonly resolvedCache = new WeakMap<Terms, Resolved>();
  private lastTerms?: Terms;
  private lastResolved?: Resolved;
  private resolvedOf(terms: Terms): Resolved {
    if (terms === this.lastTerms && this.lastResolved) return this.lastResolved;
    const n = terms.key.length / KEY;
    let out = terms.frozen ? this.resolvedCache.get(terms) : undefined;
    if (!out) {
      out = { lists: new Int32Array(n).fill(-1), fields: new Array<FieldIndex | undefined>(n) };
      if (terms.frozen) this.resolvedCache.set(terms, out);
    }
    if (terms.frozen) {
      this.lastTerms = terms;
      this.lastResolved = out;
    } else this.lastTerms = this.lastResolved = undefined;
    return out;
  }

  /** The lists that hold the keys of resource `r` of `terms` already. */
  private listsOf(ti: TypeIndex, terms: Terms, r: number): Set<number> {
    const out = new Set<number>();
    const { post, res } = terms;
    for (let p = 2 * res[4 * r], end = 2 * res[4 * r + 1]; p < end; p += 2) {
      const k = post[p];
      const fi = ti.fields.get(terms.strings[terms.key[KEY * k + 2]]);
      const id = fi ? this.findKey(terms, k, fi) : -1;
      if (id >= 0) out.add(id);
    }
    return out;
  }

  private range(ti: TypeIndex, key: string, kind: 'date' | 'region'): RangeIndex {
    let r = ti.ranges.get(key);
    if (!r) ti.ranges.set(key, (r = new RangeIndex(kind)));
    return r;
  }

  /** Memory held by the posting lists, in bytes (for the bench and memory accounting). */
  get postingBytes(): number {
    return this.postings.bytes;
  }

  /**
   * Docs to verify for `query` (with the index fields it reads: index-docs.ts), or undefined when
   * no index applies (the store then scans the types). `paged`: the answer may be the page itself
   * (not when the store merges a transaction's own writes into it).
   */
  candidates(query: StoreQuery, fields: string[] | undefined = fieldsOf(query), paged = true): Picked | undefined {
    this.stats.queries++;
    this.stats.lastDecoded = 0;
    const types = query.types;
    if (!types?.length) return this.miss();
    const plans: Plan[] = [];
    for (const t of types) {
      const ti = this.types.get(t);
      if (!ti) continue;
      const p = this.plan(t, ti, query.filter, true);
      if (!p) return this.miss();
      plans.push(p);
    }
    this.generation++;
    if (this.stamp.length < this.slots.length) this.stamp = new Uint32Array(this.slots.length * 2);
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
    const picked: Entry[] = [];
    const typeSet = new Set(types);
    for (const p of plans) {
      for (const slot of p.run()) {
        if (this.stamp[slot] === this.generation) continue;
        this.stamp[slot] = this.generation;
        const e = this.slots[slot];
        if (e.xb !== undefined && typeSet.has(e.t)) picked.push(e);
      }
    }
    this.stats.lastCandidates = picked.length;
    this.stats.lastIndexed = true;
    const exact = plans.every((p) => p.exact);
    this.stats.lastExact = exact;
    this.stats.lastVerified = exact;
    if (exact) return this.exactAnswer(query, picked, fields, paged);
    return this.topK(query, picked, fields, paged);
  }

  /**
   * Every candidate matches: nothing is decoded to verify it. In (type, id) order the page is the
   * `skip + limit` smallest candidates and the count is the number of candidates, so a window
   * holding thirty thousand variants costs a bounded heap over slots, not thirty thousand parses.
   */
  private exactAnswer(query: StoreQuery, picked: Entry[], fields: string[] | undefined, paged: boolean): Picked {
    const dir = keyOrder(query);
    if (!dir || !paged) return { docs: picked.map((e) => this.decode(e, fields)), verified: true };
    const skip = query.skip ?? 0;
    const first = skip + query.limit > 0 ? smallest(picked, skip + query.limit, keyBefore(dir))[0] : [];
    return { docs: first.slice(skip).map(pickedDoc), verified: true, paged: true, total: query.count ? picked.length : undefined };
  }

  private decode(e: Entry, fields: string[] | undefined): CandidateDoc {
    this.stats.lastDecoded++;
    return candidateDoc(e, fields);
  }

  /**
   * In (type, id) order without a count, only the first `limit` matches matter: take the smallest
   * candidates in that order a few at a time (a bounded heap, not a sort of thousands) and verify
   * them until the page is full, instead of having the generic engine filter and sort thousands
   * of documents to keep fifty.
   */
  private topK(query: StoreQuery, picked: Entry[], fields: string[] | undefined, paged: boolean): Picked {
    const dir = keyOrder(query);
    if (!dir || !paged || query.count || query.skip || picked.length <= query.limit * 4) {
      return { docs: picked.map((e) => this.decode(e, fields)), verified: false };
    }
    const before = keyBefore(dir);
    const q = new Query(query.filter);
    const out: CandidateDoc[] = [];
    let rest = picked;
    while (rest.length && out.length < query.limit) {
      const [first, others] = smallest(rest, Math.max(64, query.limit * 2), before);
      for (const e of first) {
        const d = this.decode(e, fields);
        if (q.test(d as unknown as Record<string, unknown>)) out.push(d);
        if (out.length >= query.limit) break;
      }
      rest = others;
    }
    this.stats.lastVerified = true;
    return { docs: out, verified: true };
  }

  private miss(): undefined {
    this.stats.lastVerified = false;
    this.stats.lastExact = false;
    this.stats.lastCandidates = -1;
    this.stats.lastIndexed = false;
    return undefined;
  }

  /**
   * The cheapest index plan for a filter document (AND: best member; OR: union of all members).
   * Exact only when the filter is that one clause and the clause's plan is exact.
   */
  private plan(t: string, ti: TypeIndex, filter: unknown, whole = false): Plan | undefined {
    if (!filter || typeof filter !== 'object' || Array.isArray(filter)) return undefined;
    if (whole) {
      const p = this.plan(t, ti, filter);
      return p && { ...p, exact: p.exact === true && Object.keys(filter).length === 1 };
    }
    let best: Plan | undefined;
    const consider = (p: Plan | undefined) => {
      if (p && (!best || p.est < best.est)) best = p;
    };
    for (const [k, v] of Object.entries(filter as Record<string, unknown>)) {
      if (k === '$and' && Array.isArray(v)) {
        // a member's plan is exact for that member only
        for (const m of v) consider(inexact(this.plan(t, ti, m)));
        consider(this.combinedRanges(ti, v));
      }
      else if (k === '$or' && Array.isArray(v)) {
        const parts = v.map((m) => this.plan(t, ti, m));
        if (parts.every((p): p is Plan => p !== undefined)) {
          consider({ est: parts.reduce((n, p) => n + p.est, 0), run: () => chain(parts.map((p) => p.run())) });
        }
      } else if (k === 'id') consider(this.idPlan(t, v));
      else if (k === 'lu') consider(this.rangePlan(ti.ranges.get('lu'), scalarBounds(v), this.current));
      else if (k.startsWith('x.')) consider(this.fieldPlan(t, ti, k.slice(2), v));
    }
    return best;
  }

  private idPlan(t: string, v: unknown): Plan | undefined {
    const ids = typeof v === 'string' ? [v] : isIn(v) ? v.$in.filter((x): x is string => typeof x === 'string') : undefined;
    if (!ids) return undefined;
    const slots = ids.map((id) => this.entryOf(t, id)?.slot).filter((s): s is number => s !== undefined);
    // ids are strings: `id: x` / `id: { $in }` matches exactly the live entries of those ids
    return { est: slots.length, run: () => slots, exact: true };
  }

  /** The list of one key of a field: -1 when there is none. */
  private listOf(t: string, field: string, fi: FieldIndex | undefined, key: string): number {
    if (!fi) return -1;
    hashField(t, field);
    const [words, len] = encodeKey(key);
    return this.postings.find(hashHi, hashLo, fi.id, words, 0, len);
  }

  /** Slots of a list as a plan; undefined when the list is saturated (it selects nothing). */
  private listPlans(ids: number[]): Plan | undefined {
    let est = 0;
    for (const id of ids) {
      const n = this.postings.count(id);
      if (n < 0) return undefined;
      est += n;
    }
    return { est, run: () => (ids.length === 1 ? this.postings.slots(ids[0]) : chain(ids.map((id) => this.postings.slots(id)))) };
  }

  private fieldPlan(t: string, ti: TypeIndex, field: string, v: unknown): Plan | undefined {
    const fi = ti.fields.get(field);
    if (typeof v === 'string') {
      const id = this.listOf(t, field, fi, postingKey(v));
      return id < 0 ? { est: 0, run: () => EMPTY_SLOTS } : this.listPlans([id]);
    }
    if (!v || typeof v !== 'object') return undefined;
    if (isIn(v)) {
      if (!v.$in.every((x) => typeof x === 'string')) return undefined;
      const ids = v.$in.map((x) => this.listOf(t, field, fi, postingKey(x as string))).filter((id) => id >= 0);
      return this.listPlans(ids);
    }
    const regex = (v as { $regex?: unknown }).$regex;
    if (typeof regex === 'string' && Object.keys(v).length === 1) {
      const prefix = literalPrefix(regex);
      if (prefix !== undefined && fi?.keyed) return undefined; // keys are not the values here
      if (prefix === undefined || !fi) return prefix === undefined ? undefined : { est: 0, run: () => EMPTY_SLOTS };
      const { keys, ids } = this.sortedKeys(fi);
      const matching: number[] = [];
      for (let i = lowerBound(keys, prefix); i < keys.length && keys[i].startsWith(prefix); i++) matching.push(ids[i]);
      return this.listPlans(matching);
    }
    const em = (v as { $elemMatch?: Record<string, unknown> }).$elemMatch;
    if (em && Object.keys(v).length === 1) {
      if (typeof em.a === 'string') {
        const region = ti.ranges.get(`${field}\u0000${em.a}`);
        const test = exactRegionTest(em, this.current);
        const p = this.rangePlan(region, elemBounds(em), test ?? this.current);
        return p && { ...p, exact: test !== undefined };
      }
      if ('s' in em || 'e' in em || '$or' in em) return this.rangePlan(ti.ranges.get(field), elemBounds(em), this.current);
    }
    return undefined;
  }

  /** AND of several interval clauses on one field (`date=ge…&date=lt…`): one window, bounds intersected. */
  private combinedRanges(ti: TypeIndex, members: unknown[]): Plan | undefined {
    const byField = new Map<string, Bounds[][]>();
    for (const m of members) {
      if (!m || typeof m !== 'object') continue;
      const entries = Object.entries(m as Record<string, unknown>);
      if (entries.length !== 1 || !entries[0][0].startsWith('x.')) continue;
      const em = (entries[0][1] as { $elemMatch?: Record<string, unknown> })?.$elemMatch;
      if (!em || typeof em.a === 'string') continue;
      const b = elemBounds(em);
      if (b) byField.set(entries[0][0].slice(2), [...(byField.get(entries[0][0].slice(2)) ?? []), b]);
    }
    let best: Plan | undefined;
    for (const [field, groups] of byField) {
      if (groups.length < 2) continue;
      let acc = groups[0];
      for (const g of groups.slice(1)) acc = acc.flatMap((a) => g.map((b) => intersect(a, b)));
      const p = this.rangePlan(ti.ranges.get(field), acc, this.current);
      if (p && (!best || p.est < best.est)) best = p;
    }
    return best;
  }

  /**
   * Interval entries within the bounds that `test` keeps (none without an index: no document
   * has such an interval).
   */
  private rangePlan(r: RangeIndex | undefined, bounds: Bounds[] | undefined, test: EntryTest): Plan | undefined {
    if (!bounds) return undefined;
    if (!r) return { est: 0, run: () => EMPTY_SLOTS };
    const est = bounds.reduce((n, b) => n + r.estimate(b), 0);
    return { est, run: () => (bounds.length === 1 ? r.query(bounds[0], test) : chain(bounds.map((b) => r.query(b, test)))) };
  }

  /** An interval entry of the current version of a live document (not one an update left behind). */
  private readonly current: EntryTest = (_s, _e, slot, tag) => {
    const e = this.slots[slot];
    return e.xb !== undefined && e.versions.length === tag;
  };

  private sortedKeys(fi: FieldIndex): { keys: string[]; ids: number[] } {
    if (fi.sorted) return fi.sorted;
    const pairs = fi.lists.map((id): [string, number] => {
      const [words, off, len] = this.postings.key(id);
      return [keyString(words, off, len), id];
    });
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    fi.sorted = { keys: pairs.map((p) => p[0]), ids: pairs.map((p) => p[1]) };
    return fi.sorted;
  }
}

function inexact(p: Plan | undefined): Plan | undefined {
  return p?.exact ? { ...p, exact: false } : p;
}

function keyBefore(dir: 1 | -1): (a: Entry, b: Entry) => boolean {
  return (a, b) => dir * (a.t < b.t ? -1 : a.t > b.t ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0) < 0;
}

/**
 * The test that makes a genomic region clause exact, when the clause is `{ a, s: ops, e: ops }`
 * with numeric comparison operators only (what the compiler makes of `genomic-region`,
 * compile-values.ts `regionCond`): an entry of accession `a` matches the clause exactly when its
 * s and e pass those very comparisons, as mingo would apply them to the element. Undefined for
 * any other shape (the plan then stays a superset to verify).
 */
function exactRegionTest(em: Record<string, unknown>, current: EntryTest): EntryTest | undefined {
  const keys = Object.keys(em);
  if (keys.length !== 3 || !('s' in em) || !('e' in em)) return undefined;
  const s = comparisons(em.s);
  const e = comparisons(em.e);
  if (!s || !e) return undefined;
  return (es, ee, slot, tag) => s(es) && e(ee) && current(es, ee, slot, tag);
}

function comparisons(v: unknown): ((x: number) => boolean) | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const tests: Array<(x: number) => boolean> = [];
  for (const [op, bound] of Object.entries(v as Record<string, unknown>)) {
    if (typeof bound !== 'number' || Number.isNaN(bound)) return undefined;
    if (op === '$lt') tests.push((x) => x < bound);
    else if (op === '$lte') tests.push((x) => x <= bound);
    else if (op === '$gt') tests.push((x) => x > bound);
    else if (op === '$gte') tests.push((x) => x >= bound);
    else return undefined;
  }
  if (!tests.length) return undefined;
  return (x) => tests.every((t) => t(x));
}

/** A document for an exact answer: nothing decoded (resultDoc decodes the index on first access). */
function pickedDoc(e: Entry): CandidateDoc {
  const m = e.versions[e.versions.length - 1];
  return new PickedDoc(e, m.v, m.lu, m.seq);
}

class PickedDoc implements CandidateDoc {
  #x?: SearchIndex;
  readonly t: string;
  readonly id: string;
  constructor(
    readonly entry: Entry,
    readonly v: number,
    readonly lu: number,
    readonly seq: number,
  ) {
    this.t = entry.t;
    this.id = entry.id;
  }
  get x(): SearchIndex {
    return (this.#x ??= decodeIndex(this.entry));
  }
}

const registry = new WeakMap<object, SearchIndexes>();
/** The indexes of one store instance (kept beside it, so the store class needs no new field). */
export function searchIndexesOf(store: object): SearchIndexes {
  let s = registry.get(store);
  if (!s) registry.set(store, (s = new SearchIndexes()));
  return s;
}
