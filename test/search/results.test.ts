import t from 'tap';
import type { Bundle } from '@medplum/fhirtypes';
import { testConfig } from '../../src/config.js';
import { indexResource, searchBundle, findConditionalMatches } from '../../src/search/search-service.js';
import { buildDataset, seededStore, type R } from './dataset.js';
import { codings, fold, interval, periodInterval, refIs, tokenMatch } from './oracle.js';

/** Chains, _has, includes, sorting, paging under concurrent inserts, result parameters: against the oracle. */
const data = buildDataset();
const byKey = new Map(data.map((r) => [`${r.resourceType}/${r.id}`, r]));
const store = seededStore(t, data, 'fgs-results-');
const ctx = { config: testConfig({ defaultCount: 4, maxCount: 50 }), store };
const BASE = 'http://localhost/fhir';

const q = (qs: string) => {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (out[k] ??= []).push(v);
  return out;
};
const run = (type: string | undefined, qs: string, extra = {}) => searchBundle(ctx, { resourceType: type, query: q(qs), strict: true, baseUrl: BASE, ...extra });
const keys = (b: Bundle, mode: string) => (b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);

async function collect(type: string, qs: string, between?: (page: number) => Promise<void>) {
  const match: string[] = [];
  const include: string[] = [];
  let query = qs;
  for (let page = 0; page < 500; page++) {
    const b = await run(type, query);
    match.push(...keys(b, 'match'));
    include.push(...keys(b, 'include'));
    const next = b.link?.find((l) => l.relation === 'next')?.url;
    if (!next) break;
    if (between) await between(page);
    query = next.split('?')[1];
  }
  return { match, include };
}
const of = (type: string, pred: (r: R) => boolean) => data.filter((r) => r.resourceType === type && pred(r)).map((r) => `${type}/${r.id}`).sort();
const patientOf = (r: R) => byKey.get(r.subject?.reference);

t.test('chains, several levels, and _has', async (t) => {
  t.same((await collect('Observation', 'subject:Patient.name=mul')).match.sort(),
    of('Observation', (r) => !!patientOf(r)?.name?.some((n: any) => fold(n.family).startsWith('mul'))));
  t.same((await collect('Observation', 'subject.identifier=urn:mrn|M4')).match.sort(), of('Observation', (r) => refIs(r.subject, 'Patient/px4')));
  t.same((await collect('DiagnosticReport', 'result.gene-identifier=HGNC:3236')).match.sort(),
    of('DiagnosticReport', (r) => (r.result ?? []).some((x: any) => { const o = byKey.get(x.reference); return !!o && JSON.stringify(o).includes('HGNC:3236'); })));
  // two levels: report -> result Observation -> subject Patient (name)
  t.same((await collect('DiagnosticReport', 'result:Observation.subject:Patient.name=pat3')).match.sort(),
    of('DiagnosticReport', (r) => (r.result ?? []).some((x: any) => byKey.get(x.reference)?.subject?.reference === 'Patient/pat-3')));
  t.same((await collect('Task', 'focus:ServiceRequest.specimen:Specimen.type=258580003')).match.sort(),
    of('Task', (r) => { const sr = byKey.get(r.focus.reference); return tokenMatch(byKey.get(sr?.specimen?.[0]?.reference)?.type, '258580003'); }));
  t.same((await collect('Patient', '_has:Observation:subject:code=8867-4')).match.sort(),
    of('Patient', (p) => data.some((o) => o.resourceType === 'Observation' && refIs(o.subject, `Patient/${p.id}`) && tokenMatch(o.code, '8867-4'))));
  t.same((await collect('Patient', '_has:Observation:patient:_has:DiagnosticReport:result:status=final')).match.sort(),
    of('Patient', (p) => data.some((o) => o.resourceType === 'Observation' && refIs(o.subject, `Patient/${p.id}`)
      && data.some((d) => d.resourceType === 'DiagnosticReport' && d.status === 'final' && (d.result ?? []).some((x: any) => x.reference === `Observation/${o.id}`)))));
});

