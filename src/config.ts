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
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const host = env.HOST ?? '127.0.0.1';
  const port = Number(env.PORT ?? 8080);
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    host,
    port,
    dataDir: env.DATA_DIR ?? './data',
    mongodbUrl: env.MONGODB_URL || undefined,
    mongodbDb: env.MONGODB_DB ?? 'fhir',
    baseUrl: (env.BASE_URL ?? `http://${publicHost}:${port}/fhir`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL ?? 'info',
    auth: (env.FHIR_AUTH ?? 'on').toLowerCase() !== 'off',
    clientsFile: env.FHIR_CLIENTS_FILE || undefined,
    bodyLimit: Number(env.FHIR_BODY_LIMIT ?? 64 * 1024 * 1024),
    defaultCount: Number(env.FHIR_DEFAULT_COUNT ?? 50),
    maxCount: Number(env.FHIR_MAX_COUNT ?? 1000),
    strictProfiles: (env.FHIR_STRICT_PROFILES ?? 'off') === 'on',
    minCellSize: Number(env.FHIR_MIN_CELL_SIZE ?? 1),
    fsync: (env.FHIR_FSYNC ?? 'on') !== 'off',
  };
}

/** A config for tests: embedded store in the given directory, auth off unless asked. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...loadConfig({}), logLevel: 'silent', auth: false, baseUrl: 'http://localhost/fhir', ...overrides };
}
