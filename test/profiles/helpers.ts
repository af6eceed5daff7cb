import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Issue } from '../../src/fhir/outcome.js';

/** The vendored IG examples (schemas/genomics/examples), parsed fresh on each call so tests can break copies. */
export const EXAMPLES = fileURLToPath(new URL('../../schemas/genomics/examples/', import.meta.url));
export const SD = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function example(file: string): Json {
  return JSON.parse(readFileSync(EXAMPLES + file, 'utf8'));
}

export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();
}

export const errors = (issues: Issue[]) => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
export const warnings = (issues: Issue[]) => issues.filter((i) => i.severity === 'warning');

/** One-line rendering for assertion messages. */
export const show = (issues: Issue[]) => issues.map((i) => `${i.severity} ${i.code} ${i.diagnostics} @ ${i.expression?.join(',') ?? ''}`).join('\n');

/** The component whose code has this LOINC (or other) code. */
export function componentIndex(r: Json, code: string): number {
  return (r.component ?? []).findIndex((c: Json) => (c.code?.coding ?? []).some((x: Json) => x.code === code));
}
