import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { errors, example, show, type Json } from './helpers.js';

/**
 * Every invariant in the Genomics Reporting IG 3.0.0 StructureDefinitions, each tripped by a
 * broken copy of an IG example. The IG defines none of its own: its snapshots carry base R4's
 * (ele-1, ext-1, dom-*, obs-*, Task inv-1, qty-3, sqty-1). A new key in the vendored snapshots
 * fails this test until it is listed here with a broken copy, or as not evaluated.
 */
const SD_DIR = fileURLToPath(new URL('../../schemas/genomics/structure-definitions/', import.meta.url));

/** Warnings of the snapshots that are not evaluated, and why. */
const NOT_EVALUATED: Record<string, string> = {
  // best practice ("should have a narrative"): a warning on every resource without text, which a VCF import never writes
  'dom-6': 'warning only',
};

const METRICS = (r: Json) => {
  const i = r.extension.findIndex((e: Json) => e.url.endsWith('/genomic-study-analysis-metrics'));
  return r.extension[i].extension.find((e: Json) => e.valueQuantity).valueQuantity;
};
const withContained = (r: Json, c: Json) => {
  r.contained = [{ resourceType: 'Specimen', id: 's', ...c }];
  r.specimen = { reference: '#s' };
};

const BROKEN: Record<string, [file: string, breakIt: (r: Json) => void]> = {
  'ele-1': ['Observation-VariantExample.json', (r) => { r.note = []; }],
  'ext-1': ['Observation-VariantExample.json', (r) => { r.extension = [{ url: 'http://example.org/fhir/StructureDefinition/x' }]; }],
  'dom-2': ['Observation-VariantExample.json', (r) => withContained(r, { contained: [{ resourceType: 'Patient', id: 'p' }] })],
  'dom-3': ['Observation-VariantExample.json', (r) => { r.contained = [{ resourceType: 'Specimen', id: 'orphan' }]; }],
  'dom-4': ['Observation-VariantExample.json', (r) => withContained(r, { meta: { versionId: '1' } })],
  'dom-5': ['Observation-VariantExample.json', (r) => withContained(r, { meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } })],
  'obs-3': ['Observation-VariantExample.json', (r) => { r.referenceRange = [{ type: { text: 'normal' } }]; }],
  'obs-6': ['Observation-VariantExample.json', (r) => { r.dataAbsentReason = { text: 'unknown' }; }],
  'obs-7': ['Observation-VariantExample.json', (r) => { r.component.push({ code: structuredClone(r.code), valueString: 'x' }); }],
  'inv-1': ['Task-MedicationRecommendationExample1.json', (r) => { r.authoredOn = '2020-05-02'; r.lastModified = '2020-05-01'; }],
  'qty-3': ['Procedure-PGXGenomicStudyAnalysis.json', (r) => { const q = METRICS(r); delete q.system; q.code = 'x'; }],
  'sqty-1': ['Procedure-PGXGenomicStudyAnalysis.json', (r) => { METRICS(r).comparator = '<'; }],
};

function snapshotConstraints(): Map<string, string> {
  const keys = new Map<string, string>(); // key -> severity
  for (const f of readdirSync(SD_DIR)) {
    const sd = JSON.parse(readFileSync(SD_DIR + f, 'utf8'));
    for (const e of sd.snapshot?.element ?? []) for (const c of e.constraint ?? []) keys.set(c.key, c.severity);
  }
  return keys;
}

t.test('every invariant of the IG snapshots is either enforced (a broken copy trips it) or listed as not evaluated', async (t) => {
  const keys = snapshotConstraints();
  t.ok(keys.size >= 13, `${keys.size} invariant keys`);
  for (const [key, severity] of keys) {
    if (NOT_EVALUATED[key]) {
      t.equal(severity, 'warning', `${key} is not evaluated: ${NOT_EVALUATED[key]}`);
      continue;
    }
    t.ok(BROKEN[key], `${key} (${severity}) has a broken copy here`);
  }
  for (const [key, [file, breakIt]] of Object.entries(BROKEN)) {
    const r = example(file);
    t.same(errors(validateResource(r)).filter((i) => i.diagnostics.includes(key)), [], `${file} passes ${key} as it is`);
    breakIt(r);
    const issues = validateResource(r);
    const hits = errors(issues).filter((i) => i.diagnostics.includes(key));
    t.equal(hits.length, 1, `${key}: reported once\n${show(issues)}`);
    t.ok(validationStatus(issues) >= 400, `${key}: refused`);
  }
});

t.test('Task inv-1 (lastModified >= authoredOn) compares different precisions as FHIRPath does: only a lastModified wholly before authoredOn fails', async (t) => {
  const cases: Array<[lastModified: string, authoredOn: string, fails: boolean]> = [
    ['2020-05-01', '2020-05-02', true],
    ['2020-04', '2020-05-01T10:00:00Z', true],
    ['2020-05-01T09:00:00Z', '2020-05-01T10:00:00Z', true],
    ['2020-05-01T10:00:00+02:00', '2020-05-01T09:00:00Z', true], // 08:00Z
    ['2020-05-01T09:00:00.5Z', '2020-05-01T09:00:00.6Z', true],
    // the day, month or year of lastModified may hold authoredOn: FHIRPath's answer is empty, not false
    ['2020-05-01', '2020-05-01T10:00:00Z', false],
    ['2020-05', '2020-05-01T10:00:00Z', false],
    ['2020', '2020-06-01', false],
    ['2020-05-01T10:00:00Z', '2020-05-01', false],
    ['2020-05-01T11:00:00Z', '2020-05-01T10:00:00Z', false],
    ['2020-05-01', '2020-05-01', false],
  ];
  for (const [lastModified, authoredOn, fails] of cases) {
    const task = example('Task-MedicationRecommendationExample1.json');
    Object.assign(task, { lastModified, authoredOn });
    const issues = errors(validateResource(task)).filter((i) => i.diagnostics.includes('inv-1'));
    t.equal(issues.length, fails ? 1 : 0, `lastModified ${lastModified}, authoredOn ${authoredOn}: ${fails ? 'fails' : 'holds'}\n${show(issues)}`);
  }
});

t.test('no constraint of a vendored StructureDefinition is left unevaluated (unparsable, or needing descendants()/children()/resolve())', async (t) => {
  const { igPackage } = await import('../../src/validation/profiles/ig-package.js');
  const { compiledProfile } = await import('../../src/validation/profiles/compile-profile.js');
  for (const sd of igPackage().structureDefinitions.values()) t.same(compiledProfile(sd.url)?.unparsed, [], sd.name);
});
