import t from 'tap';
import type { Observation, OperationOutcome, Parameters } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { conformanceProblems, example, examplesSkip, groups, loadBundle, opGet, opPost, partValue, resourcesNamed } from './helpers.js';

/**
 * $find-subject-variants, -specific-variants and the structural operations over the IG's
 * example Bundles: the cgexample report (ExamplePatient, GRCh37 chr3 variant given as g.HGVS,
 * a structural variant with inner/outer extents on NG_017064.1) and the CYP2C19 Bundle (74 GRCh37
 * variants on NC_000010.10, 1-based coordinates, one sequence-phase relationship).
 */
t.test('subject variant operations on the IG examples', { skip: examplesSkip }, async (t) => {
  const app = await testApp(t);
  await loadBundle(app, example('bundle-cgexample'));
  const ids = await loadBundle(app, example('bundle-CYP2C19'));
  const cypPatient = ids.get('urn:uuid:19ac0aeb-6bd4-4e92-a891-d44a807bfeac')!;
  t.match(cypPatient, /^Patient\//);

  t.test('ranges: presence, absence, variants only when asked', async (t) => {
    // discrete-variant: NC_000003.11:g.128625063C>T -> 0-based position 128625062
    const res = await opGet(app, 'find-subject-variants', { subject: 'Patient/ExamplePatient', ranges: ['NC_000003.11:128625000-128625100', 'NC_000003.11:128625063-128626000'] });
    t.equal(res.statusCode, 200, res.body);
    const body = res.json() as Parameters;
    t.same(conformanceProblems('find-subject-variants', body), []);
    const [hit, miss] = groups(body, 'variants');
    t.equal(partValue(hit, 'rangeItem'), 'NC_000003.11:128625000-128625100');
    t.equal(partValue(hit, 'presence'), true);
    t.equal(resourcesNamed(hit, 'variant').length, 0, 'no variants unless includeVariants');
    t.equal(partValue(miss, 'presence'), false, 'half-open: a range starting after the base does not contain it');

    const withVariants = (await opGet(app, 'find-subject-variants', { subject: 'ExamplePatient', ranges: 'NC_000003.11:128625062-128625063', includeVariants: 'true' })).json() as Parameters;
    t.same(resourcesNamed(groups(withVariants, 'variants')[0], 'variant').map((r) => r.id), ['discrete-variant']);
  });

  t.test('1-based data (CYP2C19) with phasing over POST', async (t) => {
    // first variant of the Bundle: NC_000010.10 position 96448129 (1-based) A>G -> 0-based 96448128
    const res = await opPost(app, 'find-subject-variants', [
      { name: 'subject', valueString: cypPatient },
      { name: 'ranges', valueString: 'NC_000010.10:96448128-96448129' },
      { name: 'ranges', valueString: 'NC_000010.10:96400000-96700000' },
      { name: 'includePhasing', valueBoolean: true },
    ]);
    t.equal(res.statusCode, 200, res.body);
    const body = res.json() as Parameters;
    t.same(conformanceProblems('find-subject-variants', body), []);
    const [one, wide] = groups(body, 'variants');
    t.same(resourcesNamed(one, 'variant').map((r) => `Observation/${r.id}`), [ids.get('urn:uuid:19ac0aeb-6bd4-4e92-a891-d44a807bfe01')]);
    t.ok(resourcesNamed(wide, 'variant').length > 10, 'the wide range holds many of the CYP2C19 variants');
    const phase = resourcesNamed(wide, 'sequencePhaseRelationship') as Observation[];
    t.equal(phase.length, 1, 'the cis relationship between two returned variants');
    t.equal(resourcesNamed(one, 'sequencePhaseRelationship').length, 0, 'not when only one end is returned');
  });

  t.test('phasing: a relationship whose variants fall in two ranges of the request', async (t) => {
    // the cis relationship (…bfe75) joins …bfe60 (1-based 96527334) and …bfe01 of the second
    // series (96527722): each in its own range, both returned, so the relationship is "between
    // returned variants" and is answered in each range group holding one of its ends
    const phaseId = ids.get('urn:uuid:19ac0aeb-6bd4-4e92-a891-d44a807bfe75');
    const body = (await opGet(app, 'find-subject-variants', {
      subject: cypPatient, ranges: ['NC_000010.10:96527333-96527334', 'NC_000010.10:96527721-96527722', 'NC_000010.10:96527721-96527722'], includePhasing: 'true',
    })).json() as Parameters;
    t.same(conformanceProblems('find-subject-variants', body), []);
    const [a, b, again] = groups(body, 'variants');
    t.same(resourcesNamed(a, 'variant').map((r) => `Observation/${r.id}`), [ids.get('urn:uuid:19ac0aeb-6bd4-4e92-a891-d44a807bfe60')]);
    t.same(resourcesNamed(b, 'variant').map((r) => `Observation/${r.id}`), [ids.get('urn:uuid:20ac0aeb-6bd4-4e92-a891-d44a807bfe01')]);
    for (const [name, g] of [['first range', a], ['second range', b], ['the same range asked again', again]] as const) {
      t.same(resourcesNamed(g, 'sequencePhaseRelationship').map((r) => `Observation/${r.id}`), [phaseId], name);
    }
    // with only one end asked, the relationship is not between returned variants
    const single = (await opGet(app, 'find-subject-variants', { subject: cypPatient, ranges: 'NC_000010.10:96527333-96527334', includePhasing: 'true' })).json() as Parameters;
    t.same(resourcesNamed(groups(single, 'variants')[0], 'sequencePhaseRelationship'), []);
  });

  t.test('specific variants: SPDI and HGVS forms of the same change, transcript HGVS by text', async (t) => {
    const res = await opGet(app, 'find-subject-specific-variants', {
      subject: 'Patient/ExamplePatient',
      variants: ['NC_000003.11:128625062:C:T', 'NC_000003.11:g.128625063C>T', 'NM_014049.4:c.1249C>T', 'NC_000003.11:128625062:C:G', 'NM_000038.6:c.55G>T'],
    });
    t.equal(res.statusCode, 200, res.body);
    const body = res.json() as Parameters;
    t.same(conformanceProblems('find-subject-specific-variants', body), []);
    t.same(groups(body, 'variants').map((g) => partValue(g, 'presence')), [true, true, true, false, false]);
    t.same(resourcesNamed(groups(body, 'variants')[0], 'variant').map((r) => r.id), ['discrete-variant']);
    // CYP2C19: stored as 1-based 96448129 A>G; asked as SPDI with a VCF-style anchor base
    const cyp = (await opGet(app, 'find-subject-specific-variants', { subject: cypPatient, variants: ['NC_000010.10:96448127:TA:TG', 'NC_000010.10:g.96448129A>G'] })).json() as Parameters;
    t.same(groups(cyp, 'variants').map((g) => partValue(g, 'presence')), [true, true]);
  });

  t.test('assembly mismatch is a warning, never a silent miss', async (t) => {
    // GRCh38 accession of chromosome 10 (NC_000010.11); the data is on GRCh37 (NC_000010.10)
    const body = (await opGet(app, 'find-subject-variants', { subject: cypPatient, ranges: 'NC_000010.11:96400000-96700000' })).json() as Parameters;
    t.equal(partValue(groups(body, 'variants')[0], 'presence'), false);
    const outcome = body.parameter?.find((p) => p.name === 'outcome')?.resource as OperationOutcome;
    t.equal(outcome?.issue?.[0]?.severity, 'warning');
    t.match(outcome.issue![0].diagnostics!, /GRCh37/);
    t.same(conformanceProblems('find-subject-variants', body), []);
  });

  t.test('structural: intersecting vs subsuming on inner/outer extents', async (t) => {
    // discrete-variant also carries outer 13200589-15592000 and inner 14184616-15581544 on NG_017064.1
    const q = { subject: 'Patient/ExamplePatient', ranges: ['NG_017064.1:13200000-13300000', 'NG_017064.1:14200000-14300000'], includeVariants: 'true' };
    const inter = (await opGet(app, 'find-subject-structural-intersecting-variants', q)).json() as Parameters;
    t.same(conformanceProblems('find-subject-structural-intersecting-variants', inter), []);
    t.same(groups(inter, 'variants').map((g) => partValue(g, 'presence')), [true, true]);
    const sub = (await opGet(app, 'find-subject-structural-subsuming-variants', q)).json() as Parameters;
    t.same(conformanceProblems('find-subject-structural-subsuming-variants', sub), []);
    t.same(groups(sub, 'variants').map((g) => partValue(g, 'presence')), [false, true], 'only the range inside the inner extent is subsumed');
  });

  t.test('errors name the parameter', async (t) => {
    const cases: Array<[Record<string, string | string[]>, string, number]> = [
      [{ ranges: 'NC_000003.11:1-2' }, 'subject', 400],
      [{ subject: 'Patient/ExamplePatient' }, 'ranges', 400],
      [{ subject: 'Patient/ExamplePatient', ranges: 'chr3:1-2' }, 'ranges', 400],
      [{ subject: 'Patient/ExamplePatient', ranges: 'NC_000003.11:20-10' }, 'ranges', 400],
      [{ subject: 'Patient/nobody', ranges: 'NC_000003.11:1-2' }, 'subject', 404],
      [{ subject: 'Patient/ExamplePatient', ranges: 'NC_000003.11:1-2', colour: 'red' }, 'colour', 400],
      [{ subject: 'Patient/ExamplePatient', ranges: 'NC_000003.11:1-2', includeVariants: 'maybe' }, 'includeVariants', 400],
      [{ subject: ['Patient/ExamplePatient', 'Patient/x'], ranges: 'NC_000003.11:1-2' }, 'subject', 400],
    ];
    for (const [q, param, status] of cases) {
      const res = await opGet(app, 'find-subject-variants', q);
      t.equal(res.statusCode, status, `${JSON.stringify(q)} -> ${res.body}`);
      t.same((res.json() as OperationOutcome).issue?.[0]?.expression, [param]);
    }
    const bad = await opGet(app, 'find-subject-specific-variants', { subject: 'Patient/ExamplePatient', variants: 'NC_000003.11:g.12x' });
    t.equal(bad.statusCode, 400);
    t.same((bad.json() as OperationOutcome).issue?.[0]?.expression, ['variants']);
  });
});

t.test('answered Variants are in 0-based interval counting, as the definitions require, whatever they were stored in', { skip: examplesSkip }, async (t) => {
  // The `variant` outputs "must … minimally include … component:coordinate-system (valued with
  // '0-based interval counting')". The CYP2C19 Bundle is 1-based character counting
  // ({low: 96448129} over REF A is 0-based [96448128, 96448129)), and so is ExampleGermlineDEL
  // (inner start-end 756295..756329, 1-based inclusive, is [756294, 756329)).
  const app = await testApp(t);
  const ids = await loadBundle(app, example('bundle-CYP2C19'));
  const patient = ids.get('urn:uuid:19ac0aeb-6bd4-4e92-a891-d44a807bfeac')!;
  const variantId = ids.get('urn:uuid:19ac0aeb-6bd4-4e92-a891-d44a807bfe01')!.split('/')[1];
  const del = example<Observation>('Observation-ExampleGermlineDEL');
  const put = await app.inject({ method: 'PUT', url: `/fhir/Observation/${del.id}`, headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(del) });
  t.ok(put.statusCode < 300, put.body.slice(0, 300));
  const loinc = (o: Observation, code: string) => o.component?.find((c) => c.code?.coding?.some((x) => x.code === code));
  const located = (o: Observation, code: string) => [loinc(o, code)?.valueRange?.low?.value, loinc(o, code)?.valueRange?.high?.value];
  const system = (o: Observation) => loinc(o, '92822-6')?.valueCodeableConcept?.coding?.[0]?.code;

  const range = (await opGet(app, 'find-subject-variants', { subject: patient, ranges: 'NC_000010.10:96448128-96448129', includeVariants: 'true' })).json() as Parameters;
  const specific = (await opGet(app, 'find-subject-specific-variants', { subject: patient, variants: 'NC_000010.10:96448128:A:G' })).json() as Parameters;
  for (const [op, body] of [['find-subject-variants', range], ['find-subject-specific-variants', specific]] as const) {
    const [v] = resourcesNamed(groups(body, 'variants')[0], 'variant') as Observation[];
    t.equal(v?.id, variantId, op);
    t.equal(system(v), 'LA30100-4', `${op}: 0-based interval counting`);
    t.same(located(v, '81254-5'), [96448128, 96448129], `${op}: its exact-start-end in it`);
    t.same(conformanceProblems(op, body), []);
  }
  const sv = (await opGet(app, 'find-subject-structural-subsuming-variants', { subject: 'CGPatientExample01', ranges: 'NC_000001.10:756294-756329', includeVariants: 'true' })).json() as Parameters;
  const [d] = resourcesNamed(groups(sv, 'variants')[0], 'variant') as Observation[];
  t.equal(d?.id, del.id, 'the 1-based structural deletion subsumes its own inner range');
  t.equal(system(d), 'LA30100-4');
  t.same(located(d, '81302-2'), [756294, 756329]);
  const stored = (await app.inject(`/fhir/Observation/${variantId}`)).json() as Observation;
  t.equal(system(stored), 'LA30102-0', 'the stored Variant is unchanged');
  t.same(located(stored, '81254-5'), [96448129, undefined]);
});
