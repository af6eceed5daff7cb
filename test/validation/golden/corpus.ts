import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateGenomicData } from '../../../scripts/seed-variants.js';
import { demoResources, demoTransactionBundle } from '../../../src/demo/demo-data.js';
import { readLines } from '../../../src/genomics/vcf/line-reader.js';
import { emptySummary, mapVcf } from '../../../src/genomics/vcf/map-vcf.js';
import type { ValidateOptions } from '../../../src/validation/validate.js';
import { mutations } from './mutations.js';

/**
 * The input side of the validation golden test (golden.test.ts): a deterministic corpus of
 * resources, valid and broken in many ways, each with a stable id. generate.ts runs
 * validateResource over it and freezes the issues into test/validation/fixtures/golden-issues.json;
 * the test rebuilds the same corpus and requires exactly the same issue lists.
 *
 * Sources: every vendored IG example (and each entry of the example Bundles), the demo data,
 * resources from scripts/seed-variants.ts, resources mapped from the shared VCF fixtures, and
 * systematic mutations (mutations.ts) of a selection of valid ones.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Case {
  id: string;
  input: unknown;
  opts?: ValidateOptions;
}

const EXAMPLES = fileURLToPath(new URL('../../../schemas/genomics/examples/', import.meta.url));
export const VCF_FIXTURES = process.env.VCF_FIXTURES ?? join(import.meta.dirname, '../../../../shared/fixtures/vcf');
const SD = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/';

/** VCF files and the options they are imported with (a build where the header names none). */
// build: for files whose header does not name one; the others are read on the build they name
// (a build option the header contradicts is refused).
const VCF_FILES: Array<[string, { build?: 'GRCh37' | 'GRCh38'; take: number }]> = [
  ['vcf_example1.vcf', { build: 'GRCh37', take: 100 }],
  ['vcf_example2.vcf', { build: 'GRCh37', take: 100 }],
  ['vcf_example3.vcf', { take: 100 }],
  ['vcf_example4.vcf', { build: 'GRCh37', take: 100 }],
  ['vcftests.vcf', { build: 'GRCh37', take: 100 }],
  ['vcf_structural_variants.vcf', { take: 100 }],
  ['NB6TK328_filtered.vcf', { take: 100 }],
  ['HG00404_b37.vcf', { take: 120 }],
  ['HG00403A.vcf.gz', { take: 120 }],
];

const clone = <T>(v: T): T => structuredClone(v);

export function examples(): Array<{ file: string; resource: Json }> {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, resource: JSON.parse(readFileSync(EXAMPLES + file, 'utf8')) }));
}

/** The first `take` resources of each VCF fixture (the report and study come last: kept as well). */
export async function vcfResources(): Promise<Array<{ id: string; resource: Json }>> {
  const out: Array<{ id: string; resource: Json }> = [];
  for (const [file, { build, take }] of VCF_FILES) {
    const path = join(VCF_FIXTURES, file);
    if (!existsSync(path)) throw new Error(`VCF fixture ${path} is missing (set VCF_FIXTURES)`);
    const all: Json[] = [];
    for await (const r of mapVcf(readLines(createReadStream(path)), { patient: 'golden-p1', build, allowErrors: true, sourceName: file }, emptySummary())) all.push(r);
    const picked = all.length > take ? [...all.slice(0, take - 3), ...all.slice(-3)] : all;
    picked.forEach((r, i) => out.push({ id: `vcf:${file}:${i}:${r.resourceType}/${r.id}`, resource: r }));
  }
  return out;
}

function generated(): Json[] {
  return [...generateGenomicData({ variants: 300, patients: 15, seed: 7 })];
}

