import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { errorsOf, fixture, summary } from './helpers.js';

// Layer 2: every kind of structural problem is reported with the exact FHIRPath expression.

t.test('unknown element deep inside a component', async (t) => {
  const obs = fixture('observation-variant');
  obs.component[1].foo = 'bar';
  const issues = errorsOf(validateResource(obs));
  t.same(summary(issues), ['structure Observation.component[1].foo']);
  t.equal(issues[0]!.diagnostics, "Unknown element 'foo' in Observation.component[1]");
  t.equal(validationStatus(issues), 400);
});

t.test('wrong JSON types', async (t) => {
  const obs = fixture('observation-variant');
  obs.component[3].valueString = 42;
  obs.code = '69548-6';
  obs.category = { text: 'x' };
  const s = summary(validateResource(obs));
  t.ok(s.includes('structure Observation.component[3].valueString'), 'number for a string');
  t.ok(s.includes('structure Observation.code'), 'string for a CodeableConcept');
  t.ok(s.includes('structure Observation.category'), 'object for an array');
  const diag = validateResource(obs).find((i) => i.expression?.[0] === 'Observation.code')!.diagnostics;
  t.match(diag, /must be an object \(CodeableConcept\), not a string/);
});

t.test('integers must be integers', async (t) => {
  const seq = fixture('molecularsequence-example');
  seq.coordinateSystem = 0.5;
  seq.readCoverage = -1.5;
  t.same(summary(validateResource(seq)), ['structure MolecularSequence.coordinateSystem', 'structure MolecularSequence.readCoverage']);
});

t.test('missing required elements', async (t) => {
  const obs = fixture('observation-genetics-1');
  delete obs.status;
  delete obs.code;
  const issues = errorsOf(validateResource(obs));
  t.same(summary(issues).sort(), ['required Observation.code', 'required Observation.status']);
  t.match(issues.map((i) => i.diagnostics).join('\n'), /Missing required element 'status' in Observation/);
});

t.test('bad codes in required bindings', async (t) => {
  const seq = fixture('molecularsequence-example');
  seq.type = 'DNA';
  seq.referenceSeq.strand = 'forward';
  const issues = errorsOf(validateResource(seq));
  t.same(summary(issues), ['value MolecularSequence.type', 'value MolecularSequence.referenceSeq.strand']);
  t.match(issues[0]!.diagnostics, /'DNA' is not a valid code for MolecularSequence.type \(required binding: aa, dna, rna\)/);
});

t.test('malformed dates, instants, ids and codes', async (t) => {
  const report = fixture('diagnosticreport-genetics');
  report.effectiveDateTime = '2023-13-45';
  report.issued = '2019-03-05'; // an instant needs a time and zone
  report.id = 'bad_id!';
  report.category[0].coding[0].code = ' GE';
  const issues = errorsOf(validateResource(report));
  t.same(summary(issues).sort(), [
    'value DiagnosticReport.category[0].coding[0].code',
    'value DiagnosticReport.effectiveDateTime',
    'value DiagnosticReport.id',
    'value DiagnosticReport.issued',
  ]);
  t.match(issues.find((i) => i.expression?.[0] === 'DiagnosticReport.effectiveDateTime')!.diagnostics, /^'2023-13-45' is not a valid dateTime/);
  t.match(issues.find((i) => i.expression?.[0] === 'DiagnosticReport.id')!.diagnostics, /'bad_id!' is not a valid id/);
});

t.test('dates must exist on the calendar', async (t) => {
  const obs = fixture('observation-variant');
  obs.effectiveDateTime = '2019-02-29';
  const issues = errorsOf(validateResource(obs));
  t.same(summary(issues), ['value Observation.effectiveDateTime']);
  t.match(issues[0]!.diagnostics, /no such day/);
});

t.test('empty strings are refused', async (t) => {
  const obs = fixture('observation-variant');
  obs.component[4].valueString = '';
  const issues = errorsOf(validateResource(obs));
  t.same(summary(issues), ['value Observation.component[4].valueString']);
  t.match(issues[0]!.diagnostics, /empty string/);
});

