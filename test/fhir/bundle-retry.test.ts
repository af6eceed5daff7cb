import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { createStore } from '../../src/storage/create-store.js';
import { importVcf } from '../../src/genomics/vcf/import.js';
import { importVcfBatched } from '../../src/genomics/vcf/import-batched.js';
import { isRetryable } from '../../src/storage/mongodb/queries.js';
import type { ResourceStore } from '../../src/storage/types.js';
import { testConfig } from '../../src/config.js';
import { send, testApp } from './helpers.js';

// The store may run a unit of work more than once (ResourceStore.transaction): MongoDB rolls an
// attempt back and runs the work again after a transient write conflict (withTransaction, and
// MongoStore.transaction's own loop). Each attempt must start from the request as posted.

/** A driver error as MongoDB reports a write conflict at commit (what isRetryable retries). */
function writeConflict(): Error {
  return Object.assign(new Error('WriteConflict'), { code: 112, hasErrorLabel: (l: string) => l === 'TransientTransactionError' });
}

/**
 * The embedded store, except that every transaction runs its work once to the end, is rolled back
 * by a write conflict, and runs it again: what a retried MongoDB transaction does.
 */
function retryingOnce(inner: ResourceStore): ResourceStore & { attempts: number } {
  let attempts = 0;
  const transaction: ResourceStore['transaction'] = async (work, opts) => {
    try {
      await inner.transaction(async (tx) => {
        attempts++;
        await work(tx);
        throw writeConflict();
      }, opts);
    } catch (err) {
      if (!isRetryable(err)) throw err; // an error of the work itself is not retried (FhirError)
    }
    attempts++;
    return inner.transaction(work, opts);
  };
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'transaction') return transaction;
      if (key === 'attempts') return attempts;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as ResourceStore & { attempts: number };
}

async function retryingApp(t: Parameters<typeof testApp>[0]): Promise<{ app: FastifyInstance; store: ResourceStore & { attempts: number } }> {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-retry-'));
  const store = retryingOnce(await createStore(testConfig({ dataDir: dir, fsync: false })));
  return { app: await testApp(t, { dataDir: dir }, { store }), store };
}

const vcf = [
  '##fileformat=VCFv4.2', '##reference=GRCh38', '##FORMAT=<ID=GT,Number=1,Type=String,Description="x">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  '1\t2000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1', '1\t3000\t.\tC\tT\t50\tPASS\t.\tGT\t1/1', '',
].join('\n');
const U = (n: number) => `urn:uuid:7e7e7e7e-0000-4000-8000-00000000000${n}`;
const total = async (app: FastifyInstance, url: string) => (await send(app, 'GET', `/fhir/${url}${url.includes('?') ? '&' : '?'}_summary=count`)).json().total;

