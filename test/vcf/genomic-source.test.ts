import t from 'tap';
import { Readable } from 'node:stream';
import type { DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { importVcf } from '../../src/genomics/vcf/import.js';
import { component, newStore, readAll } from './helpers.js';

const VCF = [
  '##fileformat=VCFv4.2',
  '##contig=<ID=chr1,length=248956422>',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  'chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:PS\t0|1:100',
  'chr1\t200\t.\tC\tT\t50\tPASS\t.\tGT:PS\t1|0:100',
  '',
].join('\n');
const ANNOTATIONS = 'chr1\t100\tA\tG\tHGNC:1100^BRCA1^HGNC\tNM_007294.4\tc.1A>G\t\t\tPathogenic\t\n';
const input = () => Readable.from([Buffer.from(VCF)]);
const sourceOf = (o: Observation) => (component(o, '48002-0')?.valueCodeableConcept as { coding: Array<{ code: string }> }).coding[0].code;

t.test('a germline and a somatic import of one file are separate findings; each report keeps its own', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  const germline = await importVcf(store, input(), { patient: 'p1', annotations: ANNOTATIONS });
  const somatic = await importVcf(store, input(), { patient: 'p1', annotations: ANNOTATIONS, genomicSource: 'somatic' });
  t.equal(somatic.updated, 0, 'the somatic import rewrites nothing of the germline one');
  t.equal(somatic.created, germline.created, 'it creates its own variants, implication, phase relationship, study and report');
  t.not(somatic.reportId, germline.reportId);

  const obs = new Map((await readAll<Observation & { id: string }>(store, 'Observation')).map((o) => [o.id, o]));
  const reports = await readAll<DiagnosticReport & { id: string }>(store, 'DiagnosticReport');
  for (const [id, want] of [[germline.reportId, 'LA6683-2'], [somatic.reportId, 'LA6684-0']] as const) {
    const report = reports.find((r) => r.id === id)!;
    const results = report.result!.map((r) => obs.get(r.reference!.split('/')[1])!);
    t.equal(results.length, 4, 'two variants, an implication and a phase relationship');
    const variants = results.filter((o) => o.code?.coding?.[0]?.code === '69548-6');
    t.same(variants.map(sourceOf), [want, want], `report ${want}: its variants say its source class`);
    const derived = results.filter((o) => o.derivedFrom).flatMap((o) => o.derivedFrom!.map((d) => d.reference!.split('/')[1]));
    t.ok(derived.every((d) => variants.some((v) => v.id === d)), 'implication and phase relationship point at the same report’s variants');
  }
  const ids = [...obs.values()].filter((o) => o.code?.coding?.[0]?.code === '69548-6').map((o) => o.identifier![0].value).sort();
  t.same(ids, ['p1|GRCh38|S1|1:100:A>G', 'p1|GRCh38|S1|1:100:A>G|somatic', 'p1|GRCh38|S1|1:200:C>T', 'p1|GRCh38|S1|1:200:C>T|somatic'], 'the identifier names a non-germline source');
  const reportKeys = reports.map((r) => r.identifier![0].value!);
  t.equal(new Set(reportKeys).size, 2, 'the reports have distinct identifiers');

  for (const [opts, what] of [[{}, 'germline'], [{ genomicSource: 'somatic' as const }, 'somatic']] as const) {
    const again = await importVcf(store, input(), { patient: 'p1', annotations: ANNOTATIONS, ...opts });
    t.same([again.created, again.updated], [0, 0], `re-importing the ${what} one changes nothing`);
  }
});
