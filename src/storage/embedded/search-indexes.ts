import { Query } from 'mingo';
import type { IndexedDoc, SearchIndex, StoreQuery } from '../types.js';
import type { Entry } from './records.js';
import { candidateDoc, fieldsOf, type CandidateDoc } from './index-docs.js';
import { RangeIndex, type Bounds } from '../../search/range-index.js';
import { chain, elemBounds, intersect, isIn, keyOrder, literalPrefix, lowerBound, scalarBounds } from '../../search/filter-bounds.js';

/**
 * In-memory search indexes of the embedded store (DESIGN.md "Search": the embedded adapter runs
 * the compiled MongoDB document with mingo, but only over candidates picked here, never a whole
 * collection for a selective indexed parameter). Per resource type:
 *  - postings: index field + exact string value -> slots (tokens, references, uris, folded strings),
 *    with a lazily sorted key list for prefix (`^literal`) regexes;
 *  - interval indexes for dates ({s, e}), `lu`, and genomic regions ({a, s, e}, one per accession).
 * Postings are append-only: a value dropped by an update stays listed until verified away by the
 * query itself, so an update costs only its new values. Candidates are deduplicated per query.
 */
type Posting = Map<string, number[]>;
const SATURATED: number[] = [];
const SATURATION = Number(process.env.FHIR_INDEX_SATURATION ?? 50_000);

/**
 * Postings are keyed on a value without its token systems: `system|code`, `|code` and `code` (and
 * the four forms of a composite `a$b`) share one list, which halves what a write inserts. The
 * list is a superset for a system-qualified query, and every candidate is verified against the
 * full filter anyway. Deterministic, so writes and queries agree.
 * The genomics operations' own fields (`gx-*`) use `|` to join a subject with what it has
 * (`Patient/p1|NC_000017.11#0.467`): cutting there would key a patient's lookup on every patient's
 * value, so they are keyed as they are.
 */
export function postingKey(v: string, field: string): string {
  if (v.indexOf('|') < 0 || field.startsWith('gx-')) return v;
  if (v.indexOf('$') < 0) return v.slice(v.lastIndexOf('|') + 1);
  return v.split('$').map((part) => part.slice(part.lastIndexOf('|') + 1)).join('$');
}

interface TypeIndex {
  postings: Map<string, Posting>;
  /** Fields with a value whose posting key differs from it: prefix lookups on their keys could miss. */
  keyed: Set<string>;
  sortedKeys: Map<string, string[] | undefined>;
  ranges: Map<string, RangeIndex>;
}

interface Plan {
  est: number;
  run: () => Iterable<number>;
}

