import type { AppConfig } from '../config.js';
import { EmbeddedStore } from './embedded/embedded-store.js';
import { preparePool } from '../prepare/pool.js';
import type { SearchIndexField } from './mongodb/index-specs.js';
import type { ResourceStore } from './types.js';

export interface CreateStoreOptions {
  /** MongoDB: search index fields (from the search module) to create indexes for at start-up. */
  searchIndexFields?: readonly SearchIndexField[];
}

/**
 * MONGODB_URL selects MongoDB (database MONGODB_DB); otherwise the embedded store under DATA_DIR.
 * The driver is loaded only when MongoDB is used: it costs start-up time the embedded default
 * does not need to pay.
 */
export async function createStore(config: AppConfig, opts: CreateStoreOptions = {}): Promise<ResourceStore> {
  if (config.mongodbUrl) {
    const { MongoStore } = await import('./mongodb/mongo-store.js');
    return new MongoStore(config.mongodbUrl, config.mongodbDb, { searchIndexFields: opts.searchIndexFields });
  }
  // recovery builds index terms on the prepare pool's threads (a large store starts ~2x sooner)
  return new EmbeddedStore(config.dataDir, { fsync: config.fsync, recoveryTerms: preparePool().termsOf });
}
