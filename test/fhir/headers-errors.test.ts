import t from 'tap';
import { send, testApp } from './helpers.js';

t.test('_format and Accept: JSON only; XML answers 406 on reads and 415 with a body', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  for (const f of ['json', 'application/fhir+json', 'application/json']) {
    t.equal((await send(app, 'GET', `/fhir/Patient/p1?_format=${encodeURIComponent(f)}`)).statusCode, 200, `_format=${f}`);
  }
  const xml = await send(app, 'GET', '/fhir/Patient/p1?_format=xml');
  t.equal(xml.statusCode, 406);
  t.equal(xml.json().resourceType, 'OperationOutcome');
  t.match(xml.headers['content-type'], /application\/fhir\+json/);
  t.equal((await send(app, 'GET', '/fhir/Patient/p1?_format=application/fhir%2Bxml')).statusCode, 406);
  t.equal((await send(app, 'GET', '/fhir/Patient/p1', undefined, { accept: 'application/fhir+xml' })).statusCode, 406);
  t.equal((await send(app, 'GET', '/fhir/Patient/p1', undefined, { accept: 'text/html,application/xml;q=0.9,*/*;q=0.8' })).statusCode, 200, 'browsers get JSON');
  t.equal((await send(app, 'POST', '/fhir/Patient?_format=xml', { resourceType: 'Patient' })).statusCode, 415);
  t.equal((await send(app, 'GET', '/fhir/metadata?_format=xml')).statusCode, 406);
});

t.test('_pretty indents, _summary and _elements subset reads (tagged SUBSETTED)', async (t) => {
  const app = await testApp(t);
  const obs = {
    resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'variant' },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
    valueString: 'v', note: [{ text: 'a note' }], subject: { reference: 'Patient/p1' },
  };
  await send(app, 'PUT', '/fhir/Observation/o1', obs);
  const pretty = await send(app, 'GET', '/fhir/Observation/o1?_pretty=true');
  t.match(pretty.body, /\n {2}"resourceType": "Observation"/);
  const plain = await send(app, 'GET', '/fhir/Observation/o1');
  t.notMatch(plain.body, /\n/);

  const summary = (await send(app, 'GET', '/fhir/Observation/o1?_summary=true')).json();
  t.equal(summary.status, 'final');
  t.same(summary.code, obs.code);
  t.equal(summary.valueString, 'v', 'choice elements flagged isSummary are kept');
  t.notOk(summary.note, 'non-summary elements are dropped');
  t.notOk(summary.text);
  t.ok(summary.meta.tag.some((x: { code: string }) => x.code === 'SUBSETTED'));
  t.equal(summary.meta.versionId, '1');

  const text = (await send(app, 'GET', '/fhir/Observation/o1?_summary=text')).json();
  t.ok(text.text);
  t.equal(text.status, 'final', 'mandatory elements are kept');
  t.notOk(text.valueString);
  const data = (await send(app, 'GET', '/fhir/Observation/o1?_summary=data')).json();
  t.notOk(data.text);
  t.equal(data.note[0].text, 'a note');
  const full = (await send(app, 'GET', '/fhir/Observation/o1?_summary=false')).json();
  t.notOk(full.meta.tag, 'no subsetting for _summary=false');
  t.equal((await send(app, 'GET', '/fhir/Observation/o1?_summary=bogus')).statusCode, 400);

  const elements = (await send(app, 'GET', '/fhir/Observation/o1?_elements=note,subject')).json();
  t.same(Object.keys(elements).sort(), ['code', 'id', 'meta', 'note', 'resourceType', 'status', 'subject']);
  const vread = (await send(app, 'GET', '/fhir/Observation/o1/_history/1?_elements=valueString')).json();
  t.equal(vread.valueString, 'v');
  t.notOk(vread.note);
});