export class SearchIndexes {
  /** Slot -> store entry; an entry is live while its `xb` (serialized index) is set. */
  private readonly slots: Entry[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly types = new Map<string, TypeIndex>();
  private stamp = new Uint32Array(1024);
  private generation = 0;
  /** Observability for tests and the bench: candidates handed to mingo by the last query. */
  readonly stats = { lastCandidates: -1, lastIndexed: false, queries: 0, lastVerified: false };

  private typeIndex(t: string): TypeIndex {
    let ti = this.types.get(t);
    if (!ti) this.types.set(t, (ti = { postings: new Map(), keyed: new Set(), sortedKeys: new Map(), ranges: new Map() }));
    return ti;
  }

  apply(e: Entry, x: SearchIndex | undefined, previousX: SearchIndex | undefined): void {
    const t = e.t;
    const key = `${t}/${e.id}`;
    let slot = this.slotOf.get(key);
    if (slot === undefined) {
      slot = this.slots.length;
      this.slotOf.set(key, slot);
      this.slots.push(e);
    }
    if (!x) return;
    const last = e.versions[e.versions.length - 1];
    const ti = this.typeIndex(t);
    this.range(ti, 'lu', 'date').add(last.lu, last.lu + 1, slot);
    const prev = previousX;
    for (const field in x) {
      // :text is a word match, not an exact or prefix lookup: no posting list can answer it
      if (field.endsWith('__t')) continue;
      const values = x[field] as unknown[];
      if (!Array.isArray(values)) continue;
      const oldList = prev?.[field] as unknown[] | undefined;
      // A report re-imported with thousands of results must not be compared value by value
      const old = oldList && oldList.length > 16 ? new Set(oldList) : oldList;
      for (const v of values) {
        if (typeof v === 'string') {
          if (old && (old instanceof Set ? old.has(v) : old.includes(v))) continue;
          let p = ti.postings.get(field);
          if (!p) ti.postings.set(field, (p = new Map()));
          const key = postingKey(v, field);
          if (key !== v) ti.keyed.add(field);
          const list = p.get(key);
          if (list === SATURATED) continue;
          if (list) {
            // A value on a large share of documents (a LOINC code every variant carries) selects
            // nothing; its list is dropped and queries on it take another clause or scan the type.
            if (list.length >= SATURATION) p.set(key, SATURATED);
            else if (list[list.length - 1] !== slot) list.push(slot); // two forms of one value
          } else {
            p.set(key, [slot]);
            ti.sortedKeys.set(field, undefined);
          }
        } else if (v && typeof v === 'object' && typeof (v as { s?: unknown }).s === 'number' && typeof (v as { e?: unknown }).e === 'number') {
          const r = v as { a?: string; s: number; e: number };
          if (typeof r.a === 'string') this.range(ti, `${field}\u0000${r.a}`, 'region').add(r.s, r.e, slot);
          else this.range(ti, field, 'date').add(r.s, r.e, slot);
        }
      }
    }
  }

  private range(ti: TypeIndex, key: string, kind: 'date' | 'region'): RangeIndex {
    let r = ti.ranges.get(key);
    if (!r) ti.ranges.set(key, (r = new RangeIndex(kind)));
    return r;
  }

  /**
   * Docs to verify for `query` (with the index fields it reads: index-docs.ts), or undefined when
   * no index applies (the store then scans the types).
   */
  candidates(query: StoreQuery, fields: string[] | undefined = fieldsOf(query)): CandidateDoc[] | undefined {
    this.stats.queries++;
    const types = query.types;
    if (!types?.length) return this.miss();
    const plans: Plan[] = [];
    for (const t of types) {
      const ti = this.types.get(t);
      if (!ti) continue;
      const p = this.plan(t, ti, query.filter);
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
    this.stats.lastVerified = false;
    return this.topK(query, picked, fields);
  }

  /**
   * In (type, id) order without a count, only the first `limit` matches matter: take the smallest
   * candidates in that order a few at a time (a bounded heap, not a sort of thousands) and verify
   * them until the page is full, instead of having the generic engine filter and sort thousands
   * of documents to keep fifty.
   */
  private topK(query: StoreQuery, picked: Entry[], fields: string[] | undefined): CandidateDoc[] {
    const dir = keyOrder(query);
    if (!dir || query.count || query.skip || picked.length <= query.limit * 4) return picked.map((e) => candidateDoc(e, fields));
    const before = (a: Entry, b: Entry) => dir * (a.t < b.t ? -1 : a.t > b.t ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0) < 0;
    const q = new Query(query.filter);
    const out: CandidateDoc[] = [];
    let rest = picked;
    while (rest.length && out.length < query.limit) {
      const [first, others] = smallest(rest, Math.max(64, query.limit * 2), before);
      for (const e of first) {
        const d = candidateDoc(e, fields);
        if (q.test(d as unknown as Record<string, unknown>)) out.push(d);
        if (out.length >= query.limit) break;
      }
      rest = others;
    }
    this.stats.lastVerified = true;
    return out;
  }

  private miss(): undefined {
    this.stats.lastVerified = false;
    this.stats.lastCandidates = -1;
    this.stats.lastIndexed = false;
    return undefined;
  }

  /** The cheapest index plan for a filter document (AND: best member; OR: union of all members). */
  private plan(t: string, ti: TypeIndex, filter: unknown): Plan | undefined {
    if (!filter || typeof filter !== 'object' || Array.isArray(filter)) return undefined;
    let best: Plan | undefined;
    const consider = (p: Plan | undefined) => {
      if (p && (!best || p.est < best.est)) best = p;
    };
    for (const [k, v] of Object.entries(filter as Record<string, unknown>)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const m of v) consider(this.plan(t, ti, m));
        consider(this.combinedRanges(ti, v));
      }
      else if (k === '$or' && Array.isArray(v)) {
        const parts = v.map((m) => this.plan(t, ti, m));
        if (parts.every((p): p is Plan => p !== undefined)) {
          consider({ est: parts.reduce((n, p) => n + p.est, 0), run: () => chain(parts.map((p) => p.run())) });
        }
      } else if (k === 'id') consider(this.idPlan(t, v));
      else if (k === 'lu') consider(this.rangePlan(ti.ranges.get('lu'), scalarBounds(v)));
      else if (k.startsWith('x.')) consider(this.fieldPlan(ti, k.slice(2), v));
    }
    return best;
  }

