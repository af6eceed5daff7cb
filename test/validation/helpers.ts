import { readFileSync } from 'node:fs';
import type { Issue } from '../../src/fhir/outcome.js';

/** A fresh copy of a fixture (written after the FHIR R4 genetics examples), to mutate freely. */
export function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
}

export const errorsOf = (issues: Issue[]): Issue[] => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');

/** `code expression` of each error, for compact assertions. */
export const summary = (issues: Issue[]): string[] => errorsOf(issues).map((i) => `${i.code} ${i.expression?.join(',') ?? '-'}`);