t.test('_include, _revinclude, :iterate and *', async (t) => {
  const r1 = await collect('DiagnosticReport', 'subject=Patient/pat-2&_include=DiagnosticReport:result');
  const reports = of('DiagnosticReport', (r) => refIs(r.subject, 'Patient/pat-2'));
  t.same(r1.match.sort(), reports);
  t.same([...new Set(r1.include)].sort(), [...new Set(reports.flatMap((k) => byKey.get(k)!.result.map((x: any) => x.reference)))].sort());
  const r2 = await collect('DiagnosticReport', '_id=drx&_include=DiagnosticReport:result&_include:iterate=Observation:subject');
  t.same(r2.include.sort(), ['Observation/gx1', 'Observation/gx3', 'Patient/px1', 'Patient/px3']);
  const r3 = await collect('Patient', '_id=px2&_revinclude=Observation:subject');
  t.same(r3.include.sort(), of('Observation', (r) => refIs(r.subject, 'Patient/px2')));
  const r4 = await collect('Task', '_id=task1&_include=*');
  t.same(r4.include.sort(), ['Patient/px1', 'ServiceRequest/sr1']);
  const r5 = await collect('Observation', '_id=gx1&_revinclude=DiagnosticReport:result&_include=Observation:subject');
  t.same(r5.include.sort(), ['DiagnosticReport/drx', 'Patient/px1']);
  t.equal(await run('DiagnosticReport', '_include=DiagnosticReport:nope').then(() => 0, (e: { status?: number }) => e.status), 400);
});

t.test('an _include or _revinclude that can include nothing from the types searched is said, not silently ignored', async (t) => {
  // Patient matches are never Observations; Observation.subject never points at a Practitioner; nor at a Group on a Patient search
  for (const [type, qs] of [['Patient', '_include=Observation:subject'], ['Practitioner', '_revinclude=Observation:subject'],
    ['Patient', '_revinclude=Observation:subject:Group'], ['Observation', '_include=Patient:general-practitioner']]) {
    const key = qs.split('=')[0];
    const err = await run(type, qs).then(() => undefined, (e: { status?: number; issues?: Array<{ expression?: string[] }> }) => e);
    t.equal(err?.status, 400, `strict: ${type}?${qs}`);
    t.same(err?.issues?.[0].expression, [key]);
    const lax = await searchBundle(ctx, { resourceType: type, query: q(qs), strict: false, baseUrl: BASE });
    const oo = lax.entry?.find((e) => e.search?.mode === 'outcome')?.resource as any;
    t.equal(oo?.issue?.[0]?.severity, 'warning', `lenient: ${type}?${qs} warns`);
    t.same(oo?.issue?.[0]?.expression, [key]);
    t.match(oo?.issue?.[0]?.diagnostics, new RegExp(qs.split('=')[1]));
  }
  // what can include something stays quiet: the searched type, :iterate (a later round's types), *, several types
  for (const [type, qs] of [['Patient', '_revinclude=Observation:subject'], ['Patient', '_revinclude=Observation:subject:Patient'],
    ['DiagnosticReport', '_include=DiagnosticReport:result&_include:iterate=Observation:subject'], ['Patient', '_include:iterate=Observation:subject'],
    ['Task', '_include=*'], ['Patient', '_revinclude=*'], ['Patient', '_revinclude=Observation:*'], [undefined, '_type=Patient,Observation&_include=Observation:subject'],
    [undefined, '_include=Observation:subject']] as const) {
    const b = await run(type, qs);
    t.notOk(b.entry?.some((e) => e.search?.mode === 'outcome'), `${type}?${qs}`);
  }
});

