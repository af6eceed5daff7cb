import t from 'tap';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Parameters } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { bgzfBlocks, expectedCalls, fixture, fixtureText, readAll } from './helpers.js';

const param = (p: Parameters, name: string) => p.parameter?.find((x) => x.name === name);

t.test('POST /fhir/$import-vcf with the raw VCF as the body', async (t) => {
  const app = await testApp(t);
  const body = readFileSync(fixture('vcf_example3.vcf'));
  const res = await app.inject({ method: 'POST', url: '/fhir/$import-vcf?patient=p1', headers: { 'content-type': 'text/x-vcf' }, payload: body });
  t.equal(res.statusCode, 200, res.body);
  const out = res.json() as Parameters;
  t.equal(out.resourceType, 'Parameters');
  t.equal(param(out, 'variants')?.valueInteger, expectedCalls(fixture('vcf_example3.vcf')).calls);
  t.equal(param(out, 'build')?.valueCode, 'GRCh37');
  const report = param(out, 'report')?.valueReference?.reference;
  t.match(report, /^DiagnosticReport\/vcfrep-/);
  const read = await app.inject({ method: 'GET', url: `/fhir/${report}` });
  t.equal(read.statusCode, 200);
  t.equal(read.json().code.coding[0].code, '51969-4');

  const again = await app.inject({ method: 'POST', url: '/fhir/$import-vcf?patient=p1', headers: { 'content-type': 'text/plain' }, payload: body.toString('utf8') });
  t.equal(again.statusCode, 200);
  t.equal(param(again.json(), 'created')?.valueInteger, 0, 'idempotent over HTTP too');
});

t.test('gzip body as application/octet-stream (the large bgzip fixture is covered in fixtures.test.ts)', async (t) => {
  const app = await testApp(t);
  const gz = gzipSync(readFileSync(fixture('vcf_example2.vcf')));
  const res = await app.inject({
    method: 'POST', url: '/fhir/$import-vcf?patient=p2&build=GRCh37', headers: { 'content-type': 'application/octet-stream' },
    payload: gz,
  });
  t.equal(res.statusCode, 200, res.body.slice(0, 500));
  t.equal(param(res.json(), 'variants')?.valueInteger, expectedCalls(fixture('vcf_example2.vcf')).calls);
  const again = await app.inject({
    method: 'POST', url: '/fhir/$import-vcf?patient=p2&build=GRCh37', headers: { 'content-type': 'application/octet-stream' },
    payload: gz,
  });
  t.equal(param(again.json(), 'created')?.valueInteger, 0, 're-import creates nothing');
  t.equal(param(again.json(), 'updated')?.valueInteger, 0, 're-import changes nothing');
});

t.test('Parameters body with side files', async (t) => {
  const app = await testApp(t);
  const vcf = fixtureText('NB6TK328_filtered.vcf');
  const p: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'vcf', valueAttachment: { contentType: 'text/x-vcf', data: Buffer.from(vcf).toString('base64') } },
      { name: 'patient', valueReference: { reference: 'Patient/nb6' } },
      { name: 'genomic-source', valueCode: 'somatic' },
      { name: 'annotations', valueString: fixtureText('NB6TK328_annotations.txt') },
      { name: 'studied', valueString: fixtureText('NB6TK328_region_studied.bed') },
      { name: 'specimen', valueReference: { reference: 'Specimen/s1' } },
    ],
  };
  const res = await app.inject({ method: 'POST', url: '/fhir/$import-vcf', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(p) });
  t.equal(res.statusCode, 200, res.body);
  t.equal(param(res.json(), 'variants')?.valueInteger, 5);
  t.equal(param(res.json(), 'implications')?.valueInteger, 5);
  const obs = await readAll(app.store, 'Observation');
  t.ok(obs.every((o) => (o as { subject?: { reference?: string } }).subject?.reference === 'Patient/nb6'));
  t.equal(obs.filter((o) => (o as { specimen?: { reference?: string } }).specimen?.reference === 'Specimen/s1').length, 5);
  t.equal((await readAll(app.store, 'DocumentReference')).length, 1, 'studied BED as a genomic-data-file');
});

t.test('errors are OperationOutcomes and store nothing', async (t) => {
  const app = await testApp(t);
  const bad = await app.inject({ method: 'POST', url: '/fhir/$import-vcf?patient=p3&build=GRCh37', headers: { 'content-type': 'text/plain' }, payload: fixtureText('vcf_example1.vcf') });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().resourceType, 'OperationOutcome');
  t.match(bad.json().issue[0].diagnostics, /^line 4: REF/);
  t.same(await readAll(app.store, 'Observation'), []);

  const allowed = await app.inject({ method: 'POST', url: '/fhir/$import-vcf?patient=p3&build=GRCh37&allow-errors=true', headers: { 'content-type': 'text/plain' }, payload: fixtureText('vcf_example1.vcf') });
  t.equal(allowed.statusCode, 200);
  t.same(allowed.json().parameter.filter((x: { name: string }) => x.name === 'error').map((x: { valueString: string }) => x.valueString.split(':')[0]), ['line 4', 'line 5', 'line 8']);

  const noPatient = await app.inject({ method: 'POST', url: '/fhir/$import-vcf', headers: { 'content-type': 'text/plain' }, payload: fixtureText('vcf_example3.vcf') });
  t.equal(noPatient.statusCode, 400);
  t.match(noPatient.json().issue[0].diagnostics, /patient/);

  const get = await app.inject({ method: 'GET', url: '/fhir/$import-vcf?patient=p1' });
  t.equal(get.statusCode, 405);
});

