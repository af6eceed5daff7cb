import t from 'tap';
import type { OperationHandler } from '../../src/fhir/context.js';
import { operationHandlers } from '../../src/fhir/operations/index.js';
import { RESOURCE_TYPES } from '../../src/validation/resource-types.js';
import { send, testApp } from './helpers.js';

/** Registers test operations in the real registry for the duration of a test. */
function register(t: { teardown(fn: () => void): void }, ...handlers: OperationHandler[]): void {
  operationHandlers.push(...handlers);
  t.teardown(() => {
    for (const h of handlers) operationHandlers.splice(operationHandlers.indexOf(h), 1);
  });
}

const echo = (name: string, levels: OperationHandler['levels'], affectsState: boolean, resourceTypes?: string[]): OperationHandler => ({
  name, levels, affectsState, resourceTypes, definition: `http://example.org/OperationDefinition/${name}`,
  async handle(req) {
    return {
      status: 200,
      body: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'method', valueString: req.method },
          { name: 'level', valueString: req.id ? 'instance' : req.resourceType ? 'type' : 'system' },
          { name: 'target', valueString: `${req.resourceType ?? ''}/${req.id ?? ''}` },
          { name: 'query', valueString: JSON.stringify(req.query) },
          { name: 'body', valueString: typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? JSON.stringify(req.body) : String(req.body ?? '') },
        ],
      },
    };
  },
});

t.test('CapabilityStatement: R4 4.0.1, every official type, interactions, operations', async (t) => {
  const app = await testApp(t);
  register(t, echo('test-sys', ['system'], false), echo('test-obs', ['type', 'instance'], false, ['Observation']));
  const res = await send(app, 'GET', '/fhir/metadata');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/fhir\+json/);
  const cs = res.json();
  t.equal(cs.resourceType, 'CapabilityStatement');
  t.equal(cs.fhirVersion, '4.0.1');
  t.equal(cs.kind, 'instance');
  t.same(cs.format, ['json', 'application/fhir+json']);
  const rest = cs.rest[0];
  t.equal(rest.mode, 'server');
  t.same(rest.resource.map((r: { type: string }) => r.type), [...RESOURCE_TYPES].sort());
  const obs = rest.resource.find((r: { type: string }) => r.type === 'Observation');
  t.same(obs.interaction.map((i: { code: string }) => i.code).sort(), ['create', 'delete', 'history-instance', 'history-type', 'patch', 'read', 'search-type', 'update', 'vread']);
  t.equal(obs.versioning, 'versioned-update');
  t.equal(obs.conditionalCreate, true);
  t.equal(obs.conditionalDelete, 'single');
  t.ok(obs.searchParam.some((p: { name: string }) => p.name === '_id'));
  t.ok(obs.searchParam.some((p: { name: string }) => p.name === '_lastUpdated'));
  t.ok(obs.searchParam.some((p: { name: string; type: string }) => p.name === 'code' && p.type === 'token'), 'parameters from the search module');
  t.ok(obs.operation.some((o: { name: string }) => o.name === 'test-obs'));
  t.notOk(rest.resource.find((r: { type: string }) => r.type === 'Patient').operation?.some((o: { name: string }) => o.name === 'test-obs'));
  t.same(rest.interaction.map((i: { code: string }) => i.code), ['transaction', 'batch', 'search-system', 'history-system']);
  t.ok(rest.operation.some((o: { name: string; definition: string }) => o.name === 'test-sys' && o.definition.endsWith('/test-sys')));
  t.notOk(rest.security, 'no security section with auth off');
  const sp = await send(app, 'GET', '/fhir/SearchParameter/clinical-code');
  t.equal(sp.statusCode, 200, 'the implemented SearchParameters are readable');
  t.equal(sp.json().resourceType, 'SearchParameter');
  t.equal((await send(app, 'GET', '/fhir/metadata?_pretty=true')).body.split('\n').length > 10, true);
});

