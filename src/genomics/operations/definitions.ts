import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OperationDefinition } from '@medplum/fhirtypes';

/**
 * The Genomics Reporting IG's OperationDefinitions, vendored under schemas/genomics/operations/.
 * Each operation's inputs are checked against its definition's `parameter` list (names,
 * cardinality), so the definitions drive the handlers rather than being restated in code.
 */
const DIR = fileURLToPath(new URL('../../../schemas/genomics/operations/', import.meta.url));

let cache: Map<string, OperationDefinition> | undefined;

/** Every vendored genomics OperationDefinition, by id (= operation name). */
export function genomicsOperationDefinitions(): Map<string, OperationDefinition> {
  if (cache) return cache;
  const m = new Map<string, OperationDefinition>();
  if (existsSync(DIR)) {
    for (const f of readdirSync(DIR).filter((n) => n.endsWith('.json')).sort()) {
      const d = JSON.parse(readFileSync(DIR + f, 'utf8')) as OperationDefinition;
      // Keyed by id: the IG's definitions all carry `code: "match"`; their ids are the operation names.
      if (d.resourceType === 'OperationDefinition' && d.id) m.set(d.id, d);
    }
  }
  cache = m;
  return m;
}

export function operationDefinition(code: string): OperationDefinition {
  const d = genomicsOperationDefinitions().get(code);
  if (!d) throw new Error(`OperationDefinition for $${code} is not vendored under schemas/genomics/operations/`);
  return d;
}