t.test('_elements beside a _summary that subsets (true, text, data) is not applied, and that is said', async (t) => {
  for (const mode of ['true', 'text', 'data']) {
    const qs = `_id=px1&_summary=${mode}&_elements=gender`;
    const err = await run('Patient', qs).then(() => undefined, (e: { status?: number; issues?: Array<{ expression?: string[] }> }) => e);
    t.equal(err?.status, 400, `strict: ${qs}`);
    t.same(err?.issues?.[0].expression, ['_elements']);
    const lax = await searchBundle(ctx, { resourceType: 'Patient', query: q(qs), strict: false, baseUrl: BASE });
    const oo = lax.entry?.find((e) => e.search?.mode === 'outcome')?.resource as any;
    t.equal(oo?.issue?.[0]?.severity, 'warning', `lenient: ${qs} warns`);
    t.same(oo?.issue?.[0]?.expression, ['_elements']);
    t.notMatch(lax.link![0].url, /_elements/, 'the self link shows only the parameters used');
    t.match(lax.link![0].url, new RegExp(`_summary=${mode}`));
  }
  // _summary=false and _summary=count leave nothing for _elements to disagree with
  for (const qs of ['_id=px1&_summary=false&_elements=gender', '_id=px1&_summary=count&_elements=gender']) {
    const b = await run('Patient', qs);
    t.notOk(b.entry?.some((e) => e.search?.mode === 'outcome'), qs);
  }
  const el = await run('Patient', '_id=px1&_summary=false&_elements=gender');
  t.same(Object.keys(el.entry![0].resource!).sort(), ['gender', 'id', 'meta', 'resourceType'], '_summary=false: _elements applies');
});

t.test('_sort on several keys, both directions', async (t) => {
  const b = await run('Observation', 'code=8480-6,2345-7,8867-4&_sort=status,-date&_count=50');
  const got = keys(b, 'match');
  const expected = data.filter((r) => r.resourceType === 'Observation' && ['8480-6', '2345-7', '8867-4'].some((c) => tokenMatch(r.code, c)));
  t.equal(got.length, expected.length);
  // status ascending, then date descending (missing dates last in descending order), then type/id
  const start = (r: R) => periodInterval(r.effectiveDateTime ?? r.effectivePeriod)?.[0];
  for (let i = 1; i < got.length; i++) {
    const a = byKey.get(got[i - 1])!;
    const c = byKey.get(got[i])!;
    t.ok(a.status <= c.status, `status order at ${i}`);
    if (a.status === c.status && start(a) !== undefined && start(c) !== undefined) t.ok(start(a)! >= start(c)!, `date order at ${i}`);
  }
  const byId = keys(await run('Patient', '_sort=-_id&_count=50'), 'match');
  t.same(byId, [...byId].sort().reverse());
  t.ok(interval('2020')[0] < interval('2021')[0]);
});

