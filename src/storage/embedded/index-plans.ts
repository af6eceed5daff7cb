import type { Entry } from './records.js';
import type { RangeIndex, Bounds, EntryTest } from '../../search/range-index.js';
import { chain, elemBounds, intersect, isIn, literalPrefix, lowerBound, scalarBounds } from '../../search/filter-bounds.js';
import { encodeKey, keyString, postingKey } from './index-terms.js';
import { hashField, hashHi, hashLo } from './key-hash.js';
import type { PostingStore } from './posting-store.js';

/**
 * Index plans of the embedded store's search indexes (search-indexes.ts): which posting lists or
 * interval entries hold the candidates of a compiled filter document, how many (to pick the
 * cheapest clause), and whether those candidates are exactly the matches (then nothing needs
 * verifying). Read-only over the indexes.
 */
export interface FieldIndex {
  readonly id: number;
  /** A value whose posting key differs from it was seen: prefix lookups on the keys could miss. */
  keyed: boolean;
  /** Ids of the field's lists (one per distinct key), for prefix lookups. */
  lists: number[];
  /** Keys sorted, with their lists, valid while `lists` has not grown. */
  sorted?: { keys: string[]; ids: number[] };
}

export interface TypeIndex {
  fields: Map<string, FieldIndex>;
  ranges: Map<string, RangeIndex>;
}

export interface Plan {
  est: number;
  run: () => Iterable<number>;
  /** The live slots it yields are exactly the documents that match the filter it was made for. */
  exact?: boolean;
}

/** What plans read: the postings, entries by id, and which interval entries are current. */
export interface PlanContext {
  readonly postings: PostingStore;
  entryOf(t: string, id: string): Entry | undefined;
  /** An interval entry of the current version of a live document (not one an update left behind). */
  readonly current: EntryTest;
  /** Work counters a test can read (windows intersected while planning: it must not grow exponentially). */
  readonly stats?: { planWindows: number };
}

const EMPTY_SLOTS = new Int32Array(0);

/**
 * The cheapest index plan for a filter document (AND: best member; OR: union of all members).
 * Exact only when the filter is that one clause and the clause's plan is exact.
 */
export function plan(ctx: PlanContext, t: string, ti: TypeIndex, filter: unknown, whole = false): Plan | undefined {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) return undefined;
  if (whole) {
    const p = plan(ctx, t, ti, filter);
    return p && { ...p, exact: p.exact === true && Object.keys(filter).length === 1 };
  }
  let best: Plan | undefined;
  const consider = (p: Plan | undefined) => {
    if (p && (!best || p.est < best.est)) best = p;
  };
  for (const [k, v] of Object.entries(filter as Record<string, unknown>)) {
    if (k === '$and' && Array.isArray(v)) {
      // a member's plan is exact for that member only
      for (const m of v) consider(inexact(plan(ctx, t, ti, m)));
      consider(combinedRanges(ctx, ti, v));
    }
    else if (k === '$or' && Array.isArray(v)) {
      const parts = v.map((m) => plan(ctx, t, ti, m));
      if (parts.every((p): p is Plan => p !== undefined)) {
        consider({ est: parts.reduce((n, p) => n + p.est, 0), run: () => chain(parts.map((p) => p.run())) });
      }
    } else if (k === 'id') consider(idPlan(ctx, t, v));
    else if (k === 'lu') consider(rangePlan(ti.ranges.get('lu'), scalarBounds(v), ctx.current));
    else if (k.startsWith('x.')) consider(fieldPlan(ctx, t, ti, k.slice(2), v));
  }
  return best;
}

function idPlan(ctx: PlanContext, t: string, v: unknown): Plan | undefined {
  const ids = typeof v === 'string' ? [v] : isIn(v) ? v.$in.filter((x): x is string => typeof x === 'string') : undefined;
  if (!ids) return undefined;
  const slots = ids.map((id) => ctx.entryOf(t, id)?.slot).filter((s): s is number => s !== undefined);
  // ids are strings: `id: x` / `id: { $in }` matches exactly the live entries of those ids
  return { est: slots.length, run: () => slots, exact: true };
}

/** The list of one key of a field: -1 when there is none. */
function listOf(ctx: PlanContext, t: string, field: string, fi: FieldIndex | undefined, key: string): number {
  if (!fi) return -1;
  hashField(t, field);
  const [words, len] = encodeKey(key);
  return ctx.postings.find(hashHi, hashLo, fi.id, words, 0, len);
}

/** Slots of a list as a plan; undefined when the list is saturated (it selects nothing). */
function listPlans(ctx: PlanContext, ids: number[]): Plan | undefined {
  let est = 0;
  for (const id of ids) {
    const n = ctx.postings.count(id);
    if (n < 0) return undefined;
    est += n;
  }
  return { est, run: () => (ids.length === 1 ? ctx.postings.slots(ids[0]) : chain(ids.map((id) => ctx.postings.slots(id)))) };
}