/** Valid resources whose every element is mutated (mutations.ts). */
function mutationBases(gen: Json[], vcf: Array<{ id: string; resource: Json }>, ex: Array<{ file: string; resource: Json }>): Array<[string, Json]> {
  const bases: Array<[string, Json]> = [];
  const gv = gen.filter((r) => r.resourceType === 'Observation');
  bases.push(['gen-variant-0', gv[0]], ['gen-variant-77', gv[77]]);
  bases.push(['gen-report', gen.find((r) => r.resourceType === 'DiagnosticReport')]);
  bases.push(['gen-patient', gen.find((r) => r.resourceType === 'Patient')]);
  const vcfOf = (file: string, pred: (r: Json) => boolean) => vcf.find((v) => v.id.startsWith(`vcf:${file}:`) && pred(v.resource))?.resource;
  const isVariant = (r: Json) => r.resourceType === 'Observation' && r.meta?.profile?.[0] === SD + 'variant';
  bases.push(['vcf-variant-nb6', vcfOf('NB6TK328_filtered.vcf', isVariant)]);
  bases.push(['vcf-variant-sv', vcfOf('vcf_structural_variants.vcf', isVariant)]);
  bases.push(['vcf-variant-ex2', vcfOf('vcf_example2.vcf', isVariant)]);
  bases.push(['vcf-other-obs', vcfOf('vcf_example2.vcf', (r) => r.resourceType === 'Observation' && !isVariant(r))]);
  bases.push(['vcf-report', vcfOf('NB6TK328_filtered.vcf', (r) => r.resourceType === 'DiagnosticReport')]);
  bases.push(['vcf-procedure', vcfOf('NB6TK328_filtered.vcf', (r) => r.resourceType === 'Procedure')]);
  const demo = demoResources() as Json[];
  for (const id of ['demo-tx-egfr-osimertinib', 'demo-dx-egfr']) bases.push([`demo-${id}`, demo.find((r) => r.id === id)]);
  bases.push(['demo-molseq', demo.find((r) => r.resourceType === 'MolecularSequence')]);
  for (const type of ['ServiceRequest', 'Specimen']) bases.push([`demo-${type}`, demo.find((r) => r.resourceType === type)]);
  // One IG example of each profile (and of each other resource type) not covered above.
  const seen = new Set<string>();
  for (const { file, resource } of ex) {
    if (resource.resourceType === 'Bundle' || resource.resourceType === 'Parameters') continue;
    const key = `${resource.resourceType}|${resource.meta?.profile?.[0] ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    bases.push([`ex-${file.replace(/\.json$/, '')}`, resource]);
  }
  for (const [name, b] of bases) if (!b) throw new Error(`golden corpus: no base resource for ${name}`);
  return bases;
}

export async function goldenCorpus(): Promise<Case[]> {
  const cases: Case[] = [];
  const ex = examples();
  for (const { file, resource } of ex) {
    cases.push({ id: `ex:${file}`, input: resource });
    if (resource.resourceType === 'Bundle') {
      (resource.entry ?? []).forEach((e: Json, i: number) => e?.resource && cases.push({ id: `ex:${file}#entry[${i}]`, input: e.resource }));
    }
    cases.push({ id: `ex-strict:${file}`, input: resource, opts: { strictProfiles: true } });
  }
  // Explicit profiles ($validate?profile=): right, wrong and unknown ones.
  const someObs = ex.filter((e) => e.resource.resourceType === 'Observation').slice(0, 12);
  for (const { file, resource } of someObs) {
    for (const p of ['variant', 'haplotype', 'therapeutic-implication', 'genomic-report', 'no-such-profile']) {
      cases.push({ id: `ex-profile:${p}:${file}`, input: resource, opts: { profiles: [SD + p + (p === 'variant' ? '|3.0.0' : '')] } });
    }
  }

  const demo = demoResources() as Json[];
  demo.forEach((r) => cases.push({ id: `demo:${r.resourceType}/${r.id}`, input: r }));
  cases.push({ id: 'demo:bundle', input: demoTransactionBundle() });

  const gen = generated();
  gen.forEach((r, i) => cases.push({ id: `gen:${i}:${r.resourceType}/${r.id}`, input: r }));
  // A Bundle of generated resources (nested validation, expressions under Bundle.entry[i].resource).
  cases.push({
    id: 'gen:bundle',
    input: { resourceType: 'Bundle', type: 'transaction', entry: gen.slice(0, 40).map((r) => ({ fullUrl: `urn:uuid:00000000-0000-4000-8000-${r.id.replace(/\W/g, '').padStart(12, '0').slice(-12)}`, resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })) },
  });

  const vcf = await vcfResources();
  vcf.forEach((v) => cases.push({ id: v.id, input: v.resource }));

  for (const [name, base] of mutationBases(gen, vcf, ex)) {
    for (const m of mutations(base)) cases.push({ id: `m:${name}:${m.id}`, input: m.input, opts: m.opts });
  }
  for (const c of odd()) cases.push(c);
  return cases.map((c) => ({ ...c, input: clone(c.input) }));
}

const exampleNamed = (file: string): Json => JSON.parse(readFileSync(EXAMPLES + file, 'utf8'));

