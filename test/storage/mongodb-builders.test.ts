import t from 'tap';
import { changedWildcardIndex, indexSpecs, indexesToDrop, obsoleteIndexNames, WILDCARD_INDEX_NAME } from '../../src/storage/mongodb/index-specs.js';
import {
  COLLECTIONS, buildVersionDocs, indexedDocFromDoc, indexVersionWrite, lockUpdate, recordFromDoc, reindexScan, reindexUpdate, seqReservation, type ResourceDoc,
} from '../../src/storage/mongodb/layout.js';
import {
  assertSafeFilter, searchProjection, hiddenLookups, historyCount, historyFilter, historyOptions, predecessorTombstonesFilter, isRetryable, isTimeout, searchFilter, searchOptions, transactionsSupported,
} from '../../src/storage/mongodb/queries.js';
import { mergeStagedPage } from '../../src/storage/mongodb/staged-merge.js';
import { storedJson } from '../../src/storage/stored-json.js';
import { QUERY_TIME_LIMIT_MS } from '../../src/storage/time-limit.js';
import { readsTogether } from '../../src/storage/mongodb/session-order.js';

// Everything the MongoDB adapter sends, except the driver call itself, tested without a server.

t.test('version documents: current + history, tombstones', async (t) => {
  const json = storedJson({ resourceType: 'Observation', id: 'o1', meta: { versionId: '9', source: 's' }, status: 'final', code: {} } as never, 2, '2024-01-02T03:04:05.678Z');
  t.same(JSON.parse(json).meta, { source: 's', versionId: '2', lastUpdated: '2024-01-02T03:04:05.678Z' }, 'store-assigned meta');
  const lu = Date.parse('2024-01-02T03:04:05.678Z');
  const { current, history } = buildVersionDocs({ t: 'Observation', id: 'o1', v: 2, lu, seq: 17, json, x: { code: ['a|b'] } });
  t.same(current, { _id: 'Observation/o1', t: 'Observation', id: 'o1', v: 2, lu, seq: 17, x: { code: ['a|b'] }, json });
  t.same(history, { _id: 'Observation/o1/2', t: 'Observation', id: 'o1', v: 2, lu, seq: 17, json }, 'history holds no index');
  t.same(recordFromDoc(current), { resourceType: 'Observation', id: 'o1', versionId: 2, lastUpdated: '2024-01-02T03:04:05.678Z', deleted: false, seq: 17, json });
  t.same(indexedDocFromDoc(current), { t: 'Observation', id: 'o1', v: 2, lu, seq: 17, x: { code: ['a|b'] } });
  const del = buildVersionDocs({ t: 'Observation', id: 'o1', v: 3, lu, seq: 18 });
  t.same(del.current, { _id: 'Observation/o1', t: 'Observation', id: 'o1', v: 3, lu, seq: 18, x: {}, d: true }, 'tombstone keeps no body');
  t.equal(recordFromDoc(del.history).deleted, true);
  t.notOk('json' in recordFromDoc(del.history));
});