t.test('_count, _total, _summary=count, _elements, self link, warnings', async (t) => {
  const all = of('Observation', (r) => r.status === 'final');
  const c = await run('Observation', 'status=final&_summary=count');
  t.equal(c.total, all.length);
  t.equal(c.entry?.length ?? 0, 0);
  const zero = await run('Observation', 'status=final&_count=0');
  t.equal(zero.total, all.length, '_count=0 answers the count only');
  t.equal(zero.entry?.length ?? 0, 0);
  const acc = await run('Observation', 'status=final&_total=accurate&_count=2');
  t.equal(acc.total, all.length);
  t.equal(keys(acc, 'match').length, 2);
  const none = await run('Observation', 'status=final&_total=none&_count=2');
  t.equal(none.total, undefined);
  const big = await run('Observation', 'status=final&_count=100000');
  t.equal(keys(big, 'match').length, Math.min(50, all.length), 'capped by maxCount');
  const el = await run('Patient', '_id=px1&_elements=gender');
  const p = el.entry![0].resource as unknown as Record<string, unknown>;
  t.equal(p.gender, data.find((r) => r.id === 'px1')!.gender);
  t.notOk(p.name);
  t.ok(codings((p.meta as any).tag).some((x) => x.code === 'SUBSETTED'));
  // "The list of elements does not apply to included resources" (search.html#elements): the
  // matches are trimmed and tagged, an included resource comes whole and untagged; _summary still
  // applies to both
  const inc = await run('Observation', '_id=vs1&_include=Observation:subject&_elements=status');
  const match = inc.entry!.find((e) => e.search?.mode === 'match')!.resource as any;
  const incl = inc.entry!.find((e) => e.search?.mode === 'include')!.resource as any;
  t.notOk(match.subject, 'the match is trimmed');
  t.ok(codings(match.meta.tag).some((x) => x.code === 'SUBSETTED'));
  const { meta: inclMeta, ...inclRest } = incl;
  const { meta: _m, ...stored } = byKey.get(`Patient/${incl.id}`)!;
  t.same(inclRest, stored, 'the included Patient is whole');
  t.notOk(codings(inclMeta?.tag).some((x) => x.code === 'SUBSETTED'), 'and not tagged SUBSETTED');
  const incSummary = await run('Observation', '_id=vs1&_include=Observation:subject&_summary=true');
  const inclSummary = incSummary.entry!.find((e) => e.search?.mode === 'include')!.resource as any;
  t.ok(codings(inclSummary.meta?.tag).some((x) => x.code === 'SUBSETTED'), '_summary subsets included resources too');
  const self = await run('Observation', 'status=final&_count=2&foo=1'.replace('&foo=1', ''));
  t.equal(self.link![0].relation, 'self');
  t.match(self.link![0].url, /^http:\/\/localhost\/fhir\/Observation\?status=final&_count=2$/);
  const lax = await searchBundle(ctx, { resourceType: 'Observation', query: q('foo=1&status=final'), strict: false, baseUrl: BASE });
  const oo = lax.entry!.find((e) => e.search?.mode === 'outcome')!.resource as any;
  t.equal(oo.issue[0].severity, 'warning');
  t.notMatch(lax.link![0].url, /foo/, 'self link shows only the parameters used');
  t.equal(await run('Observation', 'foo=1').then(() => 0, (e: { status?: number }) => e.status), 400);
  t.equal(await run('Observation', '_count=-1').then(() => 0, (e: { status?: number }) => e.status), 400);
  t.equal(await run('Observation', '_cursor=garbage').then(() => 0, (e: { status?: number }) => e.status), 400);
  // tampered cursors: an offset cursor (of earlier releases), one naming another type, a sorted one on an unsorted search,
  // one without the order's fingerprint (of earlier releases); each with the fingerprint of the search it is sent to (`s`)
  const cur = (c: object) => Buffer.from(JSON.stringify(c)).toString('base64url');
  const sOf = async (qs: string) => JSON.parse(Buffer.from(new URL((await run('Observation', `${qs}&_count=1`)).link!.find((l) => l.relation === 'next')!.url).searchParams.get('_cursor')!, 'base64url').toString()).s as string;
  const [plainS, statusS] = [await sOf('status=final'), await sOf('_sort=status')];
  for (const [qs, c] of [['status=final', { k: 'offset', o: 3, at: Date.now() }], ['status=final', { k: 'after', t: 'Patient', id: 'px1', s: plainS }],
    ['status=final', { k: 'after', t: 'Observation', id: 'vs1', v: ['final'], s: plainS }], ['status=final&_sort=status', { k: 'after', t: 'Observation', id: 'vs1', s: statusS }],
    ['status=final', { k: 'after', t: 'Observation', id: 'vs1' }]] as const) {
    t.equal(await run('Observation', `${qs}&_cursor=${cur(c)}`).then(() => 0, (e: { status?: number }) => e.status), 400, `${qs}: ${JSON.stringify(c)}`);
  }
  // a real cursor of `_sort=status` on another sort of one key: 400 naming _cursor, not a page of the other order
  const next = (await run('Observation', '_sort=status&_count=2')).link!.find((l) => l.relation === 'next')!.url;
  const token = new URL(next).searchParams.get('_cursor')!;
  t.equal((await run('Observation', `_sort=status&_count=2&_cursor=${token}`)).resourceType, 'Bundle', 'its own sort pages on');
  for (const sort of ['-status', 'code', '_lastUpdated', '-_id']) {
    const err = await run('Observation', `_sort=${sort}&_count=2&_cursor=${token}`).then(() => undefined, (e: { status?: number; issues?: Array<{ expression?: string[] }> }) => e);
    t.equal(err?.status, 400, `_sort=status cursor on _sort=${sort}`);
    t.same(err?.issues?.[0].expression, ['_cursor']);
  }
});

