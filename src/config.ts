/**
 * Configuration from the environment (DESIGN.md, "The outside contract"). One typed object,
 * read once in server.ts and passed to buildApp(); tests build their own.
 */
export interface AppConfig {
  host: string;
  port: number;
  /** Embedded store directory. */
  dataDir: string;
  /** When set, the MongoDB adapter is used instead of the embedded store. */
  mongodbUrl?: string;
  mongodbDb: string;
  /** Public base URL of the FHIR endpoint, e.g. http://127.0.0.1:8080/fhir */
  baseUrl: string;
  logLevel: string;
  /** FHIR_AUTH=on (default) requires bearer tokens on /fhir. */
  auth: boolean;
  clientsFile?: string;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** Default and maximum `_count` for searches. */
  defaultCount: number;
  maxCount: number;
  /** Strict genomics profile checking for Observations that carry IG codes but claim no profile. */
  strictProfiles: boolean;
  /** Minimum cell size for population operations (privacy). */
  minCellSize: number;
  /** Fsync the journal (turn off only in throwaway tests). */
  fsync: boolean;
  /** Security settings (src/auth, src/http/security*.ts); see the README "Security" section. */
  security: SecurityConfig;
}

export interface SecurityConfig {
  /** Lifetime of access tokens issued by /auth/token, seconds. */
  tokenLifetimeSec: number;
  /** Signing key file (default DATA_DIR/auth/signing-key.json); share it between instances. */
  signingKeyFile?: string;
  /** External authorization server whose access tokens are accepted too. */
  externalIssuer?: string;
  externalJwksUrl?: string;
  /** Expected `aud` of external tokens (default: the FHIR base URL). */
  externalAudience?: string;
  /** Mint and print a development token at start (only when listening on loopback). */
  devToken: boolean;
  /** Allowed CORS origins; empty = no CORS headers (same-origin only); `*` = any origin. */
  corsOrigins: string[];
  /** Requests per client (or per IP before authentication) per window; 0 turns rate limiting off. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Record AuditEvents for requests touching patient data. */
  audit: boolean;
  /** Largest Bundle (entries) accepted in one request. */
  maxBundleEntries: number;
  /** Largest batch/transaction response, JSON characters (src/fhir/bundle/response-budget.ts). */
  maxBundleResponseBytes: number;
}

/**
 * A whole-number setting: a typo (`FHIR_MAX_COUNT=1k`) must stop the start, not become NaN, which
 * disables every comparison it is used in (a NaN limit limits nothing).
 */
function whole(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max?: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const n = Number(raw);
  const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
  if (!Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) throw new Error(`${name} must be a whole number ${range}, got '${raw}'`);
  return n;
}

/**
 * An on/off setting: any other value (`true`, `1`, `yes`) stops the start. It used to count as
 * the opposite of the one word compared, so FHIR_STRICT_PROFILES=true silently meant off.
 */
function onOff(env: NodeJS.ProcessEnv, name: string, dflt: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const v = raw.trim().toLowerCase();
  if (v !== 'on' && v !== 'off') throw new Error(`${name} must be on or off, got '${raw}'`);
  return v === 'on';
}

/** pino's levels: another name stopped the start with pino's "default level:… must be included in custom levels". */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function oneOf(env: NodeJS.ProcessEnv, name: string, dflt: string, values: string[]): string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  if (!values.includes(raw.trim())) throw new Error(`${name} must be one of ${values.join(', ')}, got '${raw}'`);
  return raw.trim();
}

/**
 * The public FHIR base, checked here: a BASE_URL without a scheme, or a HOST that makes no URL,
 * failed later as a bare "Invalid URL" that named neither.
 */
function baseUrl(env: NodeJS.ProcessEnv, host: string, derived: string): string {
  // blank is unset, as for the other settings
  const given = env.BASE_URL?.trim() || undefined;
  const url = (given ?? derived).replace(/\/$/, '');
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(url).protocol);
  } catch {
    ok = false;
  }
  if (ok) return url;
  if (given !== undefined) throw new Error(`BASE_URL must be an absolute http or https URL, got '${given}'`);
  throw new Error(`HOST '${host}' makes no valid base URL (${derived}): set a valid HOST, or BASE_URL`);
}

/**
 * FHIR_CORS_ORIGINS: `*` or origins as browsers send them in `Origin` (RFC 6454 §6.2: scheme, host
 * and a non-default port; no path, no trailing slash, lower case). @fastify/cors compares them as
 * strings, so `https://ehr.example/` or `https://EHR.example` never matched and CORS silently
 * stayed closed for the app it was meant to open to; such a value stops the start naming the
 * origin to write instead.
 */