t.test('index specifications', async (t) => {
  const specs = indexSpecs();
  t.same(specs.resources.map((s) => [s.name, s.key, !!s.unique]), [
    ['t_id', { t: 1, id: 1 }, true], ['t_lu_id', { t: 1, lu: 1, id: 1 }, false],
  ], 'one lu index serves both directions (the tie-break follows the sort: paging.ts fullSort)');
  t.same(specs.history.map((s) => [s.name, s.key, !!s.unique]), [
    ['t_id_v', { t: 1, id: 1, v: 1 }, true], ['seq', { seq: 1 }, false], ['t_seq', { t: 1, seq: 1 }, false],
  ]);
  t.equal(specs.locks[0].expireAfterSeconds, 3600, 'unused lock documents expire');
  const withSearch = indexSpecs(['x.code', ['x.subject', 'x.date.s']]);
  t.same(withSearch.resources.slice(2).map((s) => [s.name, s.key]), [
    ['t_x.code', { t: 1, 'x.code': 1 }], ['t_x.subject_x.date.s', { t: 1, 'x.subject': 1, 'x.date.s': 1 }],
  ], 'one index per search field, scoped by type');
  t.throws(() => indexSpecs(['json']), /Refusing/, 'only x.* fields');
  t.throws(() => indexSpecs(['x.$where']), /Refusing/);
  t.throws(() => indexSpecs([[]]), /empty/);
  t.same(indexSpecs(['x.a']), indexSpecs(['x.a']), 'deterministic, so createIndexes is idempotent');
  const sorted = indexSpecs([[['x.date.s', -1], 'id']]).resources[2];
  t.same([sorted.name, sorted.key], ['t_x.date.s_-1_id', { t: 1, 'x.date.s': -1, id: 1 }], 'a descending term and the id tie-break');
  t.throws(() => indexSpecs([['id', 'x.a']]), /Refusing/, 'id only as the last term');
  const wild = indexSpecs([{ anyOf: ['x.recorder', 'x.asserter'] }]).resources[2];
  t.same(wild, { key: { '$**': 1 }, name: WILDCARD_INDEX_NAME, wildcardProjection: { 'x.recorder': 1, 'x.asserter': 1 } }, 'one wildcard index over fields looked up alone');
  t.throws(() => indexSpecs([{ anyOf: ['json'] }]), /Refusing/);
  t.throws(() => indexSpecs([{ anyOf: ['x.a'] }, { anyOf: ['x.b'] }]), /one wildcard/);
});

t.test('our wildcard index is built anew when its fields change (createIndexes refuses a name with other options)', async (t) => {
  const wanted = indexSpecs([{ anyOf: ['x.recorder', 'x.asserter'] }]).resources;
  const as = (wildcardProjection: Record<string, unknown>) => [{ name: WILDCARD_INDEX_NAME, key: { '$**': 1 }, wildcardProjection }];
  t.equal(changedWildcardIndex(as({ 'x.recorder': 1, 'x.asserter': 1 }), wanted), undefined, 'the same fields');
  t.equal(changedWildcardIndex(as({ 'x.asserter': 1, 'x.recorder': 1 }), wanted), undefined, 'in another order');
  t.equal(changedWildcardIndex(as({ x: { recorder: true, asserter: true }, _id: false }), wanted), undefined, 'as servers before 6.3 store it');
  t.equal(changedWildcardIndex(as({ 'x.recorder': 1 }), wanted), WILDCARD_INDEX_NAME, 'a field fewer');
  t.equal(changedWildcardIndex(as({ x: { recorder: true, asserter: true, author: true }, _id: false }), wanted), WILDCARD_INDEX_NAME, 'a field more');
  t.equal(changedWildcardIndex([], wanted), undefined, 'none yet: createIndexes builds it');
  t.equal(changedWildcardIndex(as({ 'x.a': 1 }), indexSpecs(['x.code']).resources), undefined, 'not wanted: obsoleteIndexNames drops it');
});

