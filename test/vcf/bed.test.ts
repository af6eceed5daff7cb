import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentReference, Parameters, Procedure } from '@medplum/fhirtypes';
import { send, testApp } from '../fhir/helpers.js';
import { groups, opGet, partValue, put } from '../operations/helpers.js';
import { bedRegions, summarizeBed } from '../../src/genomics/vcf/bed.js';
import { fixtureText, readAll } from './helpers.js';

/**
 * BED files as labs write them (UCSC's format page: whitespace-separated fields, `browser` and
 * `track` header lines, `#` comments), read by the one reader that both the import's summary and
 * $find-study-metadata's regions use, so the two can never disagree about a file.
 */
const bed = (name: string) => readFileSync(join(import.meta.dirname, 'bed', name), 'utf8');

t.test('one reader: spaces, runs of spaces and tabs, header and comment lines, CRLF', async (t) => {
  const regions = [...bedRegions(bed('studied-spaces.bed'))];
  t.same(regions, [
    { line: 7, chrom: 'chr1', start: 78500000, end: 78600000 },
    { line: 8, chrom: 'chr1', start: 79000000, end: 79500000 },
    { line: 9, chrom: '1', start: 79900000, end: 80100000 },
  ]);
  t.same([...bedRegions(bed('uncallable-crlf.bed'))], [{ line: 3, chrom: 'chr1', start: 79100000, end: 79200000 }]);
  t.same(summarizeBed(bed('studied-spaces.bed'), 'studied BED'), { regions: 3, bases: 800000, chromosomes: ['1'] });
  // a chromosome whose name begins with a header word is a region, not a header line
  t.same([...bedRegions('trackless 1 2\nbrowsers\t3\t4\n')].map((r) => r.chrom), ['trackless', 'browsers']);
});

t.test('a malformed line is named by its number and reason', async (t) => {
  t.throws(() => summarizeBed('track name=x\nchr1 100\n', 'studied BED'), /studied BED line 2: expected chrom, start, end/);
  t.throws(() => summarizeBed('chr1\t200\t100\n', 'uncallable BED'), /uncallable BED line 1: end 100 is before start 200/);
  t.throws(() => summarizeBed('chr1 1.5 20\n', 'studied BED'), /line 1: expected chrom, start, end/);
});

t.test('import and $find-study-metadata read such files alike', async (t) => {
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'bedp' });
  const res = await send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [
    { name: 'patient', valueString: 'bedp' }, { name: 'build', valueString: 'GRCh37' },
    { name: 'vcf', valueString: fixtureText('HG00404_b37.vcf') },
    { name: 'studied', valueString: bed('studied-spaces.bed') }, { name: 'uncallable', valueString: bed('uncallable-crlf.bed') },
  ] });
  t.equal(res.statusCode, 200, res.body.slice(0, 500));
  const docs = await readAll<DocumentReference>(app.store, 'DocumentReference');
  t.same(docs.map((d) => /(\d+) regions, (\d+) bases/.exec(d.description ?? '')?.slice(1)).sort(), [['1', '100000'], ['3', '800000']]);
  const body = (await opGet(app, 'find-study-metadata', { subject: 'Patient/bedp', ranges: 'NC_000001.10:78000000-80000000' })).json() as Parameters;
  const [test] = groups(body, 'tests');
  t.equal(partValue(test, 'regionStudied'), "['NC_000001.10:78500000-78600000', 'NC_000001.10:79000000-79500000', 'NC_000001.10:79900000-80000000']");
  t.equal(partValue(test, 'uncallableRegions'), "['NC_000001.10:79100000-79200000']");
});

t.test("a BED naming chromosomes by the build's NC_ accession is read as the VCF's CHROM is; another build's accession is refused", async (t) => {
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'bedacc' });
  const importWith = (studied: string) => send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [
    { name: 'patient', valueString: 'bedacc' }, { name: 'build', valueString: 'GRCh37' },
    { name: 'vcf', valueString: fixtureText('HG00404_b37.vcf') }, { name: 'studied', valueString: studied },
  ] });
  const other = await importWith('NC_000001.10\t78500000\t78600000\nNC_000001.11\t79000000\t79500000\n');
  t.equal(other.statusCode, 400);
  t.match(other.json().issue[0].diagnostics, /studied BED line 2: NC_000001\.11 is an accession of another build than GRCh37/);
  const res = await importWith('NC_000001.10\t78500000\t78600000\n');
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const [doc] = await readAll<DocumentReference>(app.store, 'DocumentReference');
  t.match(doc.description, /1 regions, 100000 bases on 1 chromosomes/);
  const body = (await opGet(app, 'find-study-metadata', { subject: 'Patient/bedacc', ranges: 'NC_000001.10:78000000-80000000' })).json() as Parameters;
  t.equal(partValue(groups(body, 'tests')[0], 'regionStudied'), "['NC_000001.10:78500000-78600000']");
  t.same(summarizeBed('NC_000001.10 1 2\nchr1 3 4\n', 'studied BED', 'GRCh37').chromosomes, ['1'], 'one chromosome, however named');
});

t.test("$find-study-metadata reads no region file of another patient, nor one the caller may not read", async (t) => {
  // The analysis is the subject's own, but its `regions` reference is whatever its writer typed:
  // a file about another patient is not read out through it (subject-owned.ts), nor is a file
  // the token holds no DocumentReference right on.
  const { makeApp, serverToken, bearer } = await import('../auth/helpers.js');
  const app = await makeApp();
  t.teardown(() => app.close());
  const system = bearer(await serverToken(app, ['system/*.*']));
  const importFor = async (patient: string) => {
    t.equal((await send(app, 'PUT', `/fhir/Patient/${patient}`, { resourceType: 'Patient', id: patient }, system)).statusCode < 300, true);
    const res = await send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [
      { name: 'patient', valueString: patient }, { name: 'build', valueString: 'GRCh37' },
      { name: 'vcf', valueString: fixtureText('HG00404_b37.vcf') }, { name: 'studied', valueString: 'chr1\t78500000\t78600000\n' },
    ] }, system);
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
  };
  await importFor('owner');
  await importFor('asker');
  const docs = await readAll<DocumentReference>(app.store, 'DocumentReference');
  const ownersFile = docs.find((d) => d.subject?.reference === 'Patient/owner')!;
  const procedures = await readAll<Procedure>(app.store, 'Procedure');
  const analysis = procedures.find((p) => p.subject?.reference === 'Patient/asker' && JSON.stringify(p).includes('genomic-study-analysis-regions'))!;
  const relinked = JSON.parse(JSON.stringify(analysis).replace(/DocumentReference\/[A-Za-z0-9\-.]+/, `DocumentReference/${ownersFile.id}`)) as Procedure;
  t.equal((await send(app, 'PUT', `/fhir/Procedure/${analysis.id}`, relinked, system)).statusCode, 200);
  const regions = async (subject: string, headers: Record<string, string>) => {
    const res = await opGet(app, 'find-study-metadata', { subject, ranges: 'NC_000001.10:78000000-80000000' }, headers);
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    return partValue(groups(res.json() as Parameters, 'tests')[0], 'regionStudied');
  };
  t.equal(await regions('Patient/owner', system), "['NC_000001.10:78500000-78600000']", "the owner's own file is read");
  t.equal(await regions('Patient/asker', system), 'unknown', "another patient's file is not");
  const noDocs = bearer(await serverToken(app, ['system/Observation.rs', 'system/DiagnosticReport.rs', 'system/Procedure.rs', 'system/Patient.rs']));
  t.equal(await regions('Patient/owner', noDocs), 'unknown', 'nor a file the token may not read');
});
