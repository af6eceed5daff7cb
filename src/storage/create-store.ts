import type { AppConfig } from '../config.js';
import { EmbeddedStore } from './embedded/embedded-store.js';
import type { ResourceStore } from './types.js';

/** MONGODB_URL selects MongoDB; otherwise the embedded store under DATA_DIR. */
export function createStore(config: AppConfig): ResourceStore {
  if (config.mongodbUrl) {
    throw new Error('MongoDB adapter: not wired yet');
  }
  return new EmbeddedStore(config.dataDir, { fsync: config.fsync });
}
