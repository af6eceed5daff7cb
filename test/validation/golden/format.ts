import { createHash } from 'node:crypto';
import type { Issue } from '../../../src/fhir/outcome.js';
import type { Case } from './corpus.js';

/**
 * The golden fixture's layout (test/validation/fixtures/golden-issues.json), compact enough to
 * commit: each case id maps to [input hash, issue indexes]; each distinct issue is stored once,
 * as its exact JSON text (key order included), in `issues`.
 */
export interface GoldenFile {
  about: string;
  issues: string[];
  cases: Record<string, [string, ...number[]]>;
}

export const GOLDEN = new URL('../fixtures/golden-issues.json', import.meta.url);

/** What the inputs were: a changed corpus (not a changed validator) is told apart by this. */
export function inputHash(c: Case): string {
  return createHash('sha1').update(JSON.stringify([c.input, c.opts ?? null])).digest('base64url').slice(0, 8);
}

export const issueText = (i: Issue): string => JSON.stringify(i);

/** A validator that throws is recorded as `!Error name: message` in place of its issues. */
export const thrownText = (e: unknown): string => `!${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