t.test('obsolete search indexes: ours that the specs no longer define, and nothing else', async (t) => {
  const wanted = indexSpecs(['x.code', ['x.genomic-region.a', 'x.genomic-region.b', 'x.genomic-region.s'], { anyOf: ['x.recorder'] }]).resources;
  const existing = [
    { name: '_id_', key: { _id: 1 } },
    ...wanted.map((w) => ({ name: w.name, key: w.key as Record<string, unknown> })),
    // the region index of index versions 1 and 2 (before bins)
    { name: 't_x.genomic-region.a_x.genomic-region.s', key: { t: 1, 'x.genomic-region.a': 1, 'x.genomic-region.s': 1 } },
    { name: 't_x.status', key: { t: 1, 'x.status': 1 } },
    { name: 't_x.date.s', key: { t: 1, 'x.date.s': 1 } },
    // an operator's own indexes: another name, or a key not of our shape
    { name: 'my_status', key: { t: 1, 'x.status': 1 } },
    { name: 't_x.status_json', key: { t: 1, 'x.status': 1, json: 1 } },
    { name: 't_json', key: { t: 1, json: 1 } },
    // t_lu_id replaced it
    { name: 't_lu', key: { t: 1, lu: 1 } },
    // the descending lu and date indexes of the ascending tie-break: the ascending ones, walked backwards, replaced them
    { name: 't_lu_-1_id', key: { t: 1, lu: -1, id: 1 } },
    { name: 't_x.code_-1_id', key: { t: 1, 'x.code': -1, id: 1 } },
    { name: 'x_1', key: { x: 1 } },
    { name: 'json_text', key: { _fts: 'text', _ftsx: 1 } },
  ];
  t.same(obsoleteIndexNames(existing, wanted), ['t_x.genomic-region.a_x.genomic-region.s', 't_x.status', 't_x.date.s', 't_lu', 't_lu_-1_id', 't_x.code_-1_id'],
    'the pre-bins region index, retired fields, t_lu, the descending sort indexes');
  t.ok(obsoleteIndexNames(existing, indexSpecs(['x.code']).resources).includes(WILDCARD_INDEX_NAME), 'our wildcard index once no field wants it');
  t.same(obsoleteIndexNames([{ name: WILDCARD_INDEX_NAME, key: { 'x.$**': 1 } }], []), [], 'a wildcard index of another shape is not ours');
  t.same(obsoleteIndexNames(existing, indexSpecs(['x.code']).resources).includes('t_id'), false, 'base indexes stay');
  t.same(obsoleteIndexNames([{ name: 't_x.a' }, { key: { t: 1, 'x.a': 1 } }], []), [], 'nothing without both name and key');
  const fields = ['x.code', ['x.genomic-region.a', 'x.genomic-region.b', 'x.genomic-region.s'], { anyOf: ['x.recorder'] }] as const;
  t.same(indexesToDrop('resources', existing, fields), obsoleteIndexNames(existing, wanted), 'start-up with the server\'s search fields');
  t.same(indexesToDrop('resources', existing, undefined), [], 'a store opened without them (the CLIs) drops nothing');
  t.same(indexesToDrop('history', [{ name: 't_seq', key: { t: 1, seq: 1 } }, { name: 't_x.a', key: { t: 1, 'x.a': 1 } }], fields), ['t_x.a'], 'per collection');
});

t.test('search filter wrapping and options', async (t) => {
  t.same(searchFilter({ types: ['Observation'], filter: { 'x.code': 'a|b' } }), { $and: [{ t: 'Observation' }, { d: { $exists: false } }, { 'x.code': 'a|b' }] });
  t.same(searchFilter({ types: ['A', 'B'], filter: {} }), { $and: [{ t: { $in: ['A', 'B'] } }, { d: { $exists: false } }] });
  t.same(searchFilter({ filter: {} }), { $and: [{ d: { $exists: false } }] }, 'all types');
  t.same(searchOptions({ sort: [['lu', -1]], limit: 10, skip: 20, maxTimeMs: 1500.2 }), {
    sort: [['lu', -1], ['_id', 1]], limit: 10, skip: 20, maxTimeMS: 1501,
  }, 'sort with a tie-breaker, limit, skip, maxTimeMS');
  t.same(searchOptions({ limit: 5 }), { sort: [], limit: 5, maxTimeMS: QUERY_TIME_LIMIT_MS }, 'a query stating no time limit gets the default one');
  // an unsorted query (chains, conditional matches, the genomics operations' reads of up to
  // 200,000 Variants) sends no sort: an _id sort there was a blocking sort of every match, whole
  // documents held in the server's sort memory (100 MB, or spilled to disk from 6.0 on)
  t.same(searchOptions({ limit: 200_001 }).sort, [], 'unsorted: no sort, the matches stream');
  t.same(searchOptions({ limit: 5, skip: 5 }).sort, [['_id', 1]], 'unsorted with a skip: _id, so that skipping is stable');
  t.same(searchOptions({ sort: [['x.date', -1], ['t', 1], ['id', 1]], limit: 5 }).sort, [['x.date', -1], ['t', 1], ['id', 1]], 'no _id after t and id (unique together): index order can serve the sort');
  t.throws(() => searchOptions({ sort: [['json', 1]], limit: 1 }), /not allowed/);
  t.notOk('projection' in searchOptions({ limit: 5 }), 'whole documents unless the query reads less');
});

