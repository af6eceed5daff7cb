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