function fieldPlan(ctx: PlanContext, t: string, ti: TypeIndex, field: string, v: unknown): Plan | undefined {
  const fi = ti.fields.get(field);
  if (typeof v === 'string') {
    const id = listOf(ctx, t, field, fi, postingKey(v, field));
    return id < 0 ? { est: 0, run: () => EMPTY_SLOTS } : listPlans(ctx, [id]);
  }
  if (!v || typeof v !== 'object') return undefined;
  if (isIn(v)) {
    if (!v.$in.every((x) => typeof x === 'string')) return undefined;
    const ids = v.$in.map((x) => listOf(ctx, t, field, fi, postingKey(x as string, field))).filter((id) => id >= 0);
    return listPlans(ctx, ids);
  }
  const regex = (v as { $regex?: unknown }).$regex;
  if (typeof regex === 'string' && Object.keys(v).length === 1) {
    const prefix = literalPrefix(regex);
    if (prefix !== undefined && fi?.keyed) return undefined; // keys are not the values here
    if (prefix === undefined || !fi) return prefix === undefined ? undefined : { est: 0, run: () => EMPTY_SLOTS };
    const { keys, ids } = sortedKeys(ctx, fi);
    const matching: number[] = [];
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i].startsWith(prefix); i++) matching.push(ids[i]);
    return listPlans(ctx, matching);
  }
  const em = (v as { $elemMatch?: Record<string, unknown> }).$elemMatch;
  if (em && Object.keys(v).length === 1) {
    if (typeof em.a === 'string') {
      const region = ti.ranges.get(`${field}\u0000${em.a}`);
      const test = exactRegionTest(em, ctx.current);
      const p = rangePlan(region, elemBounds(em), test ?? ctx.current);
      return p && { ...p, exact: test !== undefined };
    }
    if ('s' in em || 'e' in em || '$or' in em) return rangePlan(ti.ranges.get(field), elemBounds(em), ctx.current);
  }
  return undefined;
}

/**
 * AND of several interval clauses on one field (`date=ge…&date=lt…`): one window, bounds
 * intersected. Only where every document has at most one interval in the field: each repeat may
 * be met by a different value (search.html#combining), and an intersected window would find only
 * documents with one value meeting them all.
 */
const MAX_WINDOWS = 64;

function combinedRanges(ctx: PlanContext, ti: TypeIndex, members: unknown[]): Plan | undefined {
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
    const r = ti.ranges.get(field);
    if (r?.multiValued) continue;
    // Each clause may be a union of windows ($or branches): the intersection of n of them is their
    // cross product, so empty and repeated windows go at each step, and past MAX_WINDOWS this
    // field is not planned (25 repeats of a two-window date clause were 2^25 windows).
    let acc: Bounds[] | undefined = groups[0];
    for (const g of groups.slice(1)) {
      const next = new Map<string, Bounds>();
      for (const a of acc) {
        for (const b of g) {
          const w = intersect(a, b);
          if (ctx.stats) ctx.stats.planWindows++;
          if (w.sMin > w.sMax || w.eMin > w.eMax) continue;
          next.set(`${w.sMin} ${w.sMax} ${w.eMin} ${w.eMax}`, w);
        }
      }
      acc = next.size > MAX_WINDOWS ? undefined : [...next.values()];
      if (!acc) break;
    }
    if (!acc) continue;
    const p = rangePlan(r, acc, ctx.current);
    if (p && (!best || p.est < best.est)) best = p;
  }
  return best;
}

/**
 * Interval entries within the bounds that `test` keeps (none without an index: no document
 * has such an interval).
 */
function rangePlan(r: RangeIndex | undefined, bounds: Bounds[] | undefined, test: EntryTest): Plan | undefined {
  if (!bounds) return undefined;
  if (!r) return { est: 0, run: () => EMPTY_SLOTS };
  const est = bounds.reduce((n, b) => n + r.estimate(b), 0);
  return { est, run: () => (bounds.length === 1 ? r.query(bounds[0], test) : chain(bounds.map((b) => r.query(b, test)))) };
}

function sortedKeys(ctx: PlanContext, fi: FieldIndex): { keys: string[]; ids: number[] } {
  if (fi.sorted) return fi.sorted;
  const pairs = fi.lists.map((id): [string, number] => {
    const [words, off, len] = ctx.postings.key(id);
    return [keyString(words, off, len), id];
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  fi.sorted = { keys: pairs.map((p) => p[0]), ids: pairs.map((p) => p[1]) };
  return fi.sorted;
}

function inexact(p: Plan | undefined): Plan | undefined {
  return p?.exact ? { ...p, exact: false } : p;
}

/**
 * The test that makes a genomic region clause exact, when the clause is `{ a, b?: { $in }, s: ops, e: ops }`
 * with numeric comparison operators only (what the compiler makes of `genomic-region`,
 * compile-values.ts `regionCond`): an entry of accession `a` matches the clause exactly when its
 * s and e pass those very comparisons, as mingo would apply them to the element. Undefined for
 * any other shape (the plan then stays a superset to verify).
 */
function exactRegionTest(em: Record<string, unknown>, current: EntryTest): EntryTest | undefined {
  const keys = Object.keys(em);
  if (keys.length !== ('b' in em ? 4 : 3) || !('s' in em) || !('e' in em)) return undefined;
  const s = comparisons(em.s);
  const e = comparisons(em.e);
  if (!s || !e) return undefined;
  // `b: { $in: bins }` adds nothing to test: an element's bin is a function of its s and e
  // (genomics-params.ts binned), and every element that passes s and e is filed in one of the
  // query's bins (compile-values.ts regionCond; test/search/region-bins.test.ts)
  if ('b' in em && !(isIn(em.b) && em.b.$in.every((x) => typeof x === 'number'))) return undefined;
  return (es, ee, slot, tag) => s(es) && e(ee) && current(es, ee, slot, tag);
}

function comparisons(v: unknown): ((x: number) => boolean) | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const ops = Object.entries(v as Record<string, unknown>);
  // the compiler's own shapes, as plain closures (this runs once per interval in the window)
  if (ops.length === 1 && typeof ops[0][1] === 'number' && !Number.isNaN(ops[0][1])) {
    const b = ops[0][1];
    if (ops[0][0] === '$lt') return (x) => x < b;
    if (ops[0][0] === '$gt') return (x) => x > b;
  }
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