t.test('projections of searches that read less than whole documents', async (t) => {
  t.same(searchOptions({ limit: 5, read: 'docs' }).projection, { json: 0 }, 'docs: everything but the body');
  t.same(searchProjection({ read: 'keys' }), { _id: 1, t: 1, id: 1, v: 1, lu: 1, seq: 1 }, 'keys: the scalars');
  t.same(searchProjection({ read: 'keys', sort: [['x.date.s', -1], ['lu', 1], ['t', 1], ['id', 1]] }),
    { _id: 1, t: 1, id: 1, v: 1, lu: 1, seq: 1, 'x.date.s': 1 }, 'and the sort fields, which a staged merge sorts by');
  t.same(searchProjection({ read: 'keys', sort: [['x.a', 1], ['x.a.n', 1]] }), { _id: 1, t: 1, id: 1, v: 1, lu: 1, seq: 1, 'x.a': 1 }, 'no path collision');
  t.equal(searchProjection({}), undefined);
  // what the adapter makes of a projected document
  const doc = { _id: 'Patient/p1', t: 'Patient', id: 'p1', v: 2, lu: 5, seq: 7 } as ResourceDoc;
  t.same(indexedDocFromDoc(doc), { t: 'Patient', id: 'p1', v: 2, lu: 5, seq: 7, x: {} }, 'an empty index, not undefined');
  t.notOk('json' in recordFromDoc(doc), 'a record without a body');
  const staged = new Map([['Patient/p0', { ...doc, _id: 'Patient/p0', id: 'p0', x: { date: [{ s: 9, e: 10 }] }, json: '{}' }]]);
  const page = mergeStagedPage([{ ...doc, x: { date: [{ s: 3 }] } } as unknown as ResourceDoc], staged, { types: ['Patient'], filter: {}, sort: [['x.date.s', -1], ['t', 1], ['id', 1]], limit: 5, read: 'keys' });
  t.same(page.map((d) => d.id), ['p0', 'p1'], 'a staged merge of projected documents still sorts by the projected sort field');
});

t.test('filters are checked against the operator and field allowlist', async (t) => {
  t.doesNotThrow(() => assertSafeFilter({
    $or: [{ 'x.code': { $in: ['a', 'b'] } }, { 'x.date': { $elemMatch: { s: { $lt: 5 }, e: { $gt: 1 } } } }],
    'x.name': { $regex: '^abc', $options: 'i' }, id: { $not: { $eq: 'x' } }, lu: { $gte: 1 }, 'x.n': { $exists: true },
  }));
  t.throws(() => assertSafeFilter({ $where: 'sleep(1000)' }), /\$where is not allowed/);
  t.throws(() => assertSafeFilter({ 'x.a': { $expr: {} } }), /\$expr/);
  t.throws(() => assertSafeFilter({ $and: [{ json: 'x' }] }), /Field json/);
  t.throws(() => assertSafeFilter({ 'x.a': { $elemMatch: { $function: {} } } }), /\$function/);
  t.throws(() => searchFilter({ filter: { __proto__x: 1 } as never }), /not allowed/);
});