t.test('compartment search and conditional matches', async (t) => {
  const b = await run('Observation', '_count=50', { compartment: { resourceType: 'Patient', id: 'px2' } });
  t.same(keys(b, 'match').sort(), of('Observation', (r) => refIs(r.subject, 'Patient/px2')));
  const inc = await run('DiagnosticReport', '_include=DiagnosticReport:result', { compartment: { resourceType: 'Patient', id: 'px1' } });
  t.same(keys(inc, 'match'), ['DiagnosticReport/drx']);
  t.same(keys(inc, 'include').sort(), ['Observation/gx1'], 'included resources stay in the compartment');
  const star = await run(undefined, '_count=100', { compartment: { resourceType: 'Patient', id: 'px4' } });
  t.same(keys(star, 'match').sort(), data.filter((r) => r.id === 'px4' || JSON.stringify(r).includes('"Patient/px4"')).map((r) => `${r.resourceType}/${r.id}`).sort());
  const m = await findConditionalMatches(store, 'Patient', 'identifier=urn:mrn|M3');
  t.same(m.matches.map((r) => r.id), ['px3']);
  const bad = await findConditionalMatches(store, 'Patient', 'nonsense=1');
  t.equal(bad.issues[0].severity, 'error');
});

t.test('paging: following next is complete and duplicate-free across concurrent inserts', async (t) => {
  const before = of('Observation', (r) => tokenMatch(r.code, '69548-6'));
  let n = 0;
  const insert = async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) {
        const id = `${String.fromCharCode(97 + ((n * 7 + i * 3) % 26))}-new-${n++}`; // spread over the id order
        const r = { resourceType: 'Observation' as const, id, status: 'final' as const, code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] } };
        await tx.put(r, indexResource(r, BASE));
      }
    });
  };
  for (const qs of ['code=69548-6', 'code=69548-6&_sort=-date', 'code=69548-6&_sort=status,_id']) {
    const { match } = await collect('Observation', `${qs}&_count=7`, insert);
    t.equal(new Set(match).size, match.length, `${qs}: no duplicates`);
    const got = new Set(match);
    t.same(before.filter((k) => !got.has(k)), [], `${qs}: no gaps`);
  }
  // previous links walk back to the first page
  const first = await run('Observation', 'code=8480-6&_count=3');
  const second = await run('Observation', first.link!.find((l) => l.relation === 'next')!.url.split('?')[1]);
  const back = await run('Observation', second.link!.find((l) => l.relation === 'previous')!.url.split('?')[1]);
  t.same(keys(back, 'match'), keys(first, 'match'));
});

