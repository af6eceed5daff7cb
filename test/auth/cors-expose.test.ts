import t from 'tap';
import { bearer, makeApp, serverToken } from './helpers.js';

/**
 * With CORS on, a browser script reads only the response headers listed in
 * Access-Control-Expose-Headers: the list must hold what the server sends (`Allow` on a 405 of a
 * built-in definition, ETag/Location/… on reads and writes) and nothing it never sends (`X-Request-Id`).
 */
t.test('CORS exposes the headers the server sends, Allow included, and no X-Request-Id', async (t) => {
  const app = await makeApp({ security: { corsOrigins: ['https://ehr.example'] } });
  t.teardown(() => app.close());
  const token = await serverToken(app, ['system/*.cruds']);
  const ids = (await app.inject({ url: '/fhir/SearchParameter?_count=1', headers: bearer(token) })).json();
  const id = ids.entry[0].resource.id;
  const refused = await app.inject({ method: 'DELETE', url: `/fhir/SearchParameter/${id}`, headers: { ...bearer(token), origin: 'https://ehr.example' } });
  t.equal(refused.statusCode, 405);
  t.ok(refused.headers.allow, 'the server does send Allow');
  const exposed = String(refused.headers['access-control-expose-headers']).toLowerCase().split(/\s*,\s*/);
  for (const h of ['allow', 'etag', 'location', 'content-location', 'last-modified', 'retry-after', 'www-authenticate']) t.ok(exposed.includes(h), `${h} exposed`);
  t.notOk(exposed.includes('x-request-id'), 'X-Request-Id (never sent) not exposed');
});
