import t from 'tap';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { compiledProfile, compileStructureDefinition } from '../../src/validation/profiles/compile-profile.js';
import { checkResource } from '../../src/validation/profiles/check-profile.js';
import { valueSetCheck } from '../../src/validation/profiles/terminology.js';
import { SD } from './helpers.js';

/** The compiler's building blocks: plans are cached, FHIRPath invariants of an IG run, value sets expand. */

t.test('profiles compile once and are cached', async (t) => {
  const a = compiledProfile(SD + 'variant');
  t.ok(a);
  t.equal(compiledProfile(SD + 'variant|3.0.0'), a, 'same plan object, version ignored');
  t.equal(a!.name, 'Variant');
  t.ok(a!.root.children.find((c) => c.name === 'component')!.slices.length >= 30, 'Variant component slices compiled');
  t.equal(compiledProfile('http://example.org/StructureDefinition/none'), undefined);
});

t.test("an IG's own FHIRPath invariant is evaluated (parsed once with @medplum/core)", async (t) => {
  const sd = {
    resourceType: 'StructureDefinition',
    url: 'http://example.org/StructureDefinition/refseq-observation',
    name: 'RefSeqObservation',
    type: 'Observation',
    snapshot: {
      element: [
        { id: 'Observation', path: 'Observation', min: 0, max: '*', constraint: [{ key: 'gx-1', severity: 'error', human: 'valueString is an NC_ accession', expression: "valueString.exists() implies valueString.startsWith('NC_')", source: 'http://example.org/StructureDefinition/refseq-observation' }] },
        { id: 'Observation.status', path: 'Observation.status', min: 1, max: '1', type: [{ code: 'code' }] },
      ],
    },
  } as unknown as StructureDefinition;
  const plan = compileStructureDefinition(sd);
  t.equal(plan.root.constraints[0].key, 'gx-1');
  t.ok(plan.root.constraints[0].atom, 'parsed FHIRPath');
  t.same(checkResource(plan, { resourceType: 'Observation', status: 'final', valueString: 'NC_000001.11' }, 'error'), []);
  const bad = checkResource(plan, { resourceType: 'Observation', status: 'final', valueString: 'chr1' }, 'error');
  t.equal(bad.length, 1);
  t.equal(bad[0].code, 'invariant');
  t.match(bad[0].diagnostics, /RefSeqObservation .*gx-1 failed: valueString is an NC_ accession/);
  const missing = checkResource(plan, { resourceType: 'Observation' }, 'warning');
  t.match(missing, [{ severity: 'warning', code: 'processing', expression: ['Observation.status'] }]);
});

t.test('value sets: IG code systems expanded, external systems by system, LOINC lists', async (t) => {
  const spr = valueSetCheck('http://hl7.org/fhir/uv/genomics-reporting/ValueSet/sequence-phase-relationship-vs')!;
  t.equal(spr.has('http://terminology.hl7.org/CodeSystem/sequence-phase-relationship-cs', 'Cis'), 'member');
  t.equal(spr.has('http://terminology.hl7.org/CodeSystem/sequence-phase-relationship-cs', 'Nope'), 'not-member');
  const hgvs = valueSetCheck('http://hl7.org/fhir/uv/genomics-reporting/ValueSet/hgvs-vs')!;
  t.equal(hgvs.has('http://varnomen.hgvs.org', 'NM_000059.3:c.35_36dup'), 'unknown', 'accepted: not expandable');
  t.equal(hgvs.has('http://example.org', 'x'), 'not-member');
  const chrom = valueSetCheck('http://loinc.org/vs/LL2938-0')!;
  t.equal(chrom.has('http://loinc.org', 'LA21254-0'), 'unknown', 'LOINC list not shipped: LA code shape accepted');
  t.equal(chrom.has('http://loinc.org', 'chr1'), 'not-member');
  t.equal(valueSetCheck('http://loinc.org/vs/LL1971-2')!.has('http://loinc.org', 'LA9634-2'), 'member');
  t.equal(valueSetCheck('http://example.org/ValueSet/unknown'), undefined);
});

t.test('odd shapes never make the profile layer throw (the structure layer reports them)', async (t) => {
  const { validateProfiles } = await import('../../src/validation/profiles/index.js');
  const { example } = await import('./helpers.js');
  const weird: unknown[] = [null, 1, 'x', [], {}, [null], [1, 'a'], { coding: 'x' }, { coding: [null] }, true];
  for (const key of ['code', 'category', 'component', 'valueCodeableConcept', 'extension', 'meta', 'derivedFrom']) {
    for (const w of weird) {
      const v = example('Observation-VariantExample.json');
      v[key] = w;
      t.doesNotThrow(() => validateProfiles(v, { strictProfiles: true }), `${key} = ${JSON.stringify(w)}`);
    }
  }
  const v = example('Observation-VariantExample.json');
  v.component[0] = { code: null, valueCodeableConcept: { coding: [null, 'x'] } };
  t.doesNotThrow(() => validateProfiles(v));
});
