import t from 'tap';
import { loadConfig } from '../../src/config.js';

/** Whole-number settings: a typo stops the start with the setting's name (NaN used to disable limits). */
t.test('numeric settings are read, defaulted, and refused when they are not whole numbers', async (t) => {
  const c = loadConfig({ FHIR_MAX_COUNT: '200', FHIR_RATE_LIMIT: '0', PORT: '9000' });
  t.equal(c.maxCount, 200);
  t.equal(c.security.rateLimitMax, 0, '0 turns the rate limit off');
  t.equal(c.port, 9000);
  t.equal(loadConfig({}).security.maxBundleResponseBytes, 64 * 1024 * 1024, 'default');
  t.equal(loadConfig({ FHIR_DEFAULT_COUNT: ' ' }).defaultCount, 50, 'blank is the default');
  for (const [name, value] of [['FHIR_MAX_COUNT', '1k'], ['FHIR_MAX_BUNDLE_RESPONSE_BYTES', 'abc'], ['FHIR_MIN_CELL_SIZE', '0'], ['FHIR_BODY_LIMIT', '1.5'], ['PORT', '-1']]) {
    t.throws(() => loadConfig({ [name]: value }), new RegExp(`${name} must be a whole number`), `${name}=${value}`);
  }
});

t.test('PORT beyond 65535 is refused naming it (it became "Invalid URL" from the base URL built on it)', async (t) => {
  t.throws(() => loadConfig({ PORT: '70000' }), /PORT must be a whole number from 0 to 65535, got '70000'/);
  t.equal(loadConfig({ PORT: '65535' }).port, 65535);
});

t.test('FHIR_DEFAULT_COUNT above FHIR_MAX_COUNT is refused; the built-in default yields to a lower maximum', async (t) => {
  t.throws(() => loadConfig({ FHIR_DEFAULT_COUNT: '2000' }), /FHIR_DEFAULT_COUNT must be a whole number from 1 to 1000, got '2000'/);
  t.throws(() => loadConfig({ FHIR_DEFAULT_COUNT: '30', FHIR_MAX_COUNT: '20' }), /FHIR_DEFAULT_COUNT must be a whole number from 1 to 20/);
  const c = loadConfig({ FHIR_MAX_COUNT: '20' });
  t.equal(c.defaultCount, 20, 'default 50 capped at the maximum');
  t.equal(loadConfig({}).defaultCount, 50);
});

t.test('on/off settings take on or off; anything else stops the start naming it', async (t) => {
  // FHIR_STRICT_PROFILES=true used to mean off, silently: the adopter believed profiles were enforced
  for (const name of ['FHIR_AUTH', 'FHIR_DEV_TOKEN', 'FHIR_AUDIT', 'FHIR_STRICT_PROFILES', 'FHIR_FSYNC']) {
    t.throws(() => loadConfig({ [name]: 'true' }), new RegExp(`${name} must be on or off, got 'true'`), `${name}=true`);
  }
  const on = loadConfig({ FHIR_STRICT_PROFILES: 'ON', FHIR_AUTH: ' on ', FHIR_FSYNC: 'on' });
  t.equal(on.strictProfiles, true, 'case and spaces do not matter');
  t.equal(on.auth, true);
  const off = loadConfig({ FHIR_AUTH: 'Off', FHIR_DEV_TOKEN: 'off', FHIR_AUDIT: 'off', FHIR_FSYNC: 'off', FHIR_STRICT_PROFILES: 'off' });
  t.same([off.auth, off.security.devToken, off.security.audit, off.fsync, off.strictProfiles], [false, false, false, false, false]);
  const dflt = loadConfig({ FHIR_AUTH: '' });
  t.same([dflt.auth, dflt.security.devToken, dflt.security.audit, dflt.fsync, dflt.strictProfiles], [true, true, true, true, false], 'unset or blank: defaults');
});

t.test('LOG_LEVEL, HOST and BASE_URL that cannot work stop the start naming them (pino\'s "default level:loud must be included in custom levels", or "Invalid URL")', async (t) => {
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'$/);
  t.equal(loadConfig({ LOG_LEVEL: 'debug' }).logLevel, 'debug');
  t.throws(() => loadConfig({ HOST: '999.1.1.1' }), /^HOST '999\.1\.1\.1' makes no valid base URL \(http:\/\/999\.1\.1\.1:8080\/fhir\): set a valid HOST, or BASE_URL$/);
  t.throws(() => loadConfig({ BASE_URL: 'fhir.example.org/fhir' }), /^BASE_URL must be an absolute http or https URL, got 'fhir\.example\.org\/fhir'$/);
  t.equal(loadConfig({ HOST: '0.0.0.0' }).baseUrl, 'http://127.0.0.1:8080/fhir');
  t.equal(loadConfig({ HOST: '::1' }).baseUrl, 'http://[::1]:8080/fhir', 'an IPv6 address in brackets, as a URL has it');
  t.equal(loadConfig({ HOST: '999.1.1.1', BASE_URL: 'https://fhir.example.org/fhir/' }).baseUrl, 'https://fhir.example.org/fhir', 'BASE_URL stands for the host');
});

t.test('FHIR_CORS_ORIGINS takes origins (scheme://host[:port]) or *; anything else stops the start naming it', async (t) => {
  t.same(loadConfig({}).security.corsOrigins, [], 'unset: no CORS');
  t.same(loadConfig({ FHIR_CORS_ORIGINS: ' ' }).security.corsOrigins, [], 'blank: no CORS');
  t.same(loadConfig({ FHIR_CORS_ORIGINS: '*' }).security.corsOrigins, ['*']);
  t.same(
    loadConfig({ FHIR_CORS_ORIGINS: 'https://ehr.example, http://localhost:3000,https://[::1]:8443' }).security.corsOrigins,
    ['https://ehr.example', 'http://localhost:3000', 'https://[::1]:8443'],
  );
  // each would never equal the Origin header a browser sends (https://ehr.example), so CORS would
  // silently stay closed for it
  const bad: Array<[string, RegExp]> = [
    ['https://ehr.example/', /write https:\/\/ehr\.example/],
    ['https://ehr.example/app', /write https:\/\/ehr\.example/],
    ['https://EHR.example', /write https:\/\/ehr\.example/],
    ['https://ehr.example:443', /write https:\/\/ehr\.example/],
    ['https://ehr.example?x=1', /write https:\/\/ehr\.example/],
    ['https://user@ehr.example', /write https:\/\/ehr\.example/],
    ['ehr.example', /scheme:\/\/host\[:port\]/],
    ['ftp://ehr.example', /http or https/],
    ['null', /scheme:\/\/host\[:port\]/],
    ['https://*.example', /scheme:\/\/host\[:port\]/],
  ];
  for (const [value, why] of bad) {
    t.throws(() => loadConfig({ FHIR_CORS_ORIGINS: `https://ok.example,${value}` }), new RegExp(`^FHIR_CORS_ORIGINS: '${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' is not an origin`), value);
    t.throws(() => loadConfig({ FHIR_CORS_ORIGINS: value }), why, `${value}: says what to write`);
  }
});
