import type { SearchIndex } from '../storage/types.js';
import { TermsBuilder, type Terms } from '../storage/embedded/index-terms.js';

/**
 * The index terms of serialized search indexes laid out as `TermsOfBytes` takes them
 * (src/storage/embedded/replay.ts): what an embedded store's recovery would build on its own
 * thread from the same bytes, built where the caller runs it (a worker).
 */
export function termsOfBytes(types: string[], chunks: ArrayBufferLike[], spans: Int32Array): Terms {
  const b = new TermsBuilder();
  const bufs = chunks.map((c) => Buffer.from(c));
  for (let i = 0; i < types.length; i++) {
    const at = spans[3 * i + 1];
    b.add(types[i], JSON.parse(bufs[spans[3 * i]].toString('utf8', at, at + spans[3 * i + 2])) as SearchIndex);
  }
  return b.finish();
}