t.test('error statuses come as OperationOutcome', async (t) => {
  const app = await testApp(t, { bodyLimit: 2048 });
  const malformed = await send(app, 'POST', '/fhir/Patient', '{"resourceType": "Patient",', {});
  t.equal(malformed.statusCode, 400);
  t.equal(malformed.json().resourceType, 'OperationOutcome');
  const proto = await send(app, 'POST', '/fhir/Patient', '{"resourceType":"Patient","__proto__":{"x":1}}');
  t.equal(proto.statusCode, 400, '__proto__ keys are refused');
  const big = await send(app, 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ text: 'x'.repeat(4096) }] });
  t.equal(big.statusCode, 413);
  t.equal(big.json().issue[0].code, 'too-long');
  const m405 = await send(app, 'DELETE', '/fhir/metadata');
  t.equal(m405.statusCode, 405);
  t.equal(m405.headers.allow, 'GET, HEAD, OPTIONS');
  t.equal((await send(app, 'POST', '/fhir/Patient/p1', { resourceType: 'Patient' })).statusCode, 405, 'POST on an instance');
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1/_history')).statusCode, 405);
  t.equal((await send(app, 'PUT', '/fhir', { resourceType: 'Patient' })).statusCode, 405);
  const opGet = await send(app, 'GET', '/fhir/$import-vcf');
  t.equal(opGet.statusCode, 405, 'GET on an operation that changes state');
  t.equal(opGet.headers.allow, 'POST, OPTIONS', 'its 405 names the method it takes');
  const opPut = await send(app, 'PUT', '/fhir/Patient/p1/$everything');
  t.equal(opPut.statusCode, 405);
  t.equal(opPut.headers.allow, 'GET, HEAD, POST, OPTIONS', 'a read-only operation takes GET (so HEAD) and POST');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1/_history/1/extra')).statusCode, 404, 'unknown path');
  t.equal((await send(app, 'GET', '/fhir/$no-such-op')).statusCode, 404, 'unknown operation');
  t.equal((await send(app, 'GET', '/fhir/lowercase/1')).statusCode, 404, 'not a type name');
});

t.test('unknown resource types answer 404', async (t) => {
  const app = await testApp(t);
  const r = await send(app, 'GET', '/fhir/Patientx/1');
  t.equal(r.statusCode, 404);
  t.equal(r.json().issue[0].code, 'not-supported');
  t.equal((await send(app, 'POST', '/fhir/AccessPolicy', { resourceType: 'AccessPolicy' })).statusCode, 404, 'Medplum-only types are not R4');
  t.equal((await send(app, 'GET', '/fhir/MolecularSequence/x')).statusCode, 404, 'a known type, unknown id: not-found');
  t.equal((await send(app, 'GET', '/fhir/MolecularSequence/x')).json().issue[0].code, 'not-found');
});

t.test('a genomic Observation whose code.coding is an object answers 400 with the element, not 500', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'POST', '/fhir/Observation', {
    resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/p1' },
    code: { coding: { system: 'http://loinc.org', code: '69548-6' } },
  });
  t.equal(res.statusCode, 400);
  const oo = res.json();
  t.equal(oo.resourceType, 'OperationOutcome');
  t.ok(oo.issue.some((i: { expression?: string[] }) => i.expression?.[0] === 'Observation.code.coding'), 'names Observation.code.coding');
});

t.test('a Content-Type on a request without a body (DELETE, GET) is not an empty JSON document', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/d1', { resourceType: 'Patient', id: 'd1' });
  for (const ct of ['application/fhir+json', 'application/json']) {
    t.equal((await app.inject({ method: 'GET', url: '/fhir/Patient/d1', headers: { 'content-type': ct } })).statusCode, 200, `GET with ${ct}`);
  }
  const del = await app.inject({ method: 'DELETE', url: '/fhir/Patient/d1', headers: { 'content-type': 'application/fhir+json' } });
  t.equal(del.statusCode, 204, 'DELETE with a Content-Type and no body');
  const post = await app.inject({ method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json' }, payload: '' });
  t.equal(post.statusCode, 400, 'an empty body where one is expected is still refused');
  t.match(post.json().issue[0].diagnostics, /empty/);
});

t.test("requests Node's HTTP parser refuses still get an OperationOutcome", async (t) => {
  const { connect } = await import('node:net');
  const app = await testApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const raw = (bytes: Buffer) => new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let out = '';
    socket.on('data', (d) => (out += d.toString('utf8')));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
  // a raw (not percent-encoded) Ü in the request target
  const answer = await raw(Buffer.concat([Buffer.from('GET /fhir/Patient?name=M'), Buffer.from([0xc3, 0x9c]), Buffer.from('LLER HTTP/1.1\r\nHost: x\r\n\r\n')]));
  t.match(answer, /^HTTP\/1\.1 400 /);
  t.match(answer, /content-type: application\/fhir\+json/i);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
  t.equal(body.resourceType, 'OperationOutcome');
  t.match(body.issue[0].diagnostics, /percent-encode/);
});

t.test('a JSON body is UTF-8: invalid bytes answer 400 and another declared charset 415, not mojibake', async (t) => {
  const app = await testApp(t);
  const latin1 = Buffer.concat([Buffer.from('{"resourceType":"Patient","name":[{"text":"Jos'), Buffer.from([0xe9]), Buffer.from('"}]}')]);
  const bad = await app.inject({ method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json' }, payload: latin1 });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().resourceType, 'OperationOutcome');
  t.match(bad.json().issue[0].diagnostics, /not valid UTF-8/);
  const patch = await app.inject({ method: 'PATCH', url: '/fhir/Patient/x', headers: { 'content-type': 'application/json-patch+json' }, payload: Buffer.from([0x5b, 0xff, 0x5d]) });
  t.equal(patch.statusCode, 400, 'a JSON Patch body too');
  for (const charset of ['iso-8859-1', 'utf-16', '"windows-1252"']) {
    const res = await send(app, 'POST', '/fhir/Patient', { resourceType: 'Patient' }, { 'content-type': `application/fhir+json; charset=${charset}` });
    t.equal(res.statusCode, 415, charset);
    t.equal(res.json().resourceType, 'OperationOutcome');
  }
  for (const charset of ['utf-8', 'UTF-8', '"utf-8"', 'utf8']) {
    t.equal((await send(app, 'POST', '/fhir/Patient', { resourceType: 'Patient' }, { 'content-type': `application/json; charset=${charset}` })).statusCode, 201, charset);
  }
  const ok = await send(app, 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ text: 'José 山田 🧬' }] });
  t.equal(ok.statusCode, 201);
  t.equal(ok.json().name[0].text, 'José 山田 🧬', 'valid multi-byte UTF-8 round-trips');
  t.equal((await send(app, 'GET', '/fhir/Patient?name=Jos%C3%A9')).json().total, 1);
});

