import t from 'tap';
import type { Parameters } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { readAll } from './helpers.js';

const VCF = '##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n';
const OTHER = VCF.replace('chr1\t100', 'chr1\t200');
const post = (app: Awaited<ReturnType<typeof testApp>>, url: string, payload: string | Buffer, contentType = 'text/plain', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': contentType, ...headers }, payload });
const params = (...parameter: Parameters['parameter'] & object) => JSON.stringify({ resourceType: 'Parameters', parameter });

t.test('each input is given at most once: a repeat answers 400 naming it, and nothing is stored', async (t) => {
  const app = await testApp(t);
  const cases: Array<[string, () => ReturnType<typeof post>, string]> = [
    ['patient twice in the query', () => post(app, '/fhir/$import-vcf?patient=a&patient=b', VCF), 'patient'],
    ['build twice in the query', () => post(app, '/fhir/$import-vcf?patient=a&build=GRCh38&build=GRCh37', VCF), 'build'],
    ['genomic-source and genomicSource', () => post(app, '/fhir/$import-vcf?patient=a&genomic-source=somatic&genomicSource=germline', VCF), 'genomic-source'],
    ['patient twice in Parameters', () => post(app, '/fhir/$import-vcf', params({ name: 'vcf', valueString: VCF }, { name: 'patient', valueString: 'a' }, { name: 'patient', valueString: 'b' }), 'application/fhir+json'), 'patient'],
    ['vcf twice in Parameters', () => post(app, '/fhir/$import-vcf', params({ name: 'vcf', valueString: VCF }, { name: 'vcf', valueString: OTHER }, { name: 'patient', valueString: 'a' }), 'application/fhir+json'), 'vcf'],
    ['annotations twice in Parameters', () => post(app, '/fhir/$import-vcf', params({ name: 'vcf', valueString: VCF }, { name: 'patient', valueString: 'a' }, { name: 'annotations', valueString: '' }, { name: 'annotations', valueString: '' }), 'application/fhir+json'), 'annotations'],
  ];
  for (const [what, send, name] of cases) {
    const res = await send();
    t.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 200)}`);
    t.match(res.json().issue?.[0], { diagnostics: new RegExp(`^Parameter '${name}' may be given only once`), expression: [name] }, what);
  }
  t.same(await readAll(app.store, 'Observation'), [], 'nothing stored');
  const once = await post(app, '/fhir/$import-vcf?patient=a&build=GRCh38', VCF);
  t.equal(once.statusCode, 200, 'one of each is fine');
});
