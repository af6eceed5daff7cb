import t from 'tap';
import type { Resource } from '@medplum/fhirtypes';
import { subsetResource } from '../../src/fhir/summary.js';

/**
 * `_elements` names elements as their definitions do (search.html#elements): a choice element is
 * `value` (FHIRPath's name, `value[x]` in the definition), which must keep `valueCodeableConcept`;
 * `_elements=value` used to drop the value of every Observation, so an EHR asking for
 * `code,value` got the codes alone. A primitive's `_status` (its id and extensions, such as a
 * data-absent-reason) belongs to `status` (json.html#primitive), under `_elements` and `_summary`.
 */
const variant = {
  resourceType: 'Observation', id: 'v1', meta: { versionId: '1' },
  status: 'final', _status: { extension: [{ url: 'http://example.org/x', valueString: 'y' }] },
  statusReason: 'n/a', // not an R4 element: stands for any key that merely starts like one
  code: { text: 'variant' }, subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2025-03-14', _effectiveDateTime: { id: 'eff' },
  valueCodeableConcept: { text: 'present' }, issued: '2025-03-20T10:00:00Z',
  component: [{ code: { text: 'gene' }, valueString: 'EGFR' }],
} as unknown as Resource;

const keys = (r: Resource) => Object.keys(r).sort();

t.test('_elements: a choice element by its base name keeps its typed form', async (t) => {
  t.same(keys(subsetResource(variant, undefined, ['value'])), ['code', 'id', 'meta', 'resourceType', 'status', '_status', 'valueCodeableConcept'].sort());
  t.same(keys(subsetResource(variant, undefined, ['effective'])), ['_effectiveDateTime', '_status', 'code', 'effectiveDateTime', 'id', 'meta', 'resourceType', 'status'].sort());
  t.same(keys(subsetResource(variant, undefined, ['value[x]'])), keys(subsetResource(variant, undefined, ['value'])), 'value[x] and value agree');
  t.same(keys(subsetResource(variant, undefined, ['valueCodeableConcept'])), keys(subsetResource(variant, undefined, ['value'])), 'the JSON name too');
  t.notOk('valueCodeableConcept' in subsetResource(variant, undefined, ['valueQuantity']), 'another type of the choice is not this one');
  t.notOk('statusReason' in subsetResource(variant, undefined, ['status']), 'a name is not a prefix: status keeps no statusReason');
  t.notOk('issued' in subsetResource(variant, undefined, ['iss']), 'nor is a prefix of a non-choice element a name');
});

t.test('a primitive\'s extensions go with it', async (t) => {
  const el = subsetResource(variant, undefined, ['issued']) as unknown as Record<string, unknown>;
  t.ok('_status' in el, 'mandatory status keeps _status');
  t.notOk('_effectiveDateTime' in el, 'an element not asked for leaves its extensions out');
  const sum = subsetResource(variant, 'true', undefined) as unknown as Record<string, unknown>;
  t.ok('_status' in sum && '_effectiveDateTime' in sum, '_summary=true keeps the extensions of summary primitives');
  const text = subsetResource(variant, 'text', undefined) as unknown as Record<string, unknown>;
  t.ok('_status' in text && !('_effectiveDateTime' in text), '_summary=text keeps those of mandatory ones only');
});