t.test('imported resources are found by search: patient, gene, region, report with results', async (t) => {
  const app = await testApp(t);
  const imp = await app.inject({
    method: 'POST', url: '/fhir/$import-vcf?patient=nb6&genomic-source=somatic', headers: { 'content-type': 'text/plain' }, payload: fixtureText('NB6TK328_filtered.vcf'),
  });
  t.equal(imp.statusCode, 200, imp.body);
  // The annotation table (gene) needs the Parameters form.
  const p: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'vcf', valueString: fixtureText('NB6TK328_filtered.vcf') },
      { name: 'patient', valueString: 'nb6' },
      { name: 'annotations', valueString: fixtureText('NB6TK328_annotations.txt') },
    ],
  };
  const imp2 = await app.inject({ method: 'POST', url: '/fhir/$import-vcf', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(p) });
  t.equal(imp2.statusCode, 200, imp2.body);
  const search = async (q: string) => {
    const r = await app.inject({ method: 'GET', url: `/fhir/${q}` });
    t.equal(r.statusCode, 200, r.statusCode === 200 ? q : `${q}: ${r.body.slice(0, 300)}`);
    return r.json() as { total?: number; entry?: Array<{ resource: { resourceType: string; id: string }; search?: { mode: string } }> };
  };
  const byPatient = await search('Observation?subject=Patient/nb6&code=http://loinc.org|69548-6&_total=accurate');
  t.equal(byPatient.entry?.length, 10, 'patient + Variant code: the somatic and the germline calls are separate findings');
  const brca2 = await search('Observation?subject=Patient/nb6&gene-identifier=http://www.genenames.org|HGNC:1101');
  t.equal(brca2.entry?.length, 1, 'gene (HGNC id): only the annotated import has it');
  // BRCA2 chr13:32355250 (1-based) is [32355249, 32355250) 0-based on NC_000013.11 (GRCh38).
  const region = await search('Observation?genomic-region=NC_000013.11:32355000-32356000');
  t.equal(region.entry?.length, 2, 'region overlap (somatic and germline)');
  const none = await search('Observation?genomic-region=NC_000013.10:32355000-32356000');
  t.equal(none.entry?.length ?? 0, 0, 'other build accession does not match');
  const reports = await search('DiagnosticReport?subject=Patient/nb6&category=GE&_include=DiagnosticReport:result');
  const matches = reports.entry?.filter((e) => e.search?.mode === 'match') ?? [];
  t.equal(matches.length, 2, 'two reports: the two imports differ by their options (annotations)');
  t.ok((reports.entry?.filter((e) => e.search?.mode === 'include').length ?? 0) >= 10, 'results included (variants + implications)');
});

