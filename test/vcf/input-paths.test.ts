import t from 'tap';
import type { Parameters } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { readAll } from './helpers.js';

/**
 * Every refused $import-vcf input names the parameter it is about in `expression` (as the repeat,
 * base64 and batch-size checks do), whether it came in the query string or in a Parameters body:
 * a client that maps issues back to its form fields needs the name, not a sentence to parse.
 */
const VCF = '##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n';
type App = Awaited<ReturnType<typeof testApp>>;
const query = (app: App, qs: string) => app.inject({ method: 'POST', url: `/fhir/$import-vcf?${qs}`, headers: { 'content-type': 'text/plain' }, payload: VCF });
const body = (app: App, ...parameter: Parameters['parameter'] & object) =>
  app.inject({ method: 'POST', url: '/fhir/$import-vcf', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify({ resourceType: 'Parameters', parameter }) });
const vcf = { name: 'vcf', valueString: VCF };
const patient = { name: 'patient', valueString: 'p1' };

t.test('a refused input names its parameter, in the query string and in Parameters', async (t) => {
  const app = await testApp(t);
  const cases: Array<[string, () => ReturnType<typeof query>, string, RegExp]> = [
    ['no patient (query)', () => query(app, 'build=GRCh38'), 'patient', /'patient' parameter/],
    ['no patient (Parameters)', () => body(app, vcf), 'patient', /'patient' parameter/],
    ['an empty patient (query)', () => query(app, 'patient='), 'patient', /'patient' parameter/],
    ['a bad build (query)', () => query(app, 'patient=p1&build=hg99'), 'build', /build must be GRCh37 or GRCh38/],
    ['a bad build (Parameters)', () => body(app, vcf, patient, { name: 'build', valueCode: 'hg99' }), 'build', /build must be GRCh37 or GRCh38/],
    ['a bad genomic-source', () => query(app, 'patient=p1&genomic-source=both'), 'genomic-source', /genomic-source must be germline or somatic/],
    ['a bad genomicSource (its alias)', () => query(app, 'patient=p1&genomicSource=both'), 'genomicSource', /genomic-source must be germline or somatic/],
    ['a bad include-filtered', () => query(app, 'patient=p1&include-filtered=yes'), 'include-filtered', /include-filtered must be true or false/],
    ['a bad allow-errors (Parameters)', () => body(app, vcf, patient, { name: 'allow-errors', valueString: 'maybe' }), 'allow-errors', /allow-errors must be true or false/],
    ['a negative max-report-results', () => query(app, 'patient=p1&max-report-results=-1'), 'max-report-results', /max-report-results must be a non-negative integer/],
    ['a vcf that is neither text nor an attachment', () => body(app, { name: 'vcf', valueBoolean: true }, patient), 'vcf', /'vcf' needs valueString or valueAttachment.data/],
    ['a studied BED that is neither', () => body(app, vcf, patient, { name: 'studied', valueInteger: 3 }), 'studied', /'studied' needs valueString or valueAttachment.data/],
  ];
  for (const [what, send, name, diagnostics] of cases) {
    const res = await send();
    t.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 200)}`);
    t.match(res.json().issue?.[0], { severity: 'error', diagnostics, expression: [name] }, `${what}: names ${name}`);
  }
  t.same(await readAll(app.store, 'Observation'), [], 'nothing stored');
});

t.test('inputs refused while the file is read name their parameter too', async (t) => {
  const app = await testApp(t);
  const two = VCF.replace('FORMAT\tS1', 'FORMAT\tS1\tS2').replace('GT\t0/1', 'GT\t0/1\t0/0');
  const cases: Array<[string, () => ReturnType<typeof query>, string, RegExp]> = [
    ['a patient that is not an id', () => query(app, 'patient=a_b'), 'patient', /patient 'a_b' is not a valid FHIR id/],
    ['a specimen that is not an id', () => query(app, 'patient=p1&specimen=s%20x'), 'specimen', /specimen 's x' is not a valid FHIR id/],
    ['a sample not in the file', () => query(app, 'patient=p1&sample=NA1'), 'sample', /Sample 'NA1' is not in the VCF/],
    ['several samples and none chosen', () => app.inject({ method: 'POST', url: '/fhir/$import-vcf?patient=p1', headers: { 'content-type': 'text/plain' }, payload: two }), 'sample', /choose one with sample/],
    ['a malformed annotations file', () => body(app, vcf, patient, { name: 'annotations', valueString: 'not\ta\tvalid annotations file\n' }), 'annotations', /./],
    ['a malformed studied BED', () => body(app, vcf, patient, { name: 'studied', valueString: 'chr1\tx\ty\n' }), 'studied', /./],
    ['a malformed uncallable BED', () => body(app, vcf, patient, { name: 'uncallable', valueString: 'chr1\tx\ty\n' }), 'uncallable', /./],
  ];
  for (const [what, send, name, diagnostics] of cases) {
    const res = await send();
    t.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 200)}`);
    t.match(res.json().issue?.[0], { severity: 'error', diagnostics, expression: [name] }, `${what}: names ${name}`);
  }
});