t.test('history queries', async (t) => {
  const q = { resourceType: 'Patient', id: 'p1', since: 10, before: 20, beforeSeq: 99, limit: 5 };
  t.same(historyFilter(q, true), { t: 'Patient', id: 'p1', lu: { $gte: 10, $lte: 20 }, seq: { $lt: 99 } }, 'page');
  t.same(historyFilter(q, false), { t: 'Patient', id: 'p1', lu: { $gte: 10, $lte: 20 } }, 'total ignores the cursor');
  t.same(historyFilter({ resourceType: 'Patient', limit: 5 }, true), { t: 'Patient' }, 'type level');
  t.same(historyFilter({ limit: 5, since: 3 }, true), { lu: { $gte: 3 } }, 'system level');
  // one resource's history: by version on the unique {t, id, v} index walked backwards, not by
  // seq (which would sort the resource's versions in memory: no index starts {t, id, seq})
  t.same(historyOptions(q), { sort: { v: -1 }, limit: 5, maxTimeMS: QUERY_TIME_LIMIT_MS }, 'newest first, time-limited');
  t.same(historyOptions({ resourceType: 'Patient', limit: 5 }).sort, { seq: -1 }, 'a type\'s history on {t, seq}');
  t.same(historyOptions({ limit: 5 }).sort, { seq: -1 }, 'the system\'s on {seq}');
  t.same(historyCount(q)?.options, { maxTimeMS: QUERY_TIME_LIMIT_MS }, 'the count too');
  t.same(historyCount(q)?.filter, { t: 'Patient', id: 'p1', lu: { $gte: 10, $lte: 20 } }, 'the total counts without the cursor');
  t.equal(historyCount({ ...q, total: false }), undefined, 'no count for a page that shows no total');
  t.same(predecessorTombstonesFilter([{ t: 'Patient', id: 'p1', v: 3 }, { t: 'Patient', id: 'p1', v: 2, d: true }, { t: 'Patient', id: 'p2', v: 1 }]),
    { _id: { $in: ['Patient/p1/2'] }, d: true }, 'the predecessors of live versions after the first');
  t.equal(predecessorTombstonesFilter([{ t: 'Patient', id: 'p2', v: 1 }]), undefined, 'nothing to look up');
});

t.test('history leaves out the hidden resources the collection holds (stored rows under built-in ids)', async (t) => {
  const hide = { SearchParameter: ['a', 'b'], OperationDefinition: ['c'] };
  t.same(hiddenLookups({ limit: 5, hide }), [
    { t: 'SearchParameter', filter: { t: 'SearchParameter', id: { $in: ['a', 'b'] } } },
    { t: 'OperationDefinition', filter: { t: 'OperationDefinition', id: { $in: ['c'] } } },
  ], 'system level: one id lookup per type');
  t.same(hiddenLookups({ resourceType: 'SearchParameter', limit: 5, hide }).map((l) => l.t), ['SearchParameter'], 'type level: its own type only');
  t.same(hiddenLookups({ resourceType: 'SearchParameter', id: 'b', limit: 5, hide }), [{ t: 'SearchParameter', filter: { t: 'SearchParameter', id: { $in: ['b'] } } }], 'instance level: that id');
  t.same(hiddenLookups({ resourceType: 'Patient', limit: 5, hide }), [], 'another type: nothing to look up');
  t.same(hiddenLookups({ limit: 5 }), [], 'no hide');
  const held = [{ t: 'SearchParameter', ids: ['a'] }, { t: 'OperationDefinition', ids: [] }];
  t.same(historyFilter({ limit: 5, beforeSeq: 9, hide }, true, held), { seq: { $lt: 9 }, $nor: [{ t: 'SearchParameter', id: { $in: ['a'] } }] }, 'the page leaves out what is held');
  t.same(historyCount({ limit: 5, hide }, held)?.filter, { $nor: [{ t: 'SearchParameter', id: { $in: ['a'] } }] }, 'and so does the total');
  t.same(historyFilter({ resourceType: 'SearchParameter', limit: 5, hide }, true, []), { t: 'SearchParameter' }, 'none held: the query unchanged');
});

t.test('topology, sequence, lock and error classification', async (t) => {
  t.equal(transactionsSupported({ isWritablePrimary: true }), false, 'standalone');
  t.equal(transactionsSupported({ setName: 'rs0' }), true, 'replica set');
  t.equal(transactionsSupported({ msg: 'isdbgrid' }), true, 'mongos');
  t.same(seqReservation(3), { filter: { _id: 'seq' }, update: { $inc: { n: 3 } }, options: { upsert: true, returnDocument: 'after' } });
  const now = new Date(0);
  t.same(lockUpdate('Patient?identifier=a|1', now), { filter: { _id: 'Patient?identifier=a|1' }, update: { $inc: { n: 1 }, $set: { at: now } }, options: { upsert: true } });
  t.ok(isRetryable({ code: 112 }), 'WriteConflict');
  t.ok(isRetryable({ code: 11000 }), 'DuplicateKey');
  t.ok(isRetryable({ hasErrorLabel: (l: string) => l === 'TransientTransactionError' }), 'labelled transient');
  t.notOk(isRetryable(new Error('x')));
  t.ok(isTimeout({ code: 50 }));
});

