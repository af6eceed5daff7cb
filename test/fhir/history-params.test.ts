import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * History parameters (https://hl7.org/fhir/R4/http.html#history: `_count`, `_since`, `_at`,
 * `_list`). Found by black-box testing: `_list` and `_type` were ignored, answering every
 * version where the client asked for a list's resources or for other types (`/fhir/_history?_type=Observation`
 * answered Patients), and under `Prefer: handling=strict` an unknown parameter was ignored too.
 */
t.test('history: unsupported parameters answer 400, unknown ones 400 only under handling=strict', async (t) => {
  const app = await testApp(t);
  for (const active of [true, false]) t.equal((await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', active })).statusCode < 300, true);
  for (const base of ['/fhir/Patient/p1/_history', '/fhir/Patient/_history', '/fhir/_history']) {
    for (const q of ['_list=l1', '_type=Observation', '_at=2024']) {
      const res = await send(app, 'GET', `${base}?${q}`);
      t.equal(res.statusCode, 400, `${base}?${q}: ${res.statusCode}`);
      t.equal(res.json().resourceType, 'OperationOutcome');
      t.match(res.json().issue[0].diagnostics, q.split('=')[0], 'naming the parameter');
    }
    const lenient = await send(app, 'GET', `${base}?foo=bar&_count=1`);
    t.equal(lenient.statusCode, 200, `${base}: an unknown parameter is ignored by default`);
    t.equal(lenient.json().entry.length, 1, '_count still applies');
    const strict = await send(app, 'GET', `${base}?foo=bar`, undefined, { prefer: 'handling=strict' });
    t.equal(strict.statusCode, 400, `${base}: handling=strict refuses an unknown parameter`);
    t.match(strict.json().issue[0].diagnostics, /foo/);
    const known = await send(app, 'GET', `${base}?_since=2020-01-01&_count=5&_total=accurate&_format=json&_pretty=true`, undefined, { prefer: 'handling=strict' });
    t.equal(known.statusCode, 200, `${base}: the parameters history reads pass under handling=strict (${known.body.slice(0, 160)})`);
    const next = await send(app, 'GET', `${base}?_count=1`);
    const nextUrl = next.json().link.find((l: { relation: string }) => l.relation === 'next')?.url as string;
    t.ok(nextUrl, 'a next link');
    const page2 = await send(app, 'GET', nextUrl.replace('http://localhost', ''), undefined, { prefer: 'handling=strict' });
    t.equal(page2.statusCode, 200, `${base}: its next link passes under handling=strict`);
  }
});
