import t from 'tap';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { put } from './helpers.js';

/**
 * The general parameters `_format` and `_pretty` (R4 http.html#parameters) are taken by every
 * operation, `$everything` included (it answered 400 to `_pretty=true`). Another `_` parameter
 * that an operation does not define is refused naming it, as an unknown input is, rather than
 * dropped (`$validate?_count=3`, `$import-vcf?_count=1` were answered as if it were not there).
 */
const VCF = '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n';

t.test('general parameters on the core operations', async (t) => {
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'p1' });
  const everything = (q: string) => app.inject(`/fhir/Patient/p1/$everything?${q}`);
  const validate = (q: string) => app.inject({ method: 'POST', url: `/fhir/Patient/$validate?${q}`, headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify({ resourceType: 'Patient' }) });
  const importVcf = (q: string) => app.inject({ method: 'POST', url: `/fhir/$import-vcf?patient=p1&${q}`, headers: { 'content-type': 'text/plain' }, payload: VCF });

  for (const [name, call] of [['$everything', everything], ['$validate', validate], ['$import-vcf', importVcf]] as const) {
    const pretty = await call('_pretty=true');
    t.equal(pretty.statusCode, 200, `${name}?_pretty=true: ${pretty.body.slice(0, 200)}`);
    t.match(pretty.body, /^\{\n {2}"resourceType"/, `${name}: indented`);
    t.equal((await call('_format=json')).statusCode, 200, `${name}?_format=json`);
  }
  for (const [name, call] of [['$validate', validate], ['$import-vcf', importVcf]] as const) {
    const res = await call('_count=3');
    t.equal(res.statusCode, 400, `${name}?_count=3: ${res.body.slice(0, 200)}`);
    t.same((res.json() as OperationOutcome).issue?.[0]?.expression, ['_count'], `${name}: names _count`);
  }
  const bad = await everything('_elements=id');
  t.equal(bad.statusCode, 400, '$everything still refuses what it does not support');
});
