import t from 'tap';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * Randomized compartment check through the HTTP API: many patients, resources of several types,
 * cross-patient references planted as bait (reports listing other patients' results,
 * observations focusing on other patients' observations); random patient tokens then read,
 * search, include, revinclude and run compartment searches. Every resource that comes back must
 * belong to the token's patient (zero leaks), and every own resource must be reachable.
 */
let seed = 6_2026;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);

t.test('randomized patient compartments over HTTP: zero leaks', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  const PATIENTS = 30;
  const owner = new Map<string, string>();
  const entry: object[] = [];
  const add = (resource: { resourceType: string; id: string }, patient: string) => {
    owner.set(`${resource.resourceType}/${resource.id}`, patient);
    entry.push({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });
  };
  const observations: string[][] = [];
  for (let p = 0; p < PATIENTS; p++) {
    const pid = `rp${p}`;
    add({ resourceType: 'Patient', id: pid, name: [{ family: `Fam${p}` }] } as never, pid);
    add({ resourceType: 'Specimen', id: `sp${p}`, subject: { reference: `Patient/${pid}` } } as never, pid);
    observations[p] = [];
    for (let k = 0; k < 3; k++) observations[p].push(`o${p}-${k}`);
  }
  for (let p = 0; p < PATIENTS; p++) {
    const pid = `rp${p}`;
    for (const id of observations[p]) {
      const other = rnd(PATIENTS);
      add({
        resourceType: 'Observation', id, status: 'final', code: { text: 'v' }, subject: { reference: `Patient/${pid}` },
        specimen: { reference: `Specimen/sp${p}` },
        // bait: focus on another patient's observation
        focus: [{ reference: `Observation/${observations[other][rnd(3)]}` }],
      } as never, pid);
    }
    const bait = observations[rnd(PATIENTS)][rnd(3)];
    add({
      resourceType: 'DiagnosticReport', id: `dr${p}`, status: 'final', code: { text: 'r' }, subject: { reference: `Patient/${pid}` },
      result: [...observations[p].map((o) => ({ reference: `Observation/${o}` })), { reference: `Observation/${bait}` }],
      specimen: [{ reference: `Specimen/sp${rnd(PATIENTS)}` }],
    } as never, pid);
  }
  const load = await app.inject({ method: 'POST', url: '/fhir', headers: { ...bearer(admin), ...FHIR_JSON }, payload: { resourceType: 'Bundle', type: 'transaction', entry } });
  t.equal(load.statusCode, 200, 'data loaded');

  const queries = [
    'Observation?_count=1000',
    'DiagnosticReport?_include=DiagnosticReport:result&_include=DiagnosticReport:specimen&_count=1000',
    'Observation?_include=Observation:focus&_revinclude=Observation:focus&_count=1000',
    'Specimen?_revinclude=Observation:specimen&_revinclude=DiagnosticReport:specimen&_count=1000',
    'Patient?_revinclude=Observation:subject&_revinclude=DiagnosticReport:subject&_count=1000',
    'DiagnosticReport?_include=DiagnosticReport:result&_include:iterate=Observation:focus&_count=1000',
    'Observation?subject.family=Fam1&_count=1000',
    'Observation?specimen.subject.family=Fam2&_count=1000',
  ];
  let leaks = 0;
  let checked = 0;
  const leaked: string[] = [];
  for (let k = 0; k < 8; k++) {
    const p = rnd(PATIENTS);
    const pid = `rp${p}`;
    const token = await serverToken(app, ['patient/*.rs'], { patient: pid });
    const seen = new Set<string>();
    for (const q of [...queries, `Patient/${pid}/Observation`, `Patient/${pid}/DiagnosticReport?_include=DiagnosticReport:result`]) {
      const res = await app.inject({ url: `/fhir/${q}`, headers: bearer(token) });
      if (res.statusCode !== 200) {
        t.fail(`${q}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        continue;
      }
      for (const e of res.json().entry ?? []) {
        if (e.resource.resourceType === 'OperationOutcome') continue;
        const key = `${e.resource.resourceType}/${e.resource.id}`;
        checked++;
        seen.add(key);
        if (owner.get(key) !== pid) {
          leaks++;
          leaked.push(`${pid} got ${key} via ${q}`);
        }
      }
    }
    // Reads of random resources: own ones answer 200, others 404.
    const keys = [...owner.keys()];
    for (let r = 0; r < 20; r++) {
      const key = keys[rnd(keys.length)];
      const res = await app.inject({ url: `/fhir/${key}`, headers: bearer(token) });
      const mine = owner.get(key) === pid;
      if (res.statusCode !== (mine ? 200 : 404)) {
        leaks++;
        leaked.push(`${pid} read ${key}: ${res.statusCode}`);
      }
    }
    const own = [...owner.entries()].filter(([, o]) => o === pid).map(([k]) => k);
    t.same(own.filter((k) => !seen.has(k)), [], `${pid}: every own resource is reachable by search`);
  }
  t.ok(checked > 100, `checked ${checked} returned resources`);
  t.equal(leaks, 0, 'zero leaks');
  if (leaked.length) t.comment(leaked.slice(0, 10).join('\n'));
});
