import t from 'tap';
import type { Resource } from '@medplum/fhirtypes';
import { regionBin } from '../../src/genomics/operations/bins.js';
import { computeIndex } from '../../src/search/index-resource.js';
import { compileExtractor } from '../../src/search/fhirpath-extract.js';
import { ENTRY_BUILDERS, type IndexEntries } from '../../src/search/index-values.js';
import { getParam } from '../../src/search/registry.js';
import { generateGenomicData } from '../../scripts/seed-variants.js';
import { buildDataset } from './dataset.js';
import { testConfig } from '../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/** Write-time index values: the hand-compiled component pass agrees with the generic FHIRPath path; odd shapes never throw. */
t.test('the single-pass Observation component indexer equals the generic expression path', async (t) => {
  // components whose elements give no value: present all the same (`__m`, :missing)
  const sampled = { origin: { value: 0 }, period: 1, dimensions: 1, data: '1' };
  const odd = [{ code: { text: 'c' }, valueSampledData: sampled, dataAbsentReason: { text: 'r' } }, { code: { coding: [{ code: 'x' }] }, valueCodeableConcept: { text: 'a' } }, { code: { text: 'q' }, valueQuantity: { unit: 'mg' } }]
    .map((c, i) => ({ resourceType: 'Observation', id: `odd${i}`, status: 'final', code: { text: 'o' }, component: [c] }) as unknown as Resource);
  const observations = [...buildDataset(), ...generateGenomicData({ variants: 50, patients: 2, seed: 5 }), ...odd].filter((r) => r.resourceType === 'Observation');
  for (const code of ['component-code', 'component-value-concept', 'component-value-quantity', 'component-data-absent-reason']) {
    const def = getParam('Observation', code)!;
    const extract = compileExtractor(def.expression!, 'Observation');
    for (const r of observations) {
      const generic: IndexEntries = {};
      const found = extract(r);
      for (const e of found) ENTRY_BUILDERS[def.type]!(generic, code, e, BASE);
      const fast = computeIndex(r, BASE) as IndexEntries;
      t.same(fast[code] ?? [], generic[code] ?? [], `${code} on ${r.id}`);
      t.same(fast[`${code}__m`], found.length && !generic[code]?.length ? [true] : undefined, `${code}__m on ${r.id}`);
    }
  }
});

t.test('index values of a Variant in both genetics representations', async (t) => {
  const [variant] = [...generateGenomicData({ variants: 1, patients: 1, seed: 1 })].filter((r) => r.resourceType === 'Observation') as Array<Record<string, any>>;
  const x = computeIndex(variant as never, BASE) as Record<string, unknown[]>;
  const gene = variant.component[0].valueCodeableConcept.coding[0];
  t.ok(x['gene-identifier'].includes(gene.code));
  t.ok(x['gene-identifier'].includes(`http://www.genenames.org/geneId|${gene.code}`));
  t.ok(x['gene-identifier'].includes(gene.display), 'the symbol is searchable too');
  const range = variant.component.find((c: any) => c.code.coding[0].code === '81254-5').valueRange;
  t.same(x['genomic-region'], [{
    a: variant.component.find((c: any) => c.code.coding[0].code === '48013-7').valueCodeableConcept.coding[0].code, s: range.low.value, e: range.high.value,
    b: regionBin(range.low.value, range.high.value),
  }], 'with its bin');
  t.same(x.subject, [variant.subject.reference]);
  const ext = buildDataset().find((r) => r.id === 'gx1')!;
  const xe = computeIndex(ext, BASE) as Record<string, unknown[]>;
  t.ok(xe['gene-identifier'].includes('HGNC:3236'));
  t.ok(xe['dna-variant'].includes('nm_005228.5:c.2574t>g'));
  t.ok(xe['dna-variant__e'].includes('NM_005228.5:c.2574T>G'));
  t.ok(xe['gene-dnavariant__e'].includes('EGFR$NM_005228.5:c.2574T>G'));
});

t.test('dates, quantities and references are normalized', async (t) => {
  const x = computeIndex({
    resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectivePeriod: { start: '2020-01', end: '2020-02-03' },
    valueQuantity: { value: 120, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
    subject: { reference: 'http://other.org/fhir/Patient/p9/_history/3' },
  } as never, BASE) as Record<string, unknown[]>;
  t.same(x.date, [{ s: Date.UTC(2020, 0, 1), e: Date.UTC(2020, 1, 4) }]);
  t.same(x['value-quantity'], [{ n: 120, c: 'mg', s: 'http://unitsofmeasure.org', cn: 0.12, cc: 'g' }]);
  // another server's Patient/p9 is not ours (search.html#reference): filed by its URL only
  t.same(x.subject, ['http://other.org/fhir/Patient/p9']);
  const own = computeIndex({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `${BASE}/Patient/p9/_history/3` } } as never, BASE);
  t.same((own as Record<string, unknown[]>).subject, ['Patient/p9', `${BASE}/Patient/p9`], 'one on our own base is local');
});

t.test('shapes outside the model never make a resource unwritable', async (t) => {
  const odd: unknown[] = [
    { resourceType: 'Observation', component: 'x', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/observation-geneticsVariant' }], valueQuantity: { value: 'a' }, effectivePeriod: { start: 'bad' } },
    { resourceType: 'Observation', component: [{ code: { coding: [{ code: '48018-6' }] }, valueCodeableConcept: { coding: [{ display: 'EGFR' }] } }, { code: {} }, {}] },
    { resourceType: 'MolecularSequence', referenceSeq: { referenceSeqId: { coding: [{ code: 'NC_000001.11' }] }, windowStart: 5 }, variant: [{}, { start: 3 }] },
    { resourceType: 'Patient', name: [null, { given: [null, 'x'] }], telecom: [{}], identifier: [{ type: {} }], birthDate: '19' },
  ];
  for (const r of odd) t.doesNotThrow(() => computeIndex(r as never, BASE));
});
