import type { AppConfig } from '../config.js';
import { EmbeddedStore } from './embedded/embedded-store.js';
import { MongoStore } from './mongodb/mongo-store.js';
import type { SearchIndexField } from './mongodb/index-specs.js';
import type { ResourceStore } from './types.js';

export interface CreateStoreOptions {
  /** MongoDB: search index fields (from the search module) to create indexes for at start-up. */
  searchIndexFields?: readonly SearchIndexField[];
}

/** MONGODB_URL selects MongoDB (database MONGODB_DB); otherwise the embedded store under DATA_DIR. */
export function createStore(config: AppConfig, opts: CreateStoreOptions = {}): ResourceStore {
  if (config.mongodbUrl) {
    return new MongoStore(config.mongodbUrl, config.mongodbDb, { searchIndexFields: opts.searchIndexFields });
  }
  return new EmbeddedStore(config.dataDir, { fsync: config.fsync });
}
