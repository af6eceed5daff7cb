import t from 'tap';
import { readFileSync } from 'node:fs';
import type { Parameters } from '@medplum/fhirtypes';
import { send, testApp } from '../fhir/helpers.js';
import { demoTransactionBundle } from '../../src/demo/demo-data.js';

/**
 * README "Coverage evidence" calls, run as written against the demo data set (`npm run seed`):
 * each answers data, and the haplotype and variant filters find the clopidogrel implication.
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### Coverage evidence'), readme.indexOf('### Whole-report retrieval'));
const calls = [...section.matchAll(/`(?:GET )?(\/fhir\/\$find-[^`\s]+)`/g)].map((m) => m[1]);
const ids = (body: Parameters, name: string) => (body.parameter ?? []).filter((p) => p.name === name).map((p) => p.resource?.id);

t.test('the documented calls answer as documented', async (t) => {
  const app = await testApp(t);
  t.equal((await send(app, 'POST', '/fhir', demoTransactionBundle())).statusCode, 200);
  t.ok(calls.length >= 5, `${calls.length} calls in the section`);
  for (const url of calls) {
    const res = await app.inject({ method: 'GET', url: encodeURI(url) });
    t.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
    const body = res.json() as Parameters;
    t.ok((body.parameter ?? []).some((p) => p.name === 'implication' || p.name === 'tests'), `${url} answers data`);
  }
  const clopidogrel = calls.filter((u) => u.includes('demo-p3'));
  t.ok(clopidogrel.some((u) => u.includes('haplotypes=CYP2C19*2/*2')), 'README shows the haplotype filter');
  t.ok(clopidogrel.some((u) => u.includes('variants=')), 'and the variant filter');
  for (const url of clopidogrel) {
    const body = (await app.inject({ method: 'GET', url: encodeURI(url) })).json() as Parameters;
    t.same(ids(body, 'implication'), ['demo-tx-cyp2c19-clopidogrel'], url);
    t.same(ids(body, 'genotype'), ['demo-gt-cyp2c19'], `${url}: with the genotype it rests on`);
  }
});