t.test('standalone: staged writes merged into a search page', async (t) => {
  const doc = (id: string, n: number, extra: Partial<ResourceDoc> = {}): ResourceDoc =>
    ({ _id: `Observation/${id}`, t: 'Observation', id, v: 1, lu: n, seq: n, x: { n: [n] }, json: '{}', ...extra });
  const committed = [doc('a', 1), doc('b', 2), doc('c', 3)];
  const staged = new Map([
    ['Observation/b', doc('b', 9, { v: 2 })],
    ['Observation/z', doc('z', 0)],
    ['Observation/c', doc('c', 3, { d: true, json: undefined })],
  ]);
  const page = mergeStagedPage(committed, staged, { types: ['Observation'], filter: {}, sort: [['lu', 1]], limit: 10 });
  t.same(page.map((d) => `${d.id}@${d.v}`), ['z@1', 'a@1', 'b@2'], 'staged writes replace, staged deletes hide, order kept');
  const filtered = mergeStagedPage(committed, staged, { types: ['Observation'], filter: { 'x.n': { $gte: 2 } }, sort: [['lu', -1]], limit: 1, skip: 0 });
  t.same(filtered.map((d) => d.id), ['b'], 'staged documents are filtered like committed ones');
});

t.test('reindex: the scan, the per-resource index update and the index version document', async (t) => {
  t.same(reindexScan.filter, { d: { $exists: false } }, 'live resources only (tombstones have no body and no index)');
  t.same(reindexScan.options.projection, { _id: 1, t: 1, id: 1, v: 1, x: 1, json: 1 });
  t.same(reindexScan.options.sort, { _id: 1 }, 'a stable order (the unique _id index)');
  t.same(reindexUpdate('Observation', 'o1', 3, { code: ['a|b', 'b'] }), {
    updateOne: { filter: { _id: 'Observation/o1', v: 3, d: { $exists: false } }, update: { $set: { x: { code: ['a|b', 'b'] } } } },
  }, 'only while version 3 is current and live; only x changes (no v, lu or seq: not a new version)');
  const w = indexVersionWrite('1-abc');
  t.same(w, { filter: { _id: 'index-version' }, replacement: { _id: 'index-version', v: '1-abc' }, options: { upsert: true } });
  t.equal(COLLECTIONS.meta, 'meta');
  // what the update leaves of a current document: the same version fields, the new index
  const { current } = buildVersionDocs({ t: 'Observation', id: 'o1', v: 3, lu: 5, seq: 9, json: '{}', x: { code: ['old'] } });
  const after = { ...current, ...reindexUpdate('Observation', 'o1', 3, { code: ['new'] }).updateOne.update.$set };
  t.same(indexedDocFromDoc(after as ResourceDoc), { t: 'Observation', id: 'o1', v: 3, lu: 5, seq: 9, x: { code: ['new'] } });
});

t.test('reads on one session run one after the other (the driver allows no parallel operations on a ClientSession)', async (t) => {
  const log: string[] = [];
  const op = (name: string) => async () => {
    log.push(`${name} start`);
    await new Promise((r) => setTimeout(r, 5));
    log.push(`${name} end`);
    return name;
  };
  t.same(await readsTogether({ id: 'session' }, op('find'), op('count')), ['find', 'count']);
  t.same(log, ['find start', 'find end', 'count start', 'count end'], 'in a transaction: in order');
  log.length = 0;
  t.same(await readsTogether(undefined, op('find'), op('count')), ['find', 'count']);
  t.same(log.slice(0, 2), ['find start', 'count start'], 'without a session: together');
});