t.test('a damaged or truncated gzip upload answers 400, not 500', async (t) => {
  const app = await testApp(t);
  const whole = gzipSync(readFileSync(fixture('vcf_example3.vcf')));
  const blocks = bgzfBlocks(readFileSync(fixture('vcf_example3.vcf'), 'utf8'), 4096);
  for (const [what, payload, reason] of [
    ['garbage after the magic bytes', Buffer.from('\x1f\x8b\x08\x00garbage', 'latin1'), /gzip data is damaged or truncated/],
    ['cut off', whole.subarray(0, whole.length >> 1), /gzip data is damaged or truncated/],
    ['BGZF cut at a block boundary', Buffer.concat(blocks.slice(0, 2)), /BGZF \(bgzip\) data is truncated/],
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/fhir/$import-vcf?patient=pz&build=GRCh37', headers: { 'content-type': 'application/octet-stream' }, payload });
    t.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 200)}`);
    t.match(res.json().issue?.[0]?.diagnostics, reason);
  }
  t.equal((await app.inject({ url: '/fhir/Observation?subject=Patient/pz&_summary=count' })).json().total, 0, 'nothing stored');
});

t.test('a second import on another specimen leaves the first report as it was', async (t) => {
  const app = await testApp(t);
  const head = '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
  const imp = (query: string, ad: string) => app.inject({ method: 'POST', url: `/fhir/$import-vcf?${query}`, headers: { 'content-type': 'text/plain' }, payload: `${head}chr3\t1000\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:${ad}\n` });
  const a = await imp('patient=sp2&specimen=tumorA', '5,5');
  const b = await imp('patient=sp2&specimen=tumorB', '90,10');
  t.equal(a.statusCode, 200);
  t.equal(b.statusCode, 200);
  t.equal(param(b.json(), 'updated')?.valueInteger ?? 0, 0, 'nothing of the first import is rewritten');
  const resultsOf = async (res: typeof a) => {
    const report = (await app.inject({ method: 'GET', url: `/fhir/${param(res.json(), 'report')?.valueReference?.reference}` })).json();
    return Promise.all(report.result.map(async (r: { reference: string }) => (await app.inject({ method: 'GET', url: `/fhir/${r.reference}` })).json()));
  };
  const [va] = await resultsOf(a);
  const [vb] = await resultsOf(b);
  t.not(va.id, vb.id, 'one Observation per specimen');
  t.equal(va.specimen.reference, 'Specimen/tumorA');
  t.equal(vb.specimen.reference, 'Specimen/tumorB');
  const again = await imp('patient=sp2&specimen=tumorA', '5,5');
  t.equal(param(again.json(), 'created')?.valueInteger, 0, 're-importing for the first specimen stays idempotent');
});

t.test('a Parameters body takes every input: one in the query string too is refused, not dropped', async (t) => {
  const app = await testApp(t);
  const vcf = '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr3\t1000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n';
  const body = { resourceType: 'Parameters', parameter: [{ name: 'vcf', valueString: vcf }, { name: 'patient', valueString: 'qa' }] };
  const res = await app.inject({ method: 'POST', url: '/fhir/$import-vcf?patient=qb', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(body) });
  t.equal(res.statusCode, 400);
  t.match(res.json().issue[0].diagnostics, /'patient' is in the query string/);
  t.equal((await app.inject({ method: 'GET', url: '/fhir/Observation?subject=Patient/qa' })).json().total ?? 0, 0, 'nothing stored');
  const ok = await app.inject({ method: 'POST', url: '/fhir/$import-vcf', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(body) });
  t.equal(ok.statusCode, 200);
});

t.test('reports of one file made with other options carry other identifiers', async (t) => {
  const app = await testApp(t);
  const head = '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
  const vcf = `${head}chr2\t1000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n`;
  const imp = async (extra: Array<{ name: string; valueString: string }>) => {
    const res = await app.inject({ method: 'POST', url: '/fhir/$import-vcf', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'vcf', valueString: vcf }, { name: 'patient', valueString: 'bd1' }, ...extra] }) });
    const ref = param(res.json(), 'report')?.valueReference?.reference;
    return (await app.inject({ method: 'GET', url: `/fhir/${ref}` })).json().identifier[0].value as string;
  };
  const plain = await imp([]);
  const wide = await imp([{ name: 'studied', valueString: 'chr2\t0\t5000\n' }]);
  const narrow = await imp([{ name: 'studied', valueString: 'chr2\t0\t1500\n' }]);
  t.equal(new Set([plain, wide, narrow]).size, 3, `${plain} / ${wide} / ${narrow}`);
  t.notMatch(plain, /options:/, 'a plain import keeps the key it always had');
  t.equal(await imp([{ name: 'studied', valueString: 'chr2\t0\t5000\n' }]), wide, 'the same options: the same identifier');
});

t.test('bodies that are not a VCF, unsupported encodings and unknown inputs are refused', async (t) => {
  const app = await testApp(t);
  const vcf = '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr3\t1000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n';
  const post = (url: string, headers: Record<string, string>, payload: string | Buffer = vcf) => app.inject({ method: 'POST', url, headers, payload });
  for (const ct of ['application/xml', 'image/png', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    t.equal((await post('/fhir/$import-vcf?patient=ct1', { 'content-type': ct })).statusCode, 415, ct);
  }
  t.equal((await post('/fhir/$import-vcf?patient=ct1', { 'content-type': 'text/plain', 'content-encoding': 'deflate' })).statusCode, 415, 'deflate');
  t.equal((await post('/fhir/$import-vcf?patient=ct1', { 'content-type': 'text/plain', 'content-encoding': 'br' })).statusCode, 415, 'br');
  const typo = await post('/fhir/$import-vcf?patient=ct1&specimin=s1', { 'content-type': 'text/plain' });
  t.equal(typo.statusCode, 400, 'an unknown input');
  t.match(typo.json().issue[0].diagnostics, /no input 'specimin'/);
  const qual = await post('/fhir/$import-vcf?patient=ct1', { 'content-type': 'text/plain' }, vcf.replace('\t50\t', '\tabc\t'));
  t.equal(qual.statusCode, 400, 'QUAL abc is a malformed line');
  t.match(qual.json().issue[0].diagnostics, /QUAL 'abc' is not a number/);
  t.equal((await app.inject({ method: 'GET', url: '/fhir/Observation?subject=Patient/ct1' })).json().total ?? 0, 0, 'nothing stored');
  for (const ct of ['text/plain', 'text/x-vcf', 'application/octet-stream']) {
    t.equal((await post('/fhir/$import-vcf?patient=ct1', { 'content-type': ct })).statusCode, 200, ct);
  }
});