function corsOrigins(env: NodeJS.ProcessEnv): string[] {
  const origins = (env.FHIR_CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const o of origins) {
    if (o === '*') continue;
    const bad = `FHIR_CORS_ORIGINS: '${o}' is not an origin`;
    let url: URL;
    try {
      url = new URL(o);
    } catch {
      throw new Error(`${bad}: write each as scheme://host[:port] (https://ehr.example), or * for any origin`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${bad}: browser apps have http or https origins`);
    // (the URL parser lets `*` through in a host name: no wildcard subdomains)
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(url.hostname)) throw new Error(`${bad}: write each as scheme://host[:port] (https://ehr.example), or * for any origin`);
    if (url.origin !== o) throw new Error(`${bad}: write ${url.origin} (the Origin a browser sends: no path, query or trailing slash, lower case, no default port)`);
  }
  return origins;
}

function loadSecurity(env: NodeJS.ProcessEnv): SecurityConfig {
  return {
    tokenLifetimeSec: whole(env, 'FHIR_TOKEN_LIFETIME', 300, 1),
    signingKeyFile: env.FHIR_SIGNING_KEY_FILE || undefined,
    externalIssuer: env.FHIR_AUTH_ISSUER || undefined,
    externalJwksUrl: env.FHIR_AUTH_JWKS_URL || undefined,
    externalAudience: env.FHIR_AUTH_AUDIENCE || undefined,
    devToken: onOff(env, 'FHIR_DEV_TOKEN', true),
    corsOrigins: corsOrigins(env),
    rateLimitMax: whole(env, 'FHIR_RATE_LIMIT', 10_000, 0),
    rateLimitWindowMs: whole(env, 'FHIR_RATE_LIMIT_WINDOW_MS', 60_000, 1),
    audit: onOff(env, 'FHIR_AUDIT', true),
    maxBundleEntries: whole(env, 'FHIR_MAX_BUNDLE_ENTRIES', 5000, 1),
    // well under V8's string limit (~512 MiB) even when pretty-printed (_pretty=true)
    maxBundleResponseBytes: whole(env, 'FHIR_MAX_BUNDLE_RESPONSE_BYTES', 64 * 1024 * 1024, 1024),
  };
}

/** Where `npm start` leaves its development token for local tools (`npm run seed`), under DATA_DIR. */
export const DEV_TOKEN_FILE = '.dev-token';

/**
 * loadConfig for an entry point (the server, the CLIs): a bad setting (`FHIR_MAX_COUNT=1k`) is
 * handed to `fail` as one line naming it, which each entry point prints with its own exit code,
 * rather than left to Node's uncaught-error dump.
 */
export function loadConfigOr(fail: (message: string) => never, env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const host = env.HOST ?? '127.0.0.1';
  // a TCP port: beyond 65535 the base URL built on it is no URL, and the start failed as "Invalid URL"
  const port = whole(env, 'PORT', 8080, 0, 65535);
  const listenHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  // an IPv6 address is bracketed in a URL (http://[::1]:8080), else the base URL is no URL
  const publicHost = listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  const maxCount = whole(env, 'FHIR_MAX_COUNT', 1000, 1);
  // A default above the maximum was served unclamped by history and stated as "default 2000,
  // maximum 1000" in the CapabilityStatement: refused; the built-in 50 yields to a lower maximum.
  const defaultCount = whole(env, 'FHIR_DEFAULT_COUNT', Math.min(50, maxCount), 1, maxCount);
  return {
    host,
    port,
    dataDir: env.DATA_DIR ?? './data',
    mongodbUrl: env.MONGODB_URL || undefined,
    mongodbDb: env.MONGODB_DB ?? 'fhir',
    baseUrl: baseUrl(env, host, `http://${publicHost}:${port}/fhir`),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    auth: onOff(env, 'FHIR_AUTH', true),
    clientsFile: env.FHIR_CLIENTS_FILE || undefined,
    bodyLimit: whole(env, 'FHIR_BODY_LIMIT', 64 * 1024 * 1024, 1024),
    defaultCount,
    maxCount,
    strictProfiles: onOff(env, 'FHIR_STRICT_PROFILES', false),
    minCellSize: whole(env, 'FHIR_MIN_CELL_SIZE', 1, 1),
    fsync: onOff(env, 'FHIR_FSYNC', true),
    security: loadSecurity(env),
  };
}

/** A config for tests: embedded store in the given directory, auth off unless asked. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  const base = loadConfig({});
  // Audit trail and rate limits off unless a test asks (test/auth does): other suites count
  // resources and fire bursts of requests.
  const security = { ...base.security, audit: false, rateLimitMax: 0 };
  return { ...base, logLevel: 'silent', auth: false, baseUrl: 'http://localhost/fhir', security, ...overrides };
}