/** Bodies that are not resources at all, hostile JSON, option edge cases. */
function odd(): Case[] {
  const variant = generated().find((r) => r.resourceType === 'Observation');
  const deep: Json = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
  let node = deep;
  for (let i = 0; i < 120; i++) node = node.extension = [{ url: 'http://example.org/e', extension: [] }][0];
  const broken = { ...clone(variant), status: 'nope', effectiveDateTime: '2023-02-30', component: [{ code: {} }], bogus: 1 };
  // Profile violations (wrong code pattern, missing slice, duplicated slice, type not allowed).
  const offProfile = { ...clone(variant), code: { coding: [{ system: 'http://loinc.org', code: '12345-6' }] }, category: [variant.category[1]], valueString: 'x', valueCodeableConcept: undefined, component: [...variant.component, variant.component[0], variant.component[1]] };
  delete offProfile.valueCodeableConcept;
  const unclaimed = { ...clone(offProfile), code: variant.code, meta: undefined };
  delete unclaimed.meta;
  const report = generated().find((r) => r.resourceType === 'DiagnosticReport');
  const badReport = { ...clone(report), category: [{ coding: [{ system: 'http://example.org', code: 'x' }] }], code: { coding: [{ system: 'http://loinc.org', code: '81247-9' }] } };
  const entries = [offProfile, unclaimed, badReport, { ...clone(report), meta: undefined }].map((resource, i) => ({ fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${i}`, resource }));
  return [
    { id: 'odd:bundle-profiles', input: { resourceType: 'Bundle', type: 'transaction', entry: entries.map((e) => ({ ...e, request: { method: 'POST', url: e.resource.resourceType } })) } },
    { id: 'odd:bundle-profiles-strict', input: { resourceType: 'Bundle', type: 'batch', entry: entries.map((e) => ({ ...e, request: { method: 'POST', url: e.resource.resourceType } })) }, opts: { strictProfiles: true, profiles: [SD + 'variant'] } },
    { id: 'odd:contained-profiled', input: { ...clone(report), contained: [{ ...clone(offProfile), id: 'v1' }, { ...clone(unclaimed), id: 'v2' }], result: [{ reference: '#v1' }, { reference: '#v2' }] } },
    { id: 'odd:off-profile', input: offProfile },
    { id: 'odd:unclaimed', input: unclaimed },
    { id: 'odd:unclaimed-strict', input: unclaimed, opts: { strictProfiles: true } },
    { id: 'odd:many-profiles', input: { ...clone(offProfile), meta: { profile: [SD + 'variant|3.0.0', 'http://hl7.org/fhir/StructureDefinition/Observation', SD + 'haplotype', 7] } } },
    { id: 'odd:obs-6', input: { ...clone(variant), dataAbsentReason: { text: 'x' } } },
    { id: 'odd:obs-7', input: { ...clone(variant), component: [{ code: variant.code, valueString: 'x' }, ...variant.component] } },
    { id: 'odd:obs-3', input: { ...clone(variant), referenceRange: [{ text: 'ok' }, { type: { text: 'x' } }, { low: { value: 1 } }] } },
    { id: 'odd:pairing', input: { resourceType: 'Patient', name: [{ given: ['a', 'b', null], _given: [null, { id: 'x' }] }, { given: [null], _given: [null] }, { given: ['a'], _given: [null, null] }] } },
    { id: 'odd:msq', input: { resourceType: 'MolecularSequence', coordinateSystem: 2, referenceSeq: { chromosome: { text: '1' }, referenceSeqId: { text: 'x' }, referenceSeqString: 'ACGT' } } },
    // Known extensions out of their contexts inside a contained resource and a Bundle entry (their own type is the root).
    { id: 'odd:ext-context-contained', input: { ...clone(report), contained: [{ ...clone(variant), id: 'v1', extension: [{ url: SD + 'repeat-motif-order', valuePositiveInt: 1 }] }], result: [{ reference: '#v1' }] } },
    { id: 'odd:ext-context-bundle', input: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { ...clone(variant), _status: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '2000-01-01T10:00:00Z' }] } } }, { resource: { ...clone(report), extension: [{ url: SD + 'genomic-study-analysis-title', valueString: 't' }] } }] } },
    // Reference types a profile narrows its element to (profiles/reference-targets.ts): at the top (generated checker) and in an extension (nested profile)
    { id: 'odd:profile-targets', input: { ...exampleNamed('Task-MedicationRecommendationExample1.json'), focus: { reference: 'Patient/p1' }, reasonReference: { type: 'Condition', identifier: { value: 'c' } } } },
    { id: 'odd:profile-targets-extension', input: { ...exampleNamed('DiagnosticReport-GenomicReportExample01.json'), extension: [{ url: SD + 'recommended-action', valueReference: { reference: 'ServiceRequest/s1' } }], result: [{ reference: 'Patient/p1' }] } },
    // qty-3 (layer 4's on every Quantity) and sqty-1 (the profile's) inside a nested extension profile
    { id: 'odd:profile-quantity', input: { ...exampleNamed('Procedure-PGXGenomicStudyAnalysis.json'), extension: [{ url: SD + 'genomic-study-analysis-metrics', extension: [{ url: 'sequencing-coverage', valueQuantity: { value: 1, code: 'x' } }, { url: 'read-depth', valueQuantity: { value: 1, comparator: '<' } }] }] } },
    // local references judged by the type of the contained resource they name (a result that is a Specimen; a sibling)
    { id: 'odd:contained-targets', input: { ...clone(report), contained: [{ resourceType: 'Specimen', id: 's1' }, { ...clone(variant), id: 'v1', specimen: { reference: '#v1' } }], result: [{ reference: '#s1' }, { reference: '#v1' }] } },
    { id: 'odd:msq-none', input: { resourceType: 'MolecularSequence', coordinateSystem: 1.5, referenceSeq: { strand: 'watson' } } },
    // 2026-12-04: nulls in enumerated repeating codes, paired or not; claims of other versions and of other types' definitions
    { id: 'odd:enum-pairing', input: { resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/p1' }, category: [null, 'food', null, 7], _category: [{ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] }, null, null, null] } },
    { id: 'odd:enum-pairing-clean', input: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, occurrenceTiming: { repeat: { when: ['MORN', null], _when: [null, { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] }] } } } },
    { id: 'odd:claims-versions-types', input: { ...clone(variant), meta: { profile: [SD + 'variant|3.0', 'http://hl7.org/fhir/StructureDefinition/Observation|5.0.0', 'http://hl7.org/fhir/StructureDefinition/Patient', SD + 'genomic-report'] } }, opts: { profiles: ['http://hl7.org/fhir/StructureDefinition/Observation|4.0.1', SD + 'haplotype|2.0.0'] } },

    { id: 'odd:null', input: null },
    { id: 'odd:string', input: 'Observation' },
    { id: 'odd:array', input: [variant] },
    { id: 'odd:number', input: 42 },
    { id: 'odd:no-type', input: { id: 'x' } },
    { id: 'odd:type-number', input: { resourceType: 7 } },
    { id: 'odd:unknown-type', input: { resourceType: 'Medplum' } },
    { id: 'odd:deep', input: deep },
    { id: 'odd:proto', input: JSON.parse('{"resourceType":"Patient","__proto__":{"x":1},"name":[{"constructor":"y","given":["a"]}],"prototype":1}') },
    { id: 'odd:broken-max3', input: broken, opts: { maxIssues: 3 } },
    { id: 'odd:broken-max1', input: broken, opts: { maxIssues: 1 } },
    { id: 'odd:broken-max0', input: broken, opts: { maxIssues: 0 } },
    { id: 'odd:broken', input: broken },
    { id: 'odd:broken-strict', input: broken, opts: { strictProfiles: true } },
    { id: 'odd:bundle-nested', input: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: broken }, { resource: 'x' }, { resource: { resourceType: 'Nope' } }, { resource: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: broken }] } }] } },
    { id: 'odd:contained', input: { ...clone(variant), contained: [{ resourceType: 'Patient', id: 'c1', meta: { versionId: '1' }, contained: [{ resourceType: 'Patient', id: 'c2' }] }, { resourceType: 'Specimen', id: 'c3' }], subject: { reference: '#c1' }, specimen: { reference: '#c9' } } },
    { id: 'odd:parameters', input: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: broken }, { name: 'x', valueString: '' }, { name: 'y', part: [{ name: 'z', resource: { resourceType: 'Patient', gender: 'x' } }] }] } },
    { id: 'odd:parameters-inv1', input: { resourceType: 'Parameters', parameter: [{ name: 'both', valueString: 'x', resource: { resourceType: 'Patient' } }, { name: 'none' }, { name: 'g', part: [{ name: 'ok', valueCode: 'c' }, { name: 'h', valueCode: 'c', part: [{ name: 'i', _valueString: { id: 'e' } }, { name: 'j', part: [] }] }] }] } },
  ];
}
