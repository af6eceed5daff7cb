import t from 'tap';
import { gzipSync } from 'node:zlib';
import type { Parameters } from '@medplum/fhirtypes';
import { BGZF_EOF } from '../../src/genomics/vcf/bgzf.js';
import { testApp } from '../fhir/helpers.js';
import { bgzfBlocks, readAll } from './helpers.js';

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

t.test('a BOM, a gzip body sent as text/plain and damaged inputs get the right answer', async (t) => {
  const app = await testApp(t);
  const variants = (res: Awaited<ReturnType<typeof post>>) => (res.json() as Parameters).parameter?.find((x) => x.name === 'variants')?.valueInteger;
  const bom = await post(app, '/fhir/$import-vcf?patient=bom', `\uFEFF${VCF}`);
  t.equal(bom.statusCode, 200, `UTF-8 BOM: ${bom.body.slice(0, 200)}`);
  t.equal(variants(bom), 1);
  const bomGz = await post(app, '/fhir/$import-vcf?patient=bom', gzipSync(`\uFEFF${VCF}`), 'application/octet-stream');
  t.equal(variants(bomGz), 1, 'a BOM inside gzip too');

  for (const [what, payload, headers] of [
    ['gzip as text/plain', gzipSync(VCF), {}],
    ['bgzip as text/plain', Buffer.concat([...bgzfBlocks(VCF, 50), BGZF_EOF]), {}],
    ['Content-Encoding: gzip', gzipSync(VCF), { 'content-encoding': 'gzip' }],
  ] as const) {
    const res = await post(app, '/fhir/$import-vcf?patient=gz', payload, 'text/plain', headers);
    t.equal(res.statusCode, 200, `${what}: ${res.body.slice(0, 200)}`);
    t.equal(variants(res), 1, what);
  }

  const badBase64 = await post(app, '/fhir/$import-vcf', params({ name: 'vcf', valueAttachment: { data: '!!!notbase64' } }, { name: 'patient', valueString: 'b64' }), 'application/fhir+json');
  t.equal(badBase64.statusCode, 400);
  t.match(badBase64.json().issue[0], { diagnostics: "Parameter 'vcf': valueAttachment.data is not valid base64", expression: ['vcf'] });
  const wrapped = Buffer.from(VCF).toString('base64').replace(/(.{60})/g, '$1\n');
  t.equal(variants(await post(app, '/fhir/$import-vcf', params({ name: 'vcf', valueAttachment: { data: wrapped } }, { name: 'patient', valueString: 'b64' }), 'application/fhir+json')), 1, 'line-wrapped base64 is fine');

  for (const text of ['', '\n\n']) {
    const empty = await post(app, '/fhir/$import-vcf', params({ name: 'vcf', valueString: text }, { name: 'patient', valueString: 'e' }), 'application/fhir+json');
    t.equal(empty.statusCode, 400);
    t.match(empty.json().issue[0].diagnostics, /^The VCF is empty/, JSON.stringify(text));
  }
});

t.test('Parameters options are read in the type the OperationDefinition declares, and one in no readable type is refused', async (t) => {
  const app = await testApp(t);
  const TWO = `${VCF}chr1\t200\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n`;
  const importWith = (option: Record<string, unknown>) =>
    post(app, '/fhir/$import-vcf', params({ name: 'vcf', valueString: TWO }, { name: 'patient', valueString: 'mr' }, { name: 'max-report-results', ...option }), 'application/fhir+json');
  const listed = async (res: Awaited<ReturnType<typeof post>>) => {
    const report = (res.json() as Parameters).parameter?.find((x) => x.name === 'report')?.valueReference?.reference;
    return ((await app.inject({ method: 'GET', url: `/fhir/${report}` })).json() as { result?: unknown[] }).result?.length ?? 0;
  };
  // max-report-results is `integer` in the definition: valueInteger is its own form, not a string
  const asInteger = await importWith({ valueInteger: 1 });
  t.equal(asInteger.statusCode, 200, asInteger.body.slice(0, 300));
  t.equal(await listed(asInteger), 1, 'valueInteger 1 limits the report to one result');
  t.equal(await listed(await importWith({ valueString: '1' })), 1, 'valueString "1" too');
  const negative = await importWith({ valueInteger: -1 });
  t.equal(negative.statusCode, 400, 'a negative valueInteger is refused like a negative string');
  const decimal = await importWith({ valueDecimal: 1.5 });
  t.equal(decimal.statusCode, 400, `a value of no usable type is not silently ignored: ${decimal.body.slice(0, 200)}`);
  t.match(decimal.json().issue[0], { diagnostics: /max-report-results/, expression: ['max-report-results'] });
});

t.test('batch-size imports in several transactions, over the query string or Parameters', async (t) => {
  const app = await testApp(t);
  const lines = [100, 200, 300, 400, 500].map((pos) => `chr1\t${pos}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1`).join('\n');
  const five = VCF.replace(/chr1\t100.*\n$/, `${lines}\n`);
  // count the store's transactions (the real store, its calls counted)
  let transactions = 0;
  const original = app.store.transaction.bind(app.store);
  app.store.transaction = ((...args: unknown[]) => {
    transactions++;
    return (original as (...a: unknown[]) => unknown)(...args);
  }) as typeof app.store.transaction;
  const variants = (res: Awaited<ReturnType<typeof post>>) => (res.json() as Parameters).parameter?.find((x) => x.name === 'variants')?.valueInteger;

  const whole = await post(app, '/fhir/$import-vcf?patient=w&build=GRCh38', five);
  t.equal(whole.statusCode, 200, whole.body.slice(0, 200));
  t.equal(transactions, 1, 'one transaction without batch-size');
  t.equal(variants(whole), 5);

  transactions = 0;
  const batched = await post(app, '/fhir/$import-vcf?patient=b&build=GRCh38&batch-size=2', five);
  t.equal(batched.statusCode, 200, batched.body.slice(0, 200));
  t.equal(variants(batched), 5);
  t.ok(transactions >= 3, `several transactions (${transactions}) for 5 variants, a study and a report in twos`);
  t.equal((await readAll(app.store, 'Observation')).filter((o) => (o as { subject?: { reference?: string } }).subject?.reference === 'Patient/b').length, 5, 'every variant stored');

  transactions = 0;
  const viaParams = await post(app, '/fhir/$import-vcf', params({ name: 'vcf', valueString: five }, { name: 'patient', valueString: 'p' }, { name: 'build', valueCode: 'GRCh38' }, { name: 'batch-size', valueInteger: 3 }), 'application/fhir+json');
  t.equal(viaParams.statusCode, 200, viaParams.body.slice(0, 200));
  t.ok(transactions >= 2, `Parameters valueInteger: ${transactions} transactions`);

  const malformed = five.replace('chr1\t400\t.\tA\tG\t50', 'chr1\t400\t.\tA\tG\tfifty');
  transactions = 0;
  const refused = await post(app, '/fhir/$import-vcf?patient=m&build=GRCh38&batch-size=2', malformed);
  t.equal(refused.statusCode, 400, 'a malformed line still refuses the import');
  t.equal(transactions, 0, 'before anything is written');
  for (const bad of ['0', '-1', '2.5', 'x']) {
    const res = await post(app, `/fhir/$import-vcf?patient=x&build=GRCh38&batch-size=${bad}`, five);
    t.equal(res.statusCode, 400, `batch-size=${bad}`);
    t.match(res.json().issue[0], { diagnostics: /batch-size must be a positive integer/, expression: ['batch-size'] });
  }
});