t.test('a retried transaction commits the references, ids and answers of the attempt that commits', async (t) => {
  const { app, store } = await retryingApp(t);
  t.equal((await send(app, 'PUT', '/fhir/Patient/known', { resourceType: 'Patient', id: 'known', identifier: [{ system: 'urn:retry', value: 'known' }] })).statusCode, 201);
  const before = store.attempts;
  const obs = (subject: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: subject }, ...extra });
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [
      { fullUrl: U(1), resource: { resourceType: 'Patient', identifier: [{ system: 'urn:retry', value: 'new' }] }, request: { method: 'POST', url: 'Patient' } },
      {
        fullUrl: U(2),
        resource: obs(U(1), { text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><a href="${U(1)}">the patient</a></div>` } }),
        request: { method: 'POST', url: 'Observation' },
      },
      // a conditional reference, and a reference to the entry that refers to the new Patient
      { fullUrl: U(3), resource: obs('Patient?identifier=urn:retry|known', { hasMember: [{ reference: U(2) }] }), request: { method: 'POST', url: 'Observation' } },
      // conditional creates: one creates, one matches the Patient that exists
      { fullUrl: U(4), resource: { resourceType: 'Patient', identifier: [{ system: 'urn:retry', value: 'cc' }] }, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:retry|cc' } },
      { fullUrl: U(5), resource: { resourceType: 'Patient', identifier: [{ system: 'urn:retry', value: 'known' }] }, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:retry|known' } },
      { fullUrl: U(6), resource: obs(U(4), { performer: [{ reference: U(5) }] }), request: { method: 'POST', url: 'Observation' } },
      // a conditional update that creates
      { fullUrl: U(7), resource: { resourceType: 'Patient', identifier: [{ system: 'urn:retry', value: 'cu' }] }, request: { method: 'PUT', url: 'Patient?identifier=urn:retry|cu' } },
      { resource: obs(U(7)), request: { method: 'POST', url: 'Observation' } },
    ],
  }, { prefer: 'return=representation' });
  t.equal(res.statusCode, 200, res.body.slice(0, 500));
  t.equal(store.attempts - before, 2, 'the transaction ran twice');
  const entries = res.json().entry as Array<{ response: { status: string }; resource: Record<string, any> }>;
  t.same(entries.map((e) => e.response.status.slice(0, 3)), ['201', '201', '201', '201', '200', '201', '201', '201']);
  const at = (i: number) => `${entries[i].resource.resourceType}/${entries[i].resource.id}`;
  t.equal(at(4), 'Patient/known', 'the conditional create that matched answers the existing Patient');

  // every entry answered is what was committed, and every reference it holds resolves
  for (const [i, e] of entries.entries()) {
    const stored = await send(app, 'GET', `/fhir/${at(i)}`);
    t.equal(stored.statusCode, 200, `${at(i)} (entry ${i}) is stored`);
    t.same(stored.json(), e.resource, `entry ${i} answers what was committed`);
    t.equal((await send(app, 'GET', `/fhir/${at(i)}/_history`)).json().total, 1, `${at(i)}: one version`);
  }
  const refs = (r: Record<string, any>) => [r.subject, ...(r.hasMember ?? []), ...(r.performer ?? [])].filter(Boolean).map((x) => x.reference as string);
  for (const i of [1, 2, 5, 7]) {
    for (const ref of refs(entries[i].resource)) t.equal((await send(app, 'GET', `/fhir/${ref}`)).statusCode, 200, `entry ${i}: ${ref} resolves`);
  }
  t.equal(entries[1].resource.subject.reference, at(0));
  t.match(entries[1].resource.text.div, `href="${at(0)}"`, 'the narrative link names the committed Patient');
  t.same(refs(entries[2].resource), ['Patient/known', at(1)]);
  t.same(refs(entries[5].resource), [at(3), 'Patient/known']);
  t.equal(entries[7].resource.subject.reference, at(6));

  // nothing twice
  t.equal(await total(app, 'Patient'), 4, 'known, new, cc and cu');
  t.equal(await total(app, 'Observation'), 4);
  for (const v of ['known', 'new', 'cc', 'cu']) t.equal(await total(app, `Patient?identifier=urn:retry|${v}`), 1, `one Patient ${v}`);
});

t.test('retried single writes, conditional writes, a PATCH and a VCF import commit once, whole', async (t) => {
  const { app } = await retryingApp(t);
  const patient = { resourceType: 'Patient', identifier: [{ system: 'urn:retry', value: 'single' }] };
  const first = await send(app, 'POST', '/fhir/Patient', patient, { 'if-none-exist': 'identifier=urn:retry|single' });
  t.equal(first.statusCode, 201);
  t.equal((await send(app, 'POST', '/fhir/Patient', patient, { 'if-none-exist': 'identifier=urn:retry|single' })).statusCode, 200);
  const cu = await send(app, 'PUT', '/fhir/Patient?identifier=urn:retry|cu1', { resourceType: 'Patient', identifier: [{ system: 'urn:retry', value: 'cu1' }] });
  t.equal(cu.statusCode, 201);
  t.equal((await send(app, 'GET', `/fhir/Patient/${cu.json().id}`)).statusCode, 200, 'the conditional update answers the id it committed');
  const patched = await send(app, 'PATCH', '/fhir/Patient?identifier=urn:retry|single', [{ op: 'add', path: '/gender', value: 'female' }], { 'content-type': 'application/json-patch+json' });
  t.equal(patched.statusCode, 200, patched.body.slice(0, 300));
  t.equal(patched.json().meta.versionId, '2');
  // a later operation changes what an earlier one added: the second attempt must add it as sent
  const ops = [{ op: 'add', path: '/name', value: [{ family: 'A', given: ['B', 'C'] }] }, { op: 'remove', path: '/name/0/given/1' }];
  const twice = await send(app, 'PATCH', `/fhir/Patient/${cu.json().id}`, ops, { 'content-type': 'application/json-patch+json' });
  t.equal(twice.statusCode, 200, twice.body.slice(0, 300));
  t.same(twice.json().name, [{ family: 'A', given: ['B'] }]);
  t.equal(await total(app, 'Patient'), 2);

  await send(app, 'PUT', '/fhir/Patient/vcf1', { resourceType: 'Patient', id: 'vcf1' });
  const versions = async () => (await send(app, 'GET', '/fhir/_history?_count=1')).json().total as number;
  const before = await versions();
  const imported = await send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [{ name: 'patient', valueString: 'vcf1' }, { name: 'vcf', valueString: vcf }] });
  t.equal(imported.statusCode, 200, imported.body.slice(0, 300));
  const out = Object.fromEntries((imported.json().parameter as Array<{ name: string; valueInteger?: number; valueReference?: { reference: string } }>).map((p) => [p.name, p.valueInteger ?? p.valueReference?.reference]));
  t.equal(out.variants, 2, 'both variants read');
  t.equal((await send(app, 'GET', `/fhir/${out.report}`)).statusCode, 200, 'the report is stored');
  t.ok(Number(out.created) > 2, `created ${out.created}`);
  t.equal(await versions() - before, out.created, 'every resource the import counted is stored, once');
  t.equal(await total(app, 'Observation?subject=Patient/vcf1&code=69548-6'), 2, 'both Variants');
});

t.test('a retried import of a stream it cannot read again is refused whole; batched imports count the committed attempt', async (t) => {
  const { app, store } = await retryingApp(t);
  const err = await importVcf(store, Readable.from([vcf]), { patient: 'p1' }).catch((e: unknown) => e);
  t.match(err, { status: 409 }, 'a second attempt on a consumed stream: 409, not an empty import');
  t.equal((await send(app, 'GET', '/fhir/_history?_count=1')).json().total, 0, 'nothing stored');
  const s = await importVcfBatched(store, () => Readable.from([vcf]), { patient: 'p1' }, 2);
  t.equal(s.created + s.updated + s.unchanged, s.resources, 'each resource counted once');
  t.equal(s.created, (await send(app, 'GET', '/fhir/_history?_count=1')).json().total, 'created = stored');
});
