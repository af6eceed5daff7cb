import { Query } from '../../search/match-filter.js';
import type { StoreQuery } from '../types.js';
import type { Entry } from './records.js';
import { candidateDoc, fieldsOf, pickedDoc, type CandidateDoc } from './index-docs.js';
import { RangeIndex, type EntryTest } from '../../search/range-index.js';
import { keyOrder } from '../../search/filter-bounds.js';
import { grow, KEY, RunTerms, TermsBuilder, type Terms } from './index-terms.js';
import { PostingStore } from './posting-store.js';
import { firstSlots, idOrderKey, smallest } from './top-k.js';
import { plan, type FieldIndex, type Plan, type PlanContext, type TypeIndex } from './index-plans.js';


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
const SORT_AFTER_IDLE_MS = 200;

interface Resolved {
  lists: Int32Array;
  fields: Array<FieldIndex | undefined>;
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

export class SearchIndexes implements PlanContext {
  /** Slot -> store entry; an entry is live while its `xb` (serialized index) is set. */
  private readonly slots: Entry[] = [];
  /**
   * Per slot, in typed arrays so that a query over thousands of candidates never touches their
   * entries: the tag (`gens`) of the live current version's indexing (0: none), and the type.
   */
  private live: Int32Array = new Int32Array(1024);
  private typeOf: Int32Array = new Int32Array(1024);
  /**
   * Per slot, how many times it was indexed: the tag of its interval entries and of `live`. Not
   * the version number: a reindex indexes the same version again, and the interval entries of
   * its old index must then stop counting as current as an update's do.
   */
  private gens: Int32Array = new Int32Array(1024);
  /** Per slot, its id's order key (top-k.ts `idOrderKey`). */
  private idKey: Float64Array = new Float64Array(1024);
  /** The candidates of the last query, as slots (reused). */
  private pickedSlots: Int32Array = new Int32Array(1024);
  private readonly typeIds = new Map<string, number>();
  private readonly types = new Map<string, TypeIndex>();
  readonly postings = new PostingStore(SATURATION);
  private fieldCount = 0;
  private stamp = new Uint32Array(1024);
  private generation = 0;
  /** An interval entry of the current version of a live document (not one an update left behind). */
  readonly current: EntryTest = (_s, _e, slot, tag) => this.live[slot] === tag;
  /** How the store finds an entry by id (for `_id` plans). */
  entryOf: (t: string, id: string) => Entry | undefined = () => undefined;
  /** Observability for tests and the bench: candidates handed to mingo by the last query. */
  readonly stats = { lastCandidates: -1, lastIndexed: false, queries: 0, lastVerified: false, lastDecoded: 0, lastExact: false, planWindows: 0 };

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
    if (this.live.length < this.slots.length) {
      this.live = grow(this.live, this.slots.length);
      this.typeOf = grow(this.typeOf, this.slots.length);
      this.gens = grow(this.gens, this.slots.length);
      this.idKey = grow(this.idKey, this.slots.length);
    }
    this.idKey[e.slot] = idOrderKey(e.id);
    let t = this.typeIds.get(e.t);
    if (t === undefined) this.typeIds.set(e.t, (t = this.typeIds.size));
    this.typeOf[e.slot] = t;
  }

  /** The entry's current version is not live any more (a delete). */
  retire(e: Entry): void {
    this.live[e.slot] = 0;
  }