t.test('$operations: system, type and instance level over GET and POST', async (t) => {
  const app = await testApp(t);
  register(t, echo('test-sys', ['system'], false), echo('test-obs', ['type', 'instance'], false, ['Observation']), echo('test-write', ['system', 'type'], true));
  const p = (res: { json(): { parameter: Array<{ name: string; valueString: string }> } }) =>
    Object.fromEntries(res.json().parameter.map((x) => [x.name, x.valueString]));

  const sys = await send(app, 'GET', '/fhir/$test-sys?a=1&a=2');
  t.equal(sys.statusCode, 200);
  t.same(p(sys), { method: 'GET', level: 'system', target: '/', query: JSON.stringify({ a: ['1', '2'] }), body: '' });
  const type = await send(app, 'POST', '/fhir/Observation/$test-obs', { resourceType: 'Parameters', parameter: [{ name: 'x', valueString: 'y' }] });
  t.equal(p(type).level, 'type');
  t.match(p(type).body, /"valueString":"y"/);
  const inst = await send(app, 'GET', '/fhir/Observation/o1/$test-obs');
  t.same([p(inst).level, p(inst).target], ['instance', 'Observation/o1']);
  const vcf = await app.inject({ method: 'POST', url: '/fhir/$test-write', headers: { 'content-type': 'text/vcf' }, payload: '##fileformat=VCFv4.2\n' });
  t.equal(vcf.statusCode, 200, 'operations receive other media types raw');
  t.match(p(vcf).body, /fileformat=VCFv4\.2/);

  t.equal((await send(app, 'GET', '/fhir/$test-write')).statusCode, 405, 'GET is refused for state-changing operations');
  t.equal((await send(app, 'DELETE', '/fhir/$test-sys')).statusCode, 405);
  t.equal((await send(app, 'GET', '/fhir/Patient/$test-obs')).statusCode, 404, 'not registered for this type');
  t.equal((await send(app, 'GET', '/fhir/Observation/$test-sys')).statusCode, 404, 'not registered at this level');
  t.equal((await send(app, 'GET', '/fhir/Observation/o1/$test-write')).statusCode, 404);
});

t.test('AuditEvent: with auth on, only the interactions the server allows a client are listed', async (t) => {
  const app = await testApp(t, { auth: true });
  const cs = (await send(app, 'GET', '/fhir/metadata')).json();
  const audit = cs.rest[0].resource.find((r: { type: string }) => r.type === 'AuditEvent');
  t.same(audit.interaction.map((i: { code: string }) => i.code).sort(), ['history-instance', 'history-type', 'read', 'search-type', 'vread']);
  t.equal(audit.updateCreate, false);
  t.equal(audit.conditionalCreate, false);
  t.equal(audit.conditionalUpdate, false);
  t.equal(audit.conditionalDelete, 'not-supported');
  const obs = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Observation');
  t.ok(obs.interaction.some((i: { code: string }) => i.code === 'create'), 'other types keep their writes');
  const open = (await send(await testApp(t), 'GET', '/fhir/metadata')).json();
  const openAudit = open.rest[0].resource.find((r: { type: string }) => r.type === 'AuditEvent');
  t.ok(openAudit.interaction.some((i: { code: string }) => i.code === 'create'), 'with auth off nothing refuses them');
});

t.test('CapabilityStatement states the _count default and maximum (FHIR_DEFAULT_COUNT / FHIR_MAX_COUNT)', async (t) => {
  const app = await testApp(t, { defaultCount: 7, maxCount: 70 });
  const cs = (await send(app, 'GET', '/fhir/metadata')).json();
  const count = cs.rest[0].searchParam.find((p: { name: string }) => p.name === '_count');
  t.ok(count, '_count among the parameters of every search');
  t.equal(count.type, 'number');
  t.match(count.documentation, /default 7, maximum 70/);
  const dflt = (await send(await testApp(t), 'GET', '/fhir/metadata')).json();
  t.match(dflt.rest[0].searchParam.find((p: { name: string }) => p.name === '_count').documentation, /default 50, maximum 1000/);
});