  private idPlan(t: string, v: unknown): Plan | undefined {
    const ids = typeof v === 'string' ? [v] : isIn(v) ? v.$in.filter((x): x is string => typeof x === 'string') : undefined;
    if (!ids) return undefined;
    const slots = ids.map((id) => this.slotOf.get(`${t}/${id}`)).filter((s): s is number => s !== undefined);
    return { est: slots.length, run: () => slots };
  }

  private fieldPlan(ti: TypeIndex, field: string, v: unknown): Plan | undefined {
    const p = ti.postings.get(field);
    if (typeof v === 'string') {
      const list = p?.get(postingKey(v, field)) ?? [];
      if (list === SATURATED) return undefined;
      return { est: list.length, run: () => list };
    }
    if (!v || typeof v !== 'object') return undefined;
    if (isIn(v)) {
      if (!v.$in.every((x) => typeof x === 'string')) return undefined;
      const lists = v.$in.map((x) => p?.get(postingKey(x as string, field)) ?? []);
      if (lists.includes(SATURATED)) return undefined;
      return { est: lists.reduce((n, l) => n + l.length, 0), run: () => chain(lists) };
    }
    const regex = (v as { $regex?: unknown }).$regex;
    if (typeof regex === 'string' && Object.keys(v).length === 1) {
      const prefix = literalPrefix(regex);
      if (prefix !== undefined && ti.keyed.has(field)) return undefined; // keys are not the values here
      if (prefix === undefined || !p) return prefix === undefined ? undefined : { est: 0, run: () => [] };
      const keys = this.sortedKeys(ti, field, p);
      let i = lowerBound(keys, prefix);
      const lists: number[][] = [];
      let est = 0;
      for (; i < keys.length && keys[i].startsWith(prefix); i++) {
        const l = p.get(keys[i])!;
        if (l === SATURATED) return undefined;
        lists.push(l);
        est += l.length;
      }
      return { est, run: () => chain(lists) };
    }
    const em = (v as { $elemMatch?: Record<string, unknown> }).$elemMatch;
    if (em && Object.keys(v).length === 1) {
      if (typeof em.a === 'string') return this.rangePlan(ti.ranges.get(`${field}\u0000${em.a}`), elemBounds(em), true);
      if ('s' in em || 'e' in em || '$or' in em) return this.rangePlan(ti.ranges.get(field), elemBounds(em), true);
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
      const p = this.rangePlan(ti.ranges.get(field), acc);
      if (p && (!best || p.est < best.est)) best = p;
    }
    return best;
  }

  private rangePlan(r: RangeIndex | undefined, bounds: Bounds[] | undefined, emptyIfMissing = true): Plan | undefined {
    if (!bounds) return undefined;
    if (!r) return emptyIfMissing ? { est: 0, run: () => [] } : undefined;
    const est = bounds.reduce((n, b) => n + r.estimate(b), 0);
    return { est, run: () => chain(bounds.map((b) => r.query(b))) };
  }

  private sortedKeys(ti: TypeIndex, field: string, p: Posting): string[] {
    let keys = ti.sortedKeys.get(field);
    if (!keys) ti.sortedKeys.set(field, (keys = [...p.keys()].sort()));
    return keys;
  }
}

const registry = new WeakMap<object, SearchIndexes>();
/** The indexes of one store instance (kept beside it, so the store class needs no new field). */
export function searchIndexesOf(store: object): SearchIndexes {
  let s = registry.get(store);
  if (!s) registry.set(store, (s = new SearchIndexes()));
  return s;
}

/**
 * The `k` first items of `items` in `before` order (sorted), and the others (any order): a max-heap
 * of size k over one pass, so most items cost one comparison with the heap's top.
 */
export function smallest<T>(items: T[], k: number, before: (a: T, b: T) => boolean): [T[], T[]] {
  if (items.length <= k) return [[...items].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)), []];
  const heap: T[] = [];
  const others: T[] = [];
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[m], heap[l])) m = l;
      if (r < heap.length && before(heap[m], heap[r])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (const it of items) {
    if (heap.length < k) {
      heap.push(it);
      for (let i = heap.length - 1; i > 0;) {
        const p = (i - 1) >> 1;
        if (!before(heap[p], heap[i])) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (before(it, heap[0])) {
      others.push(heap[0]);
      heap[0] = it;
      down(0);
    } else others.push(it);
  }
  return [heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)), others];
}
