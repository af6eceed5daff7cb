import t from 'tap';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { validateResource } from '../../src/validation/validate.js';
import { definitionNames } from '../../src/validation/element-model.js';
import { siteDefinitionsMade } from '../../src/validation/invariants/extension-context.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { forgetSchemaDefinitions, validatorStats } from '../../src/validation/schema-validators.js';
import { forgetIgPackage, igPackageStats } from '../../src/validation/profiles/ig-package.js';
import { summary } from './helpers.js';

// A thread that validates (each prepare worker) keeps what validation derives from the R4 model
// for as long as it runs, and its live heap sets how far V8 lets its garbage grow before a major
// collection (src/prepare/pool.ts): tables are made for what is met, not for the whole model.
// This file runs in its own process, so nothing else has filled the tables first.
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const IG = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/';

/**
 * IG examples, as they are and broken in ways the profiles see (a required element gone, a fixed
 * code changed): each profile they claim is compiled at its first use.
 */
function profiledCases(): unknown[] {
  const example = (f: string) => JSON.parse(readFileSync(new URL(`../../schemas/genomics/examples/${f}.json`, import.meta.url), 'utf8'));
  const out: unknown[] = [];
  for (const f of ['Observation-ATR-insertion-var', 'Observation-EGFR-L858R-significance', 'Observation-EGFR-L858R-therapuDrug1', 'DiagnosticReport-GenomicReportExample01', 'Observation-ATR-insertion-molc']) {
    const r = example(f);
    out.push(r);
    const noCode = structuredClone(r);
    delete noCode.code;
    out.push(noCode);
    const otherCategory = structuredClone(r);
    otherCategory.category = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }];
    out.push(otherCategory);
    const noComponents = structuredClone(r);
    delete noComponents.component;
    out.push(noComponents);
    // references of types the profiles narrow away (their targets named by IG profiles), and an
    // IG extension whose value has the wrong type
    const targets = structuredClone(r);
    for (const k of ['derivedFrom', 'result', 'hasMember', 'specimen', 'subject', 'performer']) if (targets[k] !== undefined) targets[k] = Array.isArray(targets[k]) ? [{ reference: 'Device/d1' }] : { reference: 'Device/d1' };
    targets.extension = [{ url: 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/recommended-action', valueString: 'x' }];
    out.push(targets);
  }
  return out;
}

// The same cases validated in a process that never drops the package: what the test compares with.
if (process.env.LAZY_TABLES_CHILD === '1') {
  console.log(JSON.stringify(profiledCases().map((r) => validateResource(r))));
  process.exit(0);
}

t.test('extension sites are made for the definitions that hold extensions, not for every one', async (t) => {
  for (const f of ['observation-variant.json', 'diagnosticreport-genetics.json', 'molecularsequence-example.json']) {
    t.same(summary(validateResource(fixture(f))), [], f);
  }
  // an extension on a component (its context) and one misplaced on a coding: still told apart
  const motif = { url: `${IG}repeat-motif-order`, valuePositiveInt: 1 };
  const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: [{ code: { text: 'c' }, valueString: 'v', extension: [motif] }] };
  t.same(summary(validateResource(obs)), []);
  const misplaced = { ...obs, code: { coding: [{ code: 'x', extension: [motif] }] } };
  t.same(summary(validateResource(misplaced)), ['structure Observation.code.coding[0].extension[0]']);
  const all = [...definitionNames()].length;
  t.ok(siteDefinitionsMade() > 0, 'some were made');
  t.ok(siteDefinitionsMade() < all / 10, `${siteDefinitionsMade()} of ${all} definitions`);
});

/** A full collection, once this job's WeakRef targets may go (they are kept until the job ends). */
async function collect(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

t.test('the parsed R4 schema is not kept for compiling: a type met after it was collected is checked as strictly', async (t) => {
  // Valid resources only so far (the first test): no ajv instance holds the schema yet.
  t.same(summary(validateResource({ resourceType: 'Specimen', id: 's1', status: 'available' })), [], 'a valid Specimen, first use');
  const loads = validatorStats.loads;
  await collect();
  forgetSchemaDefinitions(); // in case the collector kept it
  const device = { resourceType: 'Device', id: 'd1', status: 'wrong', bogus: 1 };
  t.same(summary(validateResource(device)), ['structure Device.bogus', 'value Device.status'], 'Device, first use after the schema was dropped');
  t.same(summary(validateResource({ resourceType: 'Device', id: 'd2', status: 'active' })), [], 'a valid Device');
  t.equal(validatorStats.loads, loads + 1, 'parsed again for it');
  // Once ajv (the errors' writer) holds the schema, it is kept: no further parse.
  forgetSchemaDefinitions();
  t.same(summary(validateResource({ resourceType: 'Substance', id: 'x', bogus: true })), ['required Substance.code', 'structure Substance.bogus']);
  t.equal(validatorStats.loads, loads + 1, 'ajv keeps the schema it was given');
});

// (forgetIgPackage pretends the package was collected; ig-package-collected.test.ts collects it for real)
t.test('the IG package is not kept: profiles compiled after it was collected find the same issues', async (t) => {
  const expected = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, LAZY_TABLES_CHILD: '1' }, encoding: 'utf8' }).trim().split('\n').pop()!);
  const loads = igPackageStats.loads;
  const got = profiledCases().map((r) => {
    forgetIgPackage(); // before every resource: each compile reads the package afresh
    return validateResource(r);
  });
  t.ok(expected.some((issues: unknown[]) => issues.length > 0) && expected.some((issues: unknown[]) => issues.length === 0), 'cases with issues and without');
  t.same(got, expected);
  t.ok(igPackageStats.loads > loads, 'the package was read again');
});
