import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * CapabilityStatement.rest.resource.searchInclude / searchRevInclude: `_include` and
 * `_revinclude` work (includes.ts) but the statement named none, so a client reading it could not
 * know. Every value listed must be one a search of that type takes, strictly (a value that could
 * include nothing is refused under `handling=strict`, so a wrongly listed one fails here).
 */
t.test('every searchInclude and searchRevInclude listed is accepted by a search of that type', async (t) => {
  const app = await testApp(t);
  const resources = (await send(app, 'GET', '/fhir/metadata')).json().rest[0].resource as Array<{ type: string; searchInclude?: string[]; searchRevInclude?: string[] }>;
  const byType = new Map(resources.map((r) => [r.type, r]));
  const obs = byType.get('Observation');
  t.ok(obs?.searchInclude?.includes('Observation:subject'), 'Observation lists its subject include');
  t.ok(obs?.searchInclude?.includes('*'), 'and *');
  t.ok(byType.get('Patient')?.searchRevInclude?.includes('Observation:subject'), 'Patient lists the Observation:subject revinclude');
  t.notOk(byType.get('Patient')?.searchInclude?.includes('Observation:subject'), 'an include of another type is not listed');
  t.notOk(byType.get('Practitioner')?.searchRevInclude?.includes('Observation:subject'), 'a reference that cannot point at the type is not a revinclude of it');
  let failures = 0;
  let checked = 0;
  for (const r of resources) {
    for (const [key, values] of [['_include', r.searchInclude ?? []], ['_revinclude', r.searchRevInclude ?? []]] as const) {
      for (const v of values) {
        checked++;
        const res = await send(app, 'GET', `/fhir/${r.type}?${key}=${encodeURIComponent(v)}`, undefined, { prefer: 'handling=strict' });
        if (res.statusCode !== 200 && failures++ < 10) t.fail(`${r.type}?${key}=${v}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
  }
  t.ok(checked > 1000, `values checked: ${checked}`);
  t.equal(failures, 0, 'every listed value accepted');
});
