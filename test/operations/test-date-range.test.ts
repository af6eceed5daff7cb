import t from 'tap';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { opGet, opPost, put } from './helpers.js';

/** `testDateRange`: dates are read as search reads them (search/normalize.ts). */
t.test('impossible dates in testDateRange answer 400 naming it', async (t) => {
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'p' });
  for (const op of ['find-study-metadata', 'find-subject-variants']) {
    const extra: Record<string, string> = op === 'find-subject-variants' ? { ranges: 'NC_000009.12:1-2' } : {};
    for (const bad of ['ge2025-13-45', 'ge2025-02-30', 'lt2025-04-31', 'eq2025-00', 'ge2025-03-14T25:00:00Z']) {
      const res = await opGet(app, op, { subject: 'p', testDateRange: bad, ...extra });
      t.equal(res.statusCode, 400, `${op} ${bad}: ${res.body.slice(0, 200)}`);
      t.same((res.json() as OperationOutcome).issue?.[0]?.expression, ['testDateRange']);
    }
    t.equal((await opGet(app, op, { subject: 'p', testDateRange: 'ge2024-02-29', ...extra })).statusCode, 200, 'a leap day is a day');
    for (const start of ['2025-13-45', '2025-02-30']) {
      const res = await opPost(app, op, [
        { name: 'subject', valueString: 'Patient/p' }, { name: 'testDateRange', valuePeriod: { start } },
        ...(op === 'find-subject-variants' ? [{ name: 'ranges', valueString: 'NC_000009.12:1-2' }] : []),
      ]);
      t.equal(res.statusCode, 400, `${op} POST start ${start}: ${res.body.slice(0, 200)}`);
      t.same((res.json() as OperationOutcome).issue?.[0]?.expression, ['testDateRange']);
    }
  }
});

t.test('a date-only report date is the whole day, compared as search compares dates', async (t) => {
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'p' });
  const report = (id: string, date: { effectiveDateTime?: string; issued?: string }) => ({
    resourceType: 'DiagnosticReport' as const, id, status: 'final' as const, code: { text: 'genomic report' },
    subject: { reference: 'Patient/p' }, identifier: [{ value: id }], ...date,
  });
  await put(app, report('day', { effectiveDateTime: '2025-03-14' }));
  await put(app, report('issued-only', { issued: '2025-06-01T08:00:00Z' }));
  const tests = async (range: string | string[]) => {
    const res = await opGet(app, 'find-study-metadata', { subject: 'p', testDateRange: range });
    t.equal(res.statusCode, 200, res.body);
    return (res.json() as { parameter?: Array<{ part?: Array<{ name: string; valueString?: string }> }> }).parameter
      ?.flatMap((g) => g.part ?? []).filter((p) => p.name === 'testId').map((p) => p.valueString).sort() ?? [];
  };
  t.same(await tests('ge2025-03-14T12:00:00Z'), ['day', 'issued-only'], 'ge noon: the day reaches past noon');
  t.same(await tests('lt2025-03-14T12:00:00Z'), ['day'], 'lt noon: the day starts before noon');
  t.same(await tests('eq2025-03'), ['day'], 'the day is inside March');
  t.same(await tests('eq2025-03-14T12:00:00Z'), [], 'a day is not inside one second');
  t.same(await tests('ge2025-03-15'), ['issued-only']);
  t.same(await tests('lt2025-03-14'), []);
  t.same(await tests('le2025-03-14'), ['day']);
  t.same(await tests(['ge2025-05-01', 'lt2025-07']), ['issued-only'], 'issued when there is no effective date');
  const post = await opPost(app, 'find-study-metadata', [{ name: 'subject', valueString: 'Patient/p' }, { name: 'testDateRange', valuePeriod: { start: '2025-03-14T12:00:00Z', end: '2025-03-14T13:00:00Z' } }]);
  t.equal(post.statusCode, 200, post.body);
  t.ok(post.body.includes('"day"'), 'a Period (ge start, le end) holds a report of the day it falls on');
});
