import type { Resource } from '@medplum/fhirtypes';
import type { Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { indexResource } from '../../src/search/search-service.js';
import { generateGenomicData, prng } from '../../scripts/seed-variants.js';
import { testConfig } from '../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/**
 * A small seeded data set for the oracle tests: genomic Variant Observations (IG component form)
 * and their reports from the bench generator, plus hand-varied resources that exercise every
 * parameter type: vital-sign quantities in several units, periods and partial dates, accented
 * names, identifiers with types, the R4 genetics extension form, MolecularSequences, Specimens,
 * ServiceRequests, Procedures, DocumentReferences and Tasks.
 */
export type R = Resource & { id: string } & Record<string, any>;

/** A Period from two dates in whichever order they come (per-1: it may not end before it starts). */
function period(a: string, b: string): { start: string; end: string } {
  return a <= b ? { start: a, end: b } : { start: b, end: a };
}

export function buildDataset(): R[] {
  const out: R[] = [...generateGenomicData({ variants: 120, patients: 6, poolSize: 40, perReport: 7, seed: 7 })] as R[];
  const rnd = prng(99);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const families = ['Müller', 'Muller', 'García', 'Smith', 'Smithson', 'O\'Brien'];
  for (let i = 0; i < 6; i++) {
    out.push({
      resourceType: 'Patient', id: `px${i}`, gender: pick(['male', 'female', 'other']), birthDate: pick(['1970', '1970-05', '1970-05-17', '1985-12-31']),
      name: [{ family: families[i], given: [pick(['Ann', 'Ánna', 'Bob'])] }],
      identifier: [{ system: 'urn:mrn', value: `M${i}`, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }],
      ...(i % 3 === 0 ? { meta: { tag: [{ system: 'urn:tags', code: 'vip' }] } } : {}),
    });
  }
  const units: Array<[number, string]> = [[120, 'mg'], [0.12, 'g'], [95, 'mg'], [5.4, 'mmol/L'], [7, 'mmol/L'], [140, 'mm[Hg]']];
  const dates = ['2020', '2020-03', '2020-03-04', '2020-03-04T10:00:00Z', '2021-06-30T23:59:59.999Z', '2019-12-31'];
  for (let i = 0; i < 40; i++) {
    const [value, unit] = pick(units);
    const useperiod = i % 5 === 0;
    const r: R = {
      resourceType: 'Observation', id: `vs${i}`, status: pick(['final', 'amended', 'preliminary', 'cancelled']),
      code: { coding: [{ system: 'http://loinc.org', code: pick(['8480-6', '2345-7', '8867-4']), display: pick(['Systolic blood pressure', 'Glucose']) }], text: 'vital' },
      subject: { reference: `Patient/px${i % 6}`, ...(i % 7 === 0 ? { identifier: { system: 'urn:mrn', value: `M${i % 6}` } } : {}) },
      ...(useperiod ? { effectivePeriod: { start: pick(dates), ...(i % 10 ? { end: '2022-01-01' } : {}) } } : i % 11 === 3 ? {} : { effectiveDateTime: pick(dates) }),
      ...(i % 9 === 4 ? {} : { valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit } }),
      ...(i % 4 === 0 ? { component: [{ code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: value / 2, system: 'http://unitsofmeasure.org', code: unit } }] } : {}),
      ...(i % 6 === 1 ? { meta: { profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'], tag: [{ system: 'urn:tags', code: 'vip' }] } } : {}),
    };
    out.push(r);
  }
  // R4 genetics extension form (https://hl7.org/fhir/R4/observation-genetics.html)
  const ext = 'http://hl7.org/fhir/StructureDefinition/';
  for (let i = 0; i < 4; i++) {
    out.push({
      resourceType: 'Observation', id: `gx${i}`, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] },
      subject: { reference: `Patient/px${i}` }, effectiveDateTime: '2018-02-0' + (i + 1),
      extension: [
        { url: `${ext}observation-geneticsGene`, valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: i % 2 ? 'HGNC:3236' : 'HGNC:1100', display: i % 2 ? 'EGFR' : 'BRCA1' }] } },
        { url: `${ext}observation-geneticsVariant`, extension: [{ url: 'Name', valueCodeableConcept: { coding: [{ system: 'http://varnomen.hgvs.org', code: `NM_005228.5:c.${2573 + i}T>G` }] } }] },
        { url: `${ext}observation-geneticsAminoAcidChange`, extension: [{ url: 'Name', valueCodeableConcept: { coding: [{ system: 'http://varnomen.hgvs.org', code: `p.Leu${858 + i}Arg` }] } }] },
      ],
    });
  }
  for (let i = 0; i < 6; i++) {
    const start = 55_000_000 + i * 50_000;
    out.push({
      resourceType: 'MolecularSequence', id: `ms${i}`, type: 'dna', coordinateSystem: i % 2,
      patient: { reference: `Patient/px${i}` },
      referenceSeq: { referenceSeqId: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/refseq', code: i < 4 ? 'NC_000007.14' : 'NC_000017.11' }] }, strand: 'watson', windowStart: start, windowEnd: start + 40_000 },
      variant: [{ start: start + 100, end: start + 101, observedAllele: 'T', referenceAllele: 'G' }],
    });
  }
  for (let i = 0; i < 6; i++) {
    out.push({ resourceType: 'Specimen', id: `sp${i}`, subject: { reference: `Patient/px${i}` }, type: { coding: [{ system: 'http://snomed.info/sct', code: pick(['119297000', '258580003']) }] }, collection: { collectedDateTime: pick(dates) } });
    out.push({ resourceType: 'ServiceRequest', id: `sr${i}`, status: pick(['active', 'completed']), intent: 'order', subject: { reference: `Patient/px${i}` }, code: { coding: [{ system: 'http://loinc.org', code: '51969-4' }] }, specimen: [{ reference: `Specimen/sp${i}` }], authoredOn: pick(dates) });
    out.push({ resourceType: 'Procedure', id: `pr${i}`, status: 'completed', subject: { reference: `Patient/px${i}` }, code: { text: 'biopsy' }, performedPeriod: period('2020-01-01', pick(dates)) });
    out.push({ resourceType: 'DocumentReference', id: `doc${i}`, status: 'current', subject: { reference: `Patient/px${i}` }, content: [{ attachment: { contentType: 'application/pdf', url: `http://files.example.org/r${i}.pdf` } }], date: '2020-03-04T10:00:00Z' });
    out.push({ resourceType: 'Task', id: `task${i}`, status: pick(['requested', 'completed']), intent: 'order', for: { reference: `Patient/px${i}` }, focus: { reference: `ServiceRequest/sr${i}` }, authoredOn: pick(dates), priority: pick(['routine', 'urgent']) });
  }
  // A report with the R4 assessed-condition extension and a reference to an extension-form variant
  out.push({ resourceType: 'Condition', id: 'cond1', subject: { reference: 'Patient/px1' }, code: { text: 'lung cancer' } });
  out.push({
    resourceType: 'DiagnosticReport', id: 'drx', status: 'final', code: { text: 'genetics' }, subject: { reference: 'Patient/px1' },
    extension: [{ url: `${ext}DiagnosticReport-geneticsAssessedCondition`, valueReference: { reference: 'Condition/cond1' } }],
    result: [{ reference: 'Observation/gx1' }, { reference: 'Observation/gx3' }],
  });
  // a UCUM unit outside the table of common ones (normalize.ts works it out from its atoms)
  out.push({ resourceType: 'Observation', id: 'vu0', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2160-0' }] }, subject: { reference: 'Patient/px3' }, valueQuantity: { value: 88, unit: 'µmol/L', system: 'http://unitsofmeasure.org', code: 'umol/L' } });
  // temperatures: UCUM units defined by an offset, not a factor (normalize.ts TEMPERATURE)
  out.push({ resourceType: 'Observation', id: 'vt0', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8310-5' }] }, subject: { reference: 'Patient/px3' }, valueQuantity: { value: 37.2, unit: '°C', system: 'http://unitsofmeasure.org', code: 'Cel' } });
  out.push({ resourceType: 'Observation', id: 'vt1', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8310-5' }] }, subject: { reference: 'Patient/px3' }, valueQuantity: { value: 99.7, unit: '°F', system: 'http://unitsofmeasure.org', code: '[degF]' } });
  return out;
}

/**
 * Structural variants in the IG's imprecise form (outer 81301-4 and inner 81302-2 start-end, with
 * or without an exact 81254-5 range), placed so that the oracle's genomic-region windows
 * (NC_000007.14:55019016-55211628, NC_000017.11:7661778-7687538) reach some only by their outer
 * range.
 */
export function structuralVariants(): R[] {
  const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
  const range = (code: string, low: number, high: number) => ({ code: loinc(code), valueRange: { low: { value: low }, high: { value: high } } });
  const sv = (id: string, acc: string, coords: string, ranges: Array<ReturnType<typeof range>>): R => ({
    resourceType: 'Observation', id, status: 'final', code: loinc('69548-6'), subject: { reference: 'Patient/px5' },
    meta: { profile: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant'] },
    valueCodeableConcept: loinc('LA9633-4'),
    component: [
      { code: loinc('48013-7'), valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/refseq', code: acc }] } },
      { code: loinc('92822-6'), valueCodeableConcept: loinc(coords) },
      ...ranges,
    ],
  });
  return [
    // outer reaches into the EGFR window, inner does not
    sv('sv-outer', 'NC_000007.14', 'LA30100-4', [range('81301-4', 55018000, 55019100), range('81302-2', 55018200, 55018900)]),
    // exact before the window, outer into it: the outer range decides
    sv('sv-exact-outer', 'NC_000007.14', 'LA30102-0', [range('81254-5', 55010001, 55010500), range('81301-4', 55009001, 55019500)]),
    // inner only, 1-based, ending at the TP53 window's first base
    sv('sv-inner', 'NC_000017.11', 'LA30102-0', [range('81302-2', 7660000, 7661779)]),
    // outer well away from both windows
    sv('sv-far', 'NC_000007.14', 'LA30100-4', [range('81301-4', 54000000, 54001000), range('81302-2', 54000100, 54000900)]),
  ];
}

/**
 * An embedded store in a temporary directory holding `data`, opened before the file's tests run
 * and removed after them (shared by the oracle and results suites).
 */
export function seededStore(t: Test, data: R[], prefix: string): EmbeddedStore {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = new EmbeddedStore(dir, { fsync: false });
  t.before(async () => {
    await store.init();
    await store.transaction(async (tx) => {
      for (const r of data) await tx.put(r, indexResource(r, BASE));
    });
  });
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

/**
 * Values that stand for a range: a Quantity with a stated comparator (`<5`: quantity.html, "how to
 * understand the value"), a Range (an onset age between 30 and 40, a probability between 0.2 and
 * 0.4, a use context for ages 18 to 65) and open-ended ones (a Range with only `low`). Each set
 * next to plain quantities of the same parameter, for the oracle's quantity and number cases; and
 * Periods open at either end.
 */
export function rangedValues(): R[] {
  const ucum = (value: number, code: string, comparator?: '<' | '<=' | '>' | '>=') => ({ value, ...(comparator ? { comparator } : {}), unit: code, system: 'http://unitsofmeasure.org', code });
  const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
  const out: R[] = [];
  const stated: Array<[number, string, '<' | '<=' | '>' | '>=']> = [[5, 'mmol/L', '<'], [5, 'mmol/L', '<='], [5, 'mmol/L', '>'], [5, 'mmol/L', '>='], [100, 'mg', '<'], [0.1, 'g', '>='], [5.4, 'mmol/L', '<']];
  stated.forEach(([value, code, comparator], i) => out.push({
    resourceType: 'Observation', id: `qc${i}`, status: 'final', code: loinc('2345-7'), subject: { reference: `Patient/px${i % 6}` },
    valueQuantity: ucum(value, code, comparator),
    ...(i === 1 ? { component: [{ code: loinc('8462-4'), valueQuantity: ucum(40, 'mmol/L', '>') }] } : {}),
  }));
  // values and component answers that are there but give no searchable value (`:missing` counts them)
  const sampled = { origin: { value: 0, system: 'http://unitsofmeasure.org', code: 'mV' }, period: 10, dimensions: 1, data: '1 2 3' };
  out.push({ resourceType: 'Observation', id: 'sd0', status: 'final', code: loinc('8867-4'), subject: { reference: 'Patient/px1' }, valueSampledData: sampled });
  out.push({ resourceType: 'Observation', id: 'sd1', status: 'final', code: loinc('8867-4'), subject: { reference: 'Patient/px2' }, component: [{ code: loinc('8462-4'), valueSampledData: sampled }] });
  out.push({ resourceType: 'Observation', id: 'cct0', status: 'final', code: loinc('8867-4'), subject: { reference: 'Patient/px3' }, valueCodeableConcept: { text: 'trace' } });
  const age = (value: number) => ({ value, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' });
  const onsets: Array<Record<string, unknown>> = [
    { onsetAge: age(35) }, { onsetRange: { low: age(30), high: age(40) } }, { onsetRange: { low: age(50) } },
    { onsetRange: { high: age(20) } }, { onsetAge: age(40), abatementRange: { low: age(41), high: age(45) } }, { onsetString: 'childhood' },
  ];
  onsets.forEach((onset, i) => out.push({ resourceType: 'Condition', id: `onset${i}`, subject: { reference: `Patient/px${i}` }, code: { text: 'asthma' }, ...onset }));
  const probabilities: Array<Record<string, unknown>> = [
    { probabilityDecimal: 0.3 }, { probabilityRange: { low: { value: 0.2 }, high: { value: 0.4 } } }, { probabilityRange: { low: { value: 0.6 } } },
    { probabilityDecimal: 0.05 }, { probabilityRange: { low: { value: 0.5 }, high: { value: 0.5 } } },
  ];
  probabilities.forEach((p, i) => out.push({ resourceType: 'RiskAssessment', id: `risk${i}`, status: 'final', subject: { reference: `Patient/px${i}` }, prediction: [{ outcome: { text: 'stroke' }, ...p }] }));
  const focus = { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'age' };
  const contexts: Array<Record<string, unknown>> = [
    { valueRange: { low: age(18), high: age(65) } }, { valueQuantity: age(70) }, { valueRange: { low: age(65) } }, { valueCodeableConcept: { text: 'adults' } },
  ];
  contexts.forEach((c, i) => out.push({ resourceType: 'PlanDefinition', id: `plan${i}`, status: 'active', useContext: [{ code: focus, ...c }] }));
  // open-ended Periods (no start: not known; no end: ongoing) and ones at every precision
  const periods: Array<Record<string, string>> = [
    { end: '2020-03-04' }, { start: '2020-03-04T10:00:00Z' }, { start: '2019-06', end: '2020-01' }, { end: '2019' },
    { start: '2020-03-04T10:00:00Z', end: '2020-03-04T12:00:00Z' }, { start: '2020-03-05' }, { start: '2020-02-20', end: '2020-03-20' },
  ];
  periods.forEach((effectivePeriod, i) => out.push({ resourceType: 'Observation', id: `op${i}`, status: 'final', code: loinc('8867-4'), subject: { reference: `Patient/px${i % 6}` }, effectivePeriod }));
  // a Period as the value (code-value-date's `value.as(DateTime) | value.as(Period)`)
  out.push({ resourceType: 'Observation', id: 'vp0', status: 'final', code: loinc('8480-6'), subject: { reference: 'Patient/px1' }, valuePeriod: { start: '2020-03-01', end: '2020-04-01' } });
  out.push({ resourceType: 'Observation', id: 'vp1', status: 'final', code: loinc('8480-6'), subject: { reference: 'Patient/px2' }, valueDateTime: '2019' });
  return out;
}
