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
  // One search per type and parameter takes all its listed values at once: under handling=strict
  // any value it would not take refuses the whole search, and only then is each value tried alone
  // to name it (one search per value was 13,553 searches: 20 s of this file's 21).
  let failures = 0;
  let checked = 0;
  const accepted = async (type: string, key: string, values: readonly string[]) => {
    const q = values.map((v) => `${key}=${encodeURIComponent(v)}`).join('&');
    return send(app, 'GET', `/fhir/${type}?${q}`, undefined, { prefer: 'handling=strict' });
  };
  for (const r of resources) {
    for (const [key, values] of [['_include', r.searchInclude ?? []], ['_revinclude', r.searchRevInclude ?? []]] as const) {
      if (!values.length) continue;
      checked += values.length;
      if ((await accepted(r.type, key, values)).statusCode === 200) continue;
      for (const v of values) {
        const res = await accepted(r.type, key, [v]);
        if (res.statusCode !== 200 && failures++ < 10) t.fail(`${r.type}?${key}=${v}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
      if (!failures) t.fail(`${r.type}: its ${key} values are each accepted but refused together`);
    }
  }
  t.ok(checked > 1000, `values checked: ${checked}`);
  t.equal(failures, 0, 'every listed value accepted');
});