t.test('paging with _sort: no gaps or duplicates across concurrent deletes and updates (keyset on the sort keys)', async (t) => {
  const created = ['2020-01-05', '2020-01-01', undefined, '2020-01-03', '2020-01-01', undefined, '2020-01-09', '2020-01-02', '2020-01-07', '2020-01-01'];
  const basic = (i: number, note = '') => ({
    resourceType: 'Basic' as const, id: `s${i}`, code: { coding: [{ system: 'urn:pg', code: 's' }], text: note || undefined },
    ...(created[i] ? { created: created[i] } : {}),
  });
  const put = (rs: Array<ReturnType<typeof basic>>) => store.transaction(async (tx) => {
    for (const r of rs) await tx.put(r, indexResource(r, BASE));
  });
  const all = created.map((_, i) => `Basic/s${i}`).sort();
  for (const sort of ['_id', '-_id', 'created', '-created', 'created,-_id', '-created,_id', '_lastUpdated']) {
    await put(created.map((_, i) => basic(i)));
    const { match } = await collect('Basic', `code=urn:pg|s&_count=3&_sort=${sort}`, async (page) => {
      // delete a resource of an earlier page, update another one of it and one not returned yet
      // (same sort keys: it still matches, at the same place)
      const done = [...new Set((await run('Basic', `code=urn:pg|s&_count=50&_sort=${sort}`)).entry!.map((e) => e.resource!.id!))];
      const first = done[0];
      if (page === 0 && first) await store.transaction(async (tx) => { await tx.delete('Basic', first); });
      const later = done[done.length - 1];
      await put([basic(Number(later.slice(1)), `touched ${page}`)]);
    });
    t.equal(new Set(match).size, match.length, `_sort=${sort}: no duplicates`);
    t.same([...match].sort(), all, `_sort=${sort}: no gaps`);
  }
  // the order across pages is the order of one page, and previous links walk it back
  await put(created.map((_, i) => basic(i)));
  const whole = keys(await run('Basic', 'code=urn:pg|s&_count=50&_sort=-created,_id'), 'match');
  const pages: string[][] = [];
  let b = await run('Basic', 'code=urn:pg|s&_count=3&_sort=-created,_id');
  for (;;) {
    pages.push(keys(b, 'match'));
    const next = b.link?.find((l) => l.relation === 'next')?.url;
    if (!next) break;
    b = await run('Basic', next.split('?')[1]);
  }
  t.same(pages.flat(), whole, 'pages in order');
  t.same(whole.slice(0, 3).map((k) => created[Number(k.split('/s')[1])]), ['2020-01-09', '2020-01-07', '2020-01-05'], 'descending dates first, missing last');
  const back: string[][] = [];
  for (;;) {
    const prev = b.link?.find((l) => l.relation === 'previous')?.url;
    if (!prev) break;
    b = await run('Basic', prev.split('?')[1]);
    back.unshift(keys(b, 'match'));
  }
  t.same(back, pages.slice(0, -1), 'previous links walk back page by page');
  await store.transaction(async (tx) => { for (let i = 0; i < created.length; i++) await tx.delete('Basic', `s${i}`); });
});

t.test('_sort on a repeating element: lowest value ascending, highest descending, on every page', async (t) => {
  const rs = [
    { resourceType: 'Basic' as const, id: 'rep-a', code: { text: 'rep' }, identifier: [{ value: 'a' }, { value: 'z' }] },
    { resourceType: 'Basic' as const, id: 'rep-b', code: { text: 'rep' }, identifier: [{ value: 'm' }] },
    { resourceType: 'Basic' as const, id: 'rep-c', code: { text: 'rep' }, identifier: [{ value: 'c' }, { value: 'n' }] },
  ];
  await store.transaction(async (tx) => { for (const r of rs) await tx.put(r, indexResource(r, BASE)); });
  const ids = async (qs: string) => (await collect('Basic', qs)).match.map((k) => k.split('/')[1]);
  t.same(await ids('_id=rep-a,rep-b,rep-c&_sort=identifier&_count=1'), ['rep-a', 'rep-c', 'rep-b']);
  t.same(await ids('_id=rep-a,rep-b,rep-c&_sort=-identifier&_count=1'), ['rep-a', 'rep-c', 'rep-b']);
  t.same(await ids('_id=rep-a,rep-b,rep-c&_sort=-identifier&_count=2'), ['rep-a', 'rep-c', 'rep-b']);
  await store.transaction(async (tx) => { for (const r of rs) await tx.delete('Basic', r.id); });
});
