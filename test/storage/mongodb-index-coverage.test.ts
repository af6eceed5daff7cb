import t from 'tap';
import type { IndexDescription } from 'mongodb';
import { indexSpecs, MAX_INDEXES_PER_COLLECTION, WILDCARD_INDEX_NAME } from '../../src/storage/mongodb/index-specs.js';
import { searchIndexFields } from '../../src/search/search-service.js';
import { compartmentFilter, patientCompartmentTypes } from '../../src/search/compartment.js';
import { parseSearch } from '../../src/search/parse.js';
import { buildFilter } from '../../src/search/build-filter.js';

// Which indexes serve which query documents, read as MongoDB's planner reads them: every search
// has `t` by equality (queries.ts searchFilter), so an index `{t, f, ...}` serves a condition on
// f; the wildcard index serves a condition on one of its projected fields; an `$or` is served when
// each branch is, an `$and` when one member is.

const resources = (): IndexDescription[] => indexSpecs(searchIndexFields()).resources;

/** The name of an index that bounds `field` (after `t`), or undefined. */
function indexFor(field: string, specs: IndexDescription[]): string | undefined {
  for (const s of specs) {
    const key = Object.keys(s.key);
    if (key[0] === 't' && key[1] === field) return s.name;
    if (s.name === WILDCARD_INDEX_NAME && (s.wildcardProjection as Record<string, unknown> | undefined)?.[field]) return s.name;
  }
  return undefined;
}

/** Fields of `filter` that no index serves (empty: the whole document is served). */
function unserved(filter: Record<string, unknown>, specs: IndexDescription[]): string[] {
  if (Array.isArray(filter.$or)) return (filter.$or as Array<Record<string, unknown>>).flatMap((b) => unserved(b, specs));
  if (Array.isArray(filter.$and)) {
    const parts = (filter.$and as Array<Record<string, unknown>>).map((b) => unserved(b, specs));
    return parts.some((p) => p.length === 0) ? [] : parts.flat();
  }
  const fields = Object.keys(filter).filter((k) => !k.startsWith('$') && k !== 't');
  return fields.some((f) => f === 'id' || served(f, filter[f], specs)) ? [] : fields;
}

/** A condition on one field: an index on it, or (`$elemMatch`) on a sub-field the element bounds outside any `$or`. */
function served(field: string, cond: unknown, specs: IndexDescription[]): boolean {
  const em = (cond as { $elemMatch?: Record<string, unknown> } | undefined)?.$elemMatch;
  if (em) return Object.keys(em).some((k) => !k.startsWith('$') && indexFor(`${field}.${k}`, specs) !== undefined);
  return indexFor(field, specs) !== undefined;
}

t.test('MongoDB: at most 64 indexes on resources, _id_ included', async (t) => {
  t.ok(resources().length + 1 <= MAX_INDEXES_PER_COLLECTION, `${resources().length + 1} indexes`);
});

t.test('MongoDB: every Patient compartment query has a supporting index', async (t) => {
  const specs = resources();
  const types = patientCompartmentTypes();
  t.ok(types.length > 60, 'the R4 Patient compartment types');
  for (const type of types) {
    const f = compartmentFilter(type, { resourceType: 'Patient', id: 'p1' });
    t.same(unserved(f, specs), [], `${type}: ${JSON.stringify(f)}`);
  }
  const all = { $or: types.map((type) => ({ t: type, ...compartmentFilter(type, { resourceType: 'Patient', id: 'p1' }) })) };
  t.same(unserved(all, specs), [], 'Patient/p1/* (every type at once)');
});

t.test('MongoDB: every date prefix but ne is served by an index on the start or the end of the stored ranges', async (t) => {
  const specs = resources();
  const noStore = { search: async () => ({ records: [], docs: [] }) };
  for (const [type, code] of [['Observation', 'date'], ['Patient', 'birthdate'], ['DiagnosticReport', 'issued'], ['Specimen', 'collected'], ['ServiceRequest', 'authored']]) {
    for (const prefix of ['eq', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']) {
      const filter = await buildFilter(noStore, type, parseSearch(type, { [code]: [`${prefix}2020-06`] }, true).clauses, 'http://x/fhir');
      t.same(unserved(filter, specs), [], `${type}?${code}=${prefix}2020-06: ${JSON.stringify(filter)}`);
    }
    // ne matches every range but those inside the value: an index would read nearly all of them
    const ne = await buildFilter(noStore, type, parseSearch(type, { [code]: ['ne2020-06'] }, true).clauses, 'http://x/fhir');
    t.same(unserved(ne, specs), [`x.${code}`], `${type}?${code}=ne2020-06 reads by scan`);
  }
});

t.test('the coverage check itself', async (t) => {
  const specs = indexSpecs(['x.a', { anyOf: ['x.w'] }]).resources;
  t.same(unserved({ 'x.a': 1 }, specs), []);
  t.same(unserved({ 'x.w': 1 }, specs), [], 'the wildcard index');
  t.same(unserved({ $or: [{ 'x.a': 1 }, { 'x.b': 1 }] }, specs), ['x.b'], 'one branch unserved');
  t.same(unserved({ $and: [{ 'x.a': 1 }, { 'x.b': 1 }] }, specs), [], 'one member served is enough');
  t.same(unserved({ id: 'p1' }, specs), [], 't_id');
  const dates = indexSpecs(['x.d.s']).resources;
  t.same(unserved({ 'x.d': { $elemMatch: { s: { $lt: 1 } } } }, dates), [], 'an element bound on an indexed sub-field');
  t.same(unserved({ 'x.d': { $elemMatch: { e: { $gt: 1 } } } }, dates), ['x.d'], 'on another one');
  t.same(unserved({ 'x.d': { $elemMatch: { $or: [{ s: { $lt: 1 } }] } } }, dates), ['x.d'], 'only inside an $or');
});
