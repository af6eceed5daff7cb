import t, { type Test } from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { passesClean } from '../../src/validation/schema-validators.js';
import { knownExtensions } from '../../src/validation/invariants/extensions.js';
import { errorsOf, summary } from './helpers.js';

// Where a known extension may be used (StructureDefinition.context): the walk refuses it
// elsewhere, naming the extension and its contexts, and the clean check never says yes then.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const CORE = 'http://hl7.org/fhir/StructureDefinition/';
const IG = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/';
const NO_IDS: ReadonlyMap<string, string> = new Map();
const obs = (more: Json = {}): Json => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...more });
const motif = { url: `${IG}repeat-motif-order`, valuePositiveInt: 1 };
const component = (more: Json = {}): Json => ({ code: { text: 'c' }, valueString: 'v', ...more });
const procedure = (more: Json = {}): Json => ({ resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/p1' }, ...more });

/**
 * The one error of `r`: the extension at `at`, which sits on element `on`, is misplaced (400,
 * naming its url and contexts); and the clean check agrees that something is wrong.
 */
function refused(t: Test, r: Json, at: string, on: string, url: string, contexts: string): void {
  const issues = errorsOf(validateResource(structuredClone(r)));
  t.same(summary(issues), [`structure ${at}`], at);
  t.equal(issues[0]?.diagnostics, `${at}: the extension ${url} is not allowed on ${on}: its definition allows it on ${contexts}`);
  t.equal(validationStatus(issues), 400);
  t.equal(passesClean(r.resourceType, r, NO_IDS), false, `${at}: not clean`);
}

function accepted(t: Test, r: Json, what: string, clean = true): void {
  t.same(summary(validateResource(structuredClone(r))), [], what);
  t.equal(passesClean(r.resourceType, r, NO_IDS), clean, `${what}: clean ${clean}`);
}

t.test('an IG extension outside its context is refused, with its path, url and contexts', async (t) => {
  refused(t, obs({ extension: [motif] }), 'Observation.extension[0]', 'Observation', motif.url, 'Observation.component');
  refused(t, obs({ code: { text: 'x', extension: [motif] } }), 'Observation.code.extension[0]', 'Observation.code', motif.url, 'Observation.component');
  refused(t, obs({ modifierExtension: [motif] }), 'Observation.modifierExtension[0]', 'Observation', motif.url, 'Observation.component');
  refused(t, obs({ component: [component(), { code: { text: 'c' }, valueQuantity: { value: 1, extension: [motif] } }] }), 'Observation.component[1].valueQuantity.extension[0]', 'Observation.component.valueQuantity', motif.url, 'Observation.component');
  refused(t, { resourceType: 'Patient', extension: [{ url: `${IG}genomic-study-analysis-ext`, extension: [{ url: 'type', valueCodeableConcept: { text: 'x' } }] }] }, 'Patient.extension[0]', 'Patient', `${IG}genomic-study-analysis-ext`, 'Procedure');
  refused(t, obs({ extension: [{ url: `${IG}genomic-report-note`, valueAnnotation: { text: 'n' } }] }), 'Observation.extension[0]', 'Observation', `${IG}genomic-report-note`, 'DiagnosticReport');
  // a datatype context: annotation-code sits on an Annotation wherever it is, not on a CodeableConcept
  refused(t, obs({ code: { text: 'x', extension: [{ url: `${IG}annotation-code`, valueCodeableConcept: { text: 'a' } }] } }), 'Observation.code.extension[0]', 'Observation.code', `${IG}annotation-code`, 'Annotation');
});

t.test('in its context the extension passes, and the clean check says yes', async (t) => {
  accepted(t, obs({ component: [component({ extension: [motif] })] }), 'repeat-motif-order on Observation.component');
  accepted(t, obs({ note: [{ text: 'n', extension: [{ url: `${IG}annotation-code`, valueCodeableConcept: { text: 'a' } }] }] }), 'annotation-code on Observation.note (an Annotation)');
  accepted(t, { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'r' }, extension: [{ url: `${IG}genomic-report-note`, valueAnnotation: { text: 'n' } }] }, 'genomic-report-note on DiagnosticReport');
  accepted(t, procedure({ extension: [{ url: `${IG}genomic-study-analysis-ext`, extension: [{ url: 'type', valueCodeableConcept: { text: 'x' } }] }] }), 'genomic-study-analysis-ext on Procedure');
  accepted(t, obs({ extension: [{ url: `${CORE}data-absent-reason`, valueCode: 'unknown' }], code: { text: 'x', extension: [{ url: `${CORE}originalText`, valueString: 'y' }] } }), 'context Element: anywhere');
  accepted(t, obs({ extension: [{ url: `${CORE}resource-pertainsToGoal`, valueReference: { reference: 'Goal/g1' } }] }), 'context Resource: a resource root');
});

t.test('core extensions: element ids, primitives, types and their specialisations', async (t) => {
  const birthTime = { url: `${CORE}patient-birthTime`, valueDateTime: '2000-01-01T10:00:00Z' };
  accepted(t, { resourceType: 'Patient', birthDate: '2000-01-01', _birthDate: { extension: [birthTime] } }, 'patient-birthTime on Patient.birthDate');
  refused(t, { resourceType: 'Patient', extension: [birthTime] }, 'Patient.extension[0]', 'Patient', birthTime.url, 'Patient.birthDate');
  refused(t, { resourceType: 'Patient', deceasedDateTime: '2001', _deceasedDateTime: { extension: [birthTime] } }, 'Patient._deceasedDateTime.extension[0]', 'Patient.deceasedDateTime', birthTime.url, 'Patient.birthDate');
  const ownPrefix = { url: `${CORE}humanname-own-prefix`, valueString: 'van' };
  accepted(t, { resourceType: 'Patient', name: [{ family: 'Berg', _family: { extension: [ownPrefix] } }] }, 'humanname-own-prefix on HumanName.family');
  refused(t, { resourceType: 'Patient', name: [{ given: ['a', 'b'], _given: [null, { extension: [ownPrefix] }] }] }, 'Patient.name[0]._given[1].extension[0]', 'HumanName.given', ownPrefix.url, 'HumanName.family');
  // context `string`: also a code (its base); context `Quantity`: also an Age
  const scCoding = { url: `${CORE}iso21090-SC-coding`, valueCoding: { code: 'x' } };
  accepted(t, obs({ _status: { extension: [scCoding] } }), 'iso21090-SC-coding (string) on a code');
  refused(t, obs({ effectiveDateTime: '2020', _effectiveDateTime: { extension: [scCoding] } }), 'Observation._effectiveDateTime.extension[0]', 'Observation.effectiveDateTime', scCoding.url, 'string');
  const uncertainty = { url: `${CORE}iso21090-uncertainty`, valueDecimal: 0.1 };
  accepted(t, { resourceType: 'Condition', subject: { reference: 'Patient/p1' }, onsetAge: { value: 3, extension: [uncertainty] } }, 'iso21090-uncertainty (Quantity) on an Age');
  refused(t, { resourceType: 'Condition', subject: { reference: 'Patient/p1' }, onsetPeriod: { start: '2020', extension: [uncertainty] } }, 'Condition.onsetPeriod.extension[0]', 'Condition.onsetPeriod', uncertainty.url, 'Quantity');
  // a backbone element reused by contentReference: every nested item is Questionnaire.item.item
  const hidden = { url: `${CORE}questionnaire-hidden`, valueBoolean: true };
  const item = (more: Json = {}): Json => ({ linkId: 'l', type: 'group', extension: [hidden], ...more });
  accepted(t, { resourceType: 'Questionnaire', status: 'draft', item: [item({ item: [item({ item: [item()] })] })] }, 'questionnaire-hidden on items at three levels');
  refused(t, { resourceType: 'Questionnaire', status: 'draft', extension: [hidden] }, 'Questionnaire.extension[0]', 'Questionnaire', hidden.url, 'Questionnaire.item, Questionnaire.item.item');
  // ValueSet.compose.exclude reuses include's definition but is another element
  const conceptOrder = { url: `${CORE}valueset-systemRef`, valueUri: 'http://x' };
  t.ok(knownExtensions().get(conceptOrder.url)?.contexts?.elements.includes('ValueSet.compose.include'), 'valueset-systemRef is for compose.include');
  accepted(t, { resourceType: 'ValueSet', status: 'draft', compose: { include: [{ system: 'http://x', extension: [conceptOrder] }] } }, 'valueset-systemRef on compose.include');
  refused(t, { resourceType: 'ValueSet', status: 'draft', compose: { include: [{ system: 'http://x' }], exclude: [{ system: 'http://x', extension: [conceptOrder] }] } }, 'ValueSet.compose.exclude[0].extension[0]', 'ValueSet.compose.exclude', conceptOrder.url, knownExtensions().get(conceptOrder.url)!.contexts!.label);
});

t.test('contained resources and Bundle entries: the context starts at their own type', async (t) => {
  const report = { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'r' }, result: [{ reference: '#o1' }] };
  t.same(summary(validateResource({ ...report, contained: [obs({ id: 'o1', component: [component({ extension: [motif] })] })] })), [], 'in the contained Observation\'s component');
  t.same(summary(validateResource({ ...report, contained: [obs({ id: 'o1', extension: [motif] })] })), ['structure DiagnosticReport.contained[0].extension[0]'], 'at the contained Observation\'s root');
  t.same(summary(validateResource({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000001', resource: obs({ extension: [motif] }) }] })), ['structure Bundle.entry[0].resource.extension[0]']);
});

t.test('context types extension and fhirpath; a path through a data type', async (t) => {
  const known = knownExtensions();
  const inner = 'http://example.org/fhir/StructureDefinition/inner';
  const outer = 'http://example.org/fhir/StructureDefinition/outer';
  const anyPath = 'http://example.org/fhir/StructureDefinition/anywhere';
  known.set(inner, { types: new Set(['string']), contexts: { elements: [], extensions: [outer], fhirpath: false, label: `extension ${outer}`, byDef: new Map() } });
  known.set(anyPath, { types: new Set(['string']), contexts: { elements: ['Patient'], extensions: [], fhirpath: true, label: 'Patient, fhirpath x', byDef: new Map() } });
  t.teardown(() => {
    known.delete(inner);
    known.delete(anyPath);
  });
  accepted(t, obs({ extension: [{ url: outer, extension: [{ url: inner, valueString: 'x' }] }] }), 'inside the extension it names');
  refused(t, obs({ extension: [{ url: 'http://example.org/other', extension: [{ url: inner, valueString: 'x' }] }] }), 'Observation.extension[0].extension[0]', 'Observation.extension', inner, `extension ${outer}`);
  refused(t, obs({ extension: [{ url: inner, valueString: 'x' }] }), 'Observation.extension[0]', 'Observation', inner, `extension ${outer}`);
  accepted(t, obs({ code: { text: 'x', extension: [{ url: anyPath, valueString: 'x' }] } }), 'a fhirpath context is not evaluated: accepted');
  // StructureDefinition.snapshot.element.binding.valueSet: binding lies inside the ElementDefinition
  // type, so only the walk, which has the instance path, can match it (the clean check says no).
  const permitted = { url: `${CORE}11179-permitted-value-valueset`, valueCanonical: 'http://x' };
  const sd = (where: 'snapshot' | 'differential'): Json => ({ resourceType: 'StructureDefinition', url: 'http://x/sd', name: 'X', status: 'draft', kind: 'resource', abstract: false, type: 'Observation', [where]: { element: [{ path: 'Observation', binding: { strength: 'required', valueSet: 'http://x/vs', _valueSet: { extension: [permitted] } } }] } });
  accepted(t, sd('snapshot'), 'on StructureDefinition.snapshot.element.binding.valueSet', false);
  const q = { resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: 'l', type: 'choice', answerValueSet: 'http://x/vs', _answerValueSet: { extension: [permitted] } }] };
  accepted(t, q, 'on Questionnaire.item.answerValueSet');
  refused(t, { resourceType: 'ValueSet', status: 'draft', url: 'http://x/vs', _url: { extension: [permitted] } }, 'ValueSet._url.extension[0]', 'ValueSet.url', permitted.url, knownExtensions().get(permitted.url)!.contexts!.label);
});