  /**
   * Indexes the current version of `e` from its terms (resource `r` of `terms`); `old` are the
   * terms of the version it replaces, when that one was live: its keys are listed already.
   */
  apply(e: Entry, terms: Terms, r: number, old?: { terms: Terms; r: number }): void {
    const slot = e.slot;
    const last = e.versions[e.versions.length - 1];
    const ti = this.typeIndex(e.t);
    // Tagged with the indexing: entries an update (or a reindex) leaves behind are told apart at query time.
    const tag = ++this.gens[slot];
    this.live[slot] = tag;
    this.writes++;
    if (!this.sortTimer) this.sortSoon();
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
  private runTerms?: TermsBuilder;
  private runGeneration = -1;
  private runResolved?: Resolved;
  private resolvedOf(terms: Terms): Resolved {
    if (terms === this.lastTerms && this.lastResolved) return this.lastResolved;
    // A builder applied resource by resource (RunTerms): its keys keep their meaning until it is
    // reset, so what they resolved to stays valid and only grows.
    if (terms instanceof RunTerms) {
      let out = this.runResolved;
      if (!out || this.runTerms !== terms || this.runGeneration !== terms.generation) {
        out = { lists: new Int32Array(Math.max(256, terms.nKey)).fill(-1), fields: [] };
        this.runTerms = terms;
        this.runGeneration = terms.generation;
      } else if (out.lists.length < terms.nKey) {
        const lists = new Int32Array(2 * terms.nKey).fill(-1);
        lists.set(out.lists);
        out = { lists, fields: out.fields };
      }
      return (this.runResolved = out);
    }
    // a builder's arrays have spare room: only its keys so far count
    const n = terms instanceof TermsBuilder ? terms.nKey : terms.key.length / KEY;
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

  /**
   * Interval indexes sort what was added to them lazily, at the next query that reads them: a
   * bulk load then costs no re-sorting per batch. That first query would pay for the whole load
   * (tens of ms for one chromosome of a million variants), so once writes have paused for a
   * moment they are sorted in the background; a query before that sorts what it reads itself.
   */
  private writes = 0;
  private sortTimer?: NodeJS.Timeout;
  private sortSoon(seen = this.writes): void {
    this.sortTimer = setTimeout(() => {
      if (this.writes !== seen) return this.sortSoon();
      this.sortPending();
    }, SORT_AFTER_IDLE_MS);
    this.sortTimer.unref();
  }

  /** Sorts now what the interval indexes have not sorted yet (the store calls it once recovered). */
  sortPending(): void {
    clearTimeout(this.sortTimer);
    this.sortTimer = undefined;
    for (const r of this.rangeIndexes()) r.sort(); // returns at once when nothing was added
  }

  /** How many interval indexes have entries waiting to be sorted (tests, observability). */
  get unsortedIndexes(): number {
    let n = 0;
    for (const r of this.rangeIndexes()) if (r.unsorted) n++;
    return n;
  }

  private *rangeIndexes(): Generator<RangeIndex> {
    for (const ti of this.types.values()) yield* ti.ranges.values();
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
      const p = plan(this, t, ti, query.filter, true);
      if (!p) return this.miss();
      plans.push(p);
    }
    this.generation++;
    if (this.stamp.length < this.slots.length) this.stamp = new Uint32Array(this.slots.length * 2);
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
    const wanted = types.map((t) => this.typeIds.get(t) ?? -1);
    const { stamp, generation, live, typeOf } = this;
    let n = 0;
    for (const p of plans) {
      for (const slot of p.run()) {
        if (stamp[slot] === generation) continue;
        stamp[slot] = generation;
        if (live[slot] !== 0 && (wanted.length === 1 ? typeOf[slot] === wanted[0] : wanted.includes(typeOf[slot]))) {
          if (n === this.pickedSlots.length) this.pickedSlots = grow(this.pickedSlots, n + 1);
          this.pickedSlots[n++] = slot;
        }
      }
    }
    this.stats.lastCandidates = n;
    this.stats.lastIndexed = true;
    const exact = plans.every((p) => p.exact);
    this.stats.lastExact = exact;
    this.stats.lastVerified = exact;
    if (exact) return this.exactAnswer(query, this.pickedSlots, n, types, fields, paged);
    const picked: Entry[] = new Array<Entry>(n);
    for (let i = 0; i < n; i++) picked[i] = this.slots[this.pickedSlots[i]];
    return this.topK(query, picked, fields, paged);
  }

  /**
   * Every candidate matches: nothing is decoded to verify it. In (type, id) order the page is the
   * `skip + limit` smallest candidates and the count is the number of candidates, so a window
   * holding thirty thousand variants costs a bounded heap over slots (their types and id keys in
   * typed arrays), not thirty thousand parses, nor even thirty thousand entries read.
   */
  private exactAnswer(query: StoreQuery, picked: Int32Array, n: number, types: string[], fields: string[] | undefined, paged: boolean): Picked {
    const dir = keyOrder(query);
    if (!dir || !paged) {
      const docs: CandidateDoc[] = [];
      for (let i = 0; i < n; i++) docs.push(this.decode(this.slots[picked[i]], fields));
      return { docs, verified: true };
    }
    const skip = query.skip ?? 0;
    const first = firstSlots(picked, n, skip + query.limit, this.slotBefore(dir, types));
    return { docs: first.slice(skip).map((slot) => pickedDoc(this.slots[slot])), verified: true, paged: true, total: query.count ? n : undefined };
  }

  /** (type, id) order of slots, `dir` 1 ascending: as `keyBefore`, from the typed arrays where they decide. */
  private slotBefore(dir: 1 | -1, types: string[]): (a: number, b: number) => boolean {
    const rank = new Int32Array(this.typeIds.size);
    const names = [...types].sort();
    for (const [t, i] of this.typeIds) rank[i] = names.indexOf(t);
    const { typeOf, idKey, slots } = this;
    return (a, b) => {
      const ta = rank[typeOf[a]];
      const tb = rank[typeOf[b]];
      if (ta !== tb) return dir * (ta - tb) < 0;
      const ka = idKey[a];
      const kb = idKey[b];
      if (ka < kb) return dir > 0;
      if (ka > kb) return dir < 0;
      // equal keys, or NaN (an id the key cannot order): the strings decide
      const ia = slots[a].id;
      const ib = slots[b].id;
      return dir * (ia < ib ? -1 : ia > ib ? 1 : 0) < 0;
    };
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
}

function keyBefore(dir: 1 | -1): (a: Entry, b: Entry) => boolean {
  return (a, b) => dir * (a.t < b.t ? -1 : a.t > b.t ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0) < 0;
}

const registry = new WeakMap<object, SearchIndexes>();
/** The indexes of one store instance (kept beside it, so the store class needs no new field). */
export function searchIndexesOf(store: object): SearchIndexes {
  let s = registry.get(store);
  if (!s) registry.set(store, (s = new SearchIndexes()));
  return s;
}