t.test('URLs Fastify refuses while routing still get an OperationOutcome', async (t) => {
  const app = await testApp(t);
  for (const url of ['/fhir/Patient/%E0%A4%A', '/fhir/Patient/%ZZ', '/%E0%A4%A']) {
    const res = await send(app, 'GET', url);
    t.equal(res.statusCode, 400, url);
    t.match(res.headers['content-type'], /^application\/fhir\+json/, url);
    t.equal(res.json().resourceType, 'OperationOutcome', url);
    t.match(res.json().issue[0].diagnostics, /not validly percent-encoded/, url);
    t.notMatch(res.body, /FST_ERR/, 'no framework code leaks');
  }
  const long = await send(app, 'GET', `/fhir/Patient/${'a'.repeat(600)}`);
  t.not(long.statusCode, 200);
  t.equal(long.json().resourceType, 'OperationOutcome', `an over-long segment (${long.statusCode})`);
  t.equal((await send(app, 'GET', '/fhir/Patient/%61bc')).statusCode, 404, 'a valid escape still routes');
});

t.test('fhirVersion: another FHIR version answers 415 in Content-Type, 406 in Accept or _format; responses say 4.0', async (t) => {
  const app = await testApp(t);
  const p = { resourceType: 'Patient' };
  for (const v of ['3.0', '5.0', '4.3', '"3.0"']) {
    const res = await send(app, 'POST', '/fhir/Patient', p, { 'content-type': `application/fhir+json; fhirVersion=${v}` });
    t.equal(res.statusCode, 415, `Content-Type fhirVersion=${v}`);
    t.match(res.json().issue[0].diagnostics, /fhirVersion/);
    const acc = await send(app, 'GET', '/fhir/metadata', undefined, { accept: `application/fhir+json; fhirVersion=${v}` });
    t.equal(acc.statusCode, 406, `Accept fhirVersion=${v}`);
    t.equal(acc.json().resourceType, 'OperationOutcome');
  }
  const patchBody = JSON.stringify([{ op: 'add', path: '/active', value: true }]);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  t.equal((await app.inject({ method: 'PATCH', url: '/fhir/Patient/p1', headers: { 'content-type': 'application/json-patch+json; fhirVersion=3.0' }, payload: patchBody })).statusCode, 415, 'a patch body too');
  t.equal((await send(app, 'GET', '/fhir/metadata?_format=application/fhir%2Bjson;fhirVersion=3.0')).statusCode, 406, '_format');
  for (const v of ['4.0', '4.0.1', 'fhirversion=4.0']) {
    const header = v.includes('=') ? `application/fhir+json; ${v}` : `application/fhir+json; fhirVersion=${v}`;
    t.equal((await send(app, 'POST', '/fhir/Patient', p, { 'content-type': header })).statusCode, 201, `Content-Type ${header}`);
    t.equal((await send(app, 'GET', '/fhir/Patient/p1', undefined, { accept: header })).statusCode, 200, `Accept ${header}`);
  }
  t.equal((await send(app, 'GET', '/fhir/Patient/p1', undefined, { accept: 'application/fhir+json; fhirVersion=3.0, application/fhir+json; fhirVersion=4.0' })).statusCode, 200, 'one acceptable range is enough');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1', undefined, { accept: 'application/fhir+json; fhirVersion=3.0, */*;q=0.1' })).statusCode, 200, 'a wildcard accepts R4');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1', undefined, { accept: 'application/fhir+json;q=0, application/fhir+xml' })).statusCode, 406, 'q=0 refuses a range');
  const read = await send(app, 'GET', '/fhir/Patient/p1');
  t.equal(read.headers['content-type'], 'application/fhir+json; fhirVersion=4.0; charset=utf-8', 'responses carry fhirVersion');
  t.equal((await send(app, 'GET', '/fhir/Patient/none')).headers['content-type'], 'application/fhir+json; fhirVersion=4.0; charset=utf-8', 'errors too');
});

t.test('Content-Encoding on a request body: the server decodes none for FHIR JSON, so any coding answers 415', async (t) => {
  const { gzipSync } = await import('node:zlib');
  const app = await testApp(t);
  const body = JSON.stringify({ resourceType: 'Patient' });
  for (const enc of ['br', 'gzip', 'deflate', 'zstd', 'gzip, identity']) {
    const res = await app.inject({ method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json', 'content-encoding': enc }, payload: enc.startsWith('gzip') ? gzipSync(body) : body });
    t.equal(res.statusCode, 415, enc);
    t.equal(res.json().resourceType, 'OperationOutcome', enc);
    t.match(res.json().issue[0].diagnostics, /Content-Encoding/, enc);
  }
  const form = await app.inject({ method: 'POST', url: '/fhir/Patient/_search', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'br' }, payload: 'gender=male' });
  t.equal(form.statusCode, 415, 'a form body too');
  t.equal((await app.inject({ method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json', 'content-encoding': 'identity' }, payload: body })).statusCode, 201, 'identity is no coding');
  t.equal((await app.inject({ method: 'POST', url: '/fhir/Patient/_search', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'gender=male' })).statusCode, 200);
});

t.test('a POST to an operation with a JSON Content-Type and no body is an invocation without parameters', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/e1', { resourceType: 'Patient', id: 'e1' });
  const post = (url: string) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/fhir+json' }, payload: '' });
  const everything = await post('/fhir/Patient/e1/$everything');
  t.equal(everything.statusCode, 200, '$everything (as clients that send their Content-Type on every request call it)');
  t.equal(everything.json().entry[0].resource.id, 'e1');
  const validate = await post('/fhir/Patient/e1/$validate?mode=delete');
  t.equal(validate.statusCode, 200, '$validate?mode=delete needs no resource');
  const find = await post('/fhir/$find-subject-variants?subject=Patient/e1');
  t.equal(find.statusCode, 400, 'an operation that needs parameters says which one');
  t.same(find.json().issue[0].expression, ['ranges']);
  const vcf = await post('/fhir/$import-vcf?patient=e1');
  t.equal(vcf.statusCode, 400, '$import-vcf: no VCF (not a media type problem)');
  t.match(vcf.json().issue[0].diagnostics, /empty/);
  t.equal((await post('/fhir/Patient')).statusCode, 400, 'a create still needs its resource');
});

t.test('a body that does not parse is told apart from one with a refused key, in the words of the parser', async (t) => {
  const app = await testApp(t);
  const malformed = await send(app, 'POST', '/fhir/Patient', '{"resourceType": "Patient",}');
  t.equal(malformed.statusCode, 400);
  const said = malformed.json().issue[0].diagnostics as string;
  t.match(said, /^Malformed JSON: /);
  t.notMatch(said, /content-type is set to 'application\/json'/, 'the body was application/fhir+json: the media type is not the problem');
  t.match(said, /position|column|Unexpected|Expected/, `names where it broke: ${said}`);
  const proto = await send(app, 'POST', '/fhir/Patient', '{"resourceType":"Patient","__proto__":{"x":1}}');
  t.equal(proto.statusCode, 400);
  t.match(proto.json().issue[0].diagnostics, /__proto__/, 'a forbidden key is named as such, not as malformed JSON');
  const ctor = await send(app, 'POST', '/fhir/Patient', '{"resourceType":"Patient","constructor":{"prototype":{"x":1}}}');
  t.equal(ctor.statusCode, 400);
  t.match(ctor.json().issue[0].diagnostics, /constructor/);
});