t.test('a resourceType that does not match the schema of its own type is impossible, unknown types are refused', async (t) => {
  t.same(summary(validateResource({ resourceType: 'Project', name: 'x' })), ['not-supported resourceType']);
  t.same(summary(validateResource({ resourceType: 'SubscriptionStatus' })), ['not-supported resourceType'], 'R4B back-port is not R4');
  t.same(summary(validateResource({ status: 'final' })), ['required resourceType']);
  t.same(summary(validateResource([])), ['structure -']);
  t.same(summary(validateResource('x')), ['structure -']);
});

t.test('Medplum additions to Meta are unknown elements in R4', async (t) => {
  const obs = fixture('observation-variant');
  obs.meta = { project: 'abc' };
  t.same(summary(validateResource(obs)), ['structure Observation.meta.project']);
});

t.test('issues are bounded', async (t) => {
  const obs = fixture('observation-variant');
  for (let i = 0; i < 300; i++) obs[`unknown${i}`] = i;
  const issues = errorsOf(validateResource(obs));
  t.equal(issues.length, 100);
  t.equal(errorsOf(validateResource(obs, { maxIssues: 5 })).length, 5);
});

t.test('a choice element written without its type gets a hint', async (t) => {
  const obs = fixture('observation-variant');
  obs.component[4].value = 'T';
  delete obs.component[4].valueString;
  const issues = errorsOf(validateResource(obs));
  t.same(summary(issues), ['structure Observation.component[4].value']);
  t.match(issues[0]!.diagnostics, /Unknown element 'value' in Observation.component\[4\] \(value\[x\] is written with its type: valueQuantity, valueCodeableConcept, valueString/);
});

t.test("FHIR's regexes mean XML Schema whitespace (space, tab, CR, LF), not every Unicode space", async (t) => {
  // U+00A0, U+2003, U+3000 (ideographic space, common in CJK text), U+FEFF, U+2028 are ordinary characters in FHIR
  for (const ch of ['\u00a0', '\u2003', '\u3000', '\ufeff', '\u2028']) {
    const p = { resourceType: 'Patient', name: [{ text: `A${ch}B` }], gender: 'male' };
    t.same(summary(validateResource(p)), [], `string with U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  t.same(summary(validateResource({ resourceType: 'Observation', status: 'final', code: { text: 'x\u3000y' }, note: [{ text: 'markdown\u00a0here' }] })), [], 'markdown too');
  // code: no leading/trailing and no double whitespace, whatever the kind; a no-break space inside is a character
  const withCode = (code: string) => summary(validateResource({ resourceType: 'Observation', status: 'final', code: { coding: [{ code }] } }));
  t.same(withCode('a b'), []);
  t.same(withCode('a\u00a0b'), [], 'U+00A0 is not whitespace in a code');
  const CODE = ['value Observation.code.coding[0].code'];
  t.same(withCode('a  b'), CODE, 'double space refused');
  t.same(withCode(' a'), CODE, 'leading space refused');
  t.same(withCode(''), CODE, 'empty code refused');
  t.same(summary(validateResource({ resourceType: 'Patient', name: [{ text: '' }] })), ['value Patient.name[0].text'], 'empty string still refused');
  t.same(summary(validateResource({ resourceType: 'Patient', implicitRules: 'http://a b' })), ['value Patient.implicitRules'], 'uri with a space refused');
  t.same(summary(validateResource({ resourceType: 'Patient', implicitRules: 'http://a\u00a0b' })), [], 'U+00A0 is allowed in a uri by the R4 regex');
});

t.test('primitive extensions on canonical elements (the HL7 schema had no _name for them)', async (t) => {
  const ext = { extension: [{ url: 'http://example.org/why', valueString: 'claimed by the lab' }] };
  t.same(summary(validateResource({ resourceType: 'Patient', meta: { profile: ['http://example.org/p'], _profile: [ext] } })), [], 'meta._profile');
  t.same(summary(validateResource({ resourceType: 'Patient', meta: { profile: ['http://example.org/p', 'http://example.org/q'], _profile: [null, ext] } })), [], 'null for the item without one');
  t.same(summary(validateResource({ resourceType: 'Task', status: 'draft', intent: 'order', instantiatesCanonical: 'http://example.org/pd', _instantiatesCanonical: ext })), [], 'a single canonical');
  t.same(summary(validateResource({ resourceType: 'Patient', meta: { profile: ['http://example.org/p'], _profile: [{ foo: 1 }] } })), ['structure Patient.meta._profile[0].foo'], 'its content is still an Element');
});

t.test('contained resources have unique ids', async (t) => {
  const obs = {
    resourceType: 'Observation', status: 'final', code: { text: 'x' }, specimen: { reference: '#s1' },
    contained: [{ resourceType: 'Specimen', id: 's1' }, { resourceType: 'Specimen', id: 's1', note: [{ text: 'another' }] }],
  };
  const issues = errorsOf(validateResource(obs));
  t.same(summary(issues), ['invariant Observation.contained[1].id']);
  t.equal(validationStatus(issues), 422);
  obs.contained[1]!.id = 's2';
  t.same(summary(validateResource(obs)), [], 'distinct ids');
});

t.test('base64Binary: the R4 language, without exponential backtracking on a failing value', async (t) => {
  const photo = (data: string) => summary(validateResource({ resourceType: 'Patient', photo: [{ contentType: 'image/png', data }] }));
  for (const ok of ['AAAA', 'AAAA AAAA', ' AAAA\n', 'AAAA\r\nBBBB\t', 'AA==']) t.same(photo(ok), [], JSON.stringify(ok));
  for (const bad of ['AAA', 'AA AA', 'AAAA!', '****']) t.same(photo(bad), ['value Patient.photo[0].data'], `${JSON.stringify(bad)} refused`);
  // The old pattern backtracked exponentially on a failing value (16 s for 16 groups: 3 ways to
  // split each run of spaces between groups). Scaling is compared, not a time: twice the groups
  // cost about the same here (the validation around it dominates) and 3^6 = 729 times with the old
  // pattern; a bound of 16 times leaves room for a loaded machine.
  const failing = (groups: number) => `${'AAAA  '.repeat(groups)}!`;
  const [small, large] = bestTimes([() => photo(failing(6)), () => photo(failing(12))]);
  t.ok(large < small * 16, `12 groups: ${(large / small).toFixed(1)}x the time of 6`);
  t.same(photo(failing(24)), ['value Patient.photo[0].data'], 'refused');
});

/**
 * The best time of one call of each of `fns` (ms): minimum over interleaved rounds of batches long
 * enough to time, so load on the machine (which only slows calls down) affects both alike.
 */
function bestTimes(fns: Array<() => unknown>, rounds = 7): number[] {
  const runs = fns.map((fn) => {
    const t0 = performance.now();
    fn();
    return Math.max(1, Math.ceil(2 / Math.max(performance.now() - t0, 0.001)));
  });
  const best = fns.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      for (let k = 0; k < runs[i]!; k++) fn();
      best[i] = Math.min(best[i]!, (performance.now() - t0) / runs[i]!);
    });
  }
  return best;
}

t.test('a very large broken resource is reported by its first structural error, quickly', async (t) => {
  const p = { resourceType: 'Patient', name: Array.from({ length: 64_000 }, () => ({ family: 1 })) };
  // Collecting all 64,000 errors took 15 s: ajv's allErrors concatenates each data-type
  // function's errors into its caller's (vErrors.concat), which is quadratic in the errors. The
  // elements concatenated are counted, not timed (a count does not flake on a loaded machine).
  const { result: issues, copied } = concatenated(() => validateResource(p));
  t.ok(copied < 64_000, `${copied} array elements concatenated (all the errors: some 2 billion)`);
  t.same(summary(issues), ['structure Patient.name[0].family']);
  t.match(issues.find((i) => i.severity === 'information')?.diagnostics, /stopped at the first error/);
  t.equal(validationStatus(issues), 400);
  // a small one still gets every error (gathered with concat: the count above sees ajv's work)
  const all = concatenated(() => validateResource({ resourceType: 'Patient', name: Array.from({ length: 50 }, () => ({ family: 1 })) }));
  t.equal(summary(all.result).length, 50);
  t.ok(all.copied >= 50, `${all.copied} elements concatenated for 50 errors`);
});

/** Elements `run` has Array.prototype.concat copy (ajv gathers nested errors with it). */
function concatenated<T>(run: () => T): { result: T; copied: number } {
  const concat = Array.prototype.concat;
  let copied = 0;
  Array.prototype.concat = function (this: unknown[], ...items: unknown[]) {
    const out = concat.apply(this, items) as unknown[];
    copied += out.length;
    return out;
  };
  try {
    return { result: run(), copied };
  } finally {
    Array.prototype.concat = concat;
  }
}
