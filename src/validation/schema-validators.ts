import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { RESOURCE_TYPES, isResourceType } from './resource-types.js';
import { compileStructureCheck, type StructureCheck } from './structure-check.js';
import { compileCleanCheck, type CleanCheck } from './clean-check.js';
import type { ContainedIds } from './invariants/references.js';

/**
 * Validation layer 2: one ajv validator per resource type, compiled from schemas/r4/fhir.schema.json
 * (generated and checked in strict mode by scripts/generate-r4-schemas.ts).
 *
 * Compiled lazily, once per type, then cached: loading the schema costs tens of milliseconds, the
 * first compile of a type up to a few hundred (the shared data types come with it), and all 146
 * types about two seconds. Start-up stays fast because nothing is compiled before it is needed;
 * `warmUpValidators` lets the server compile the types it expects in the background. (Ajv
 * standalone code for all types measured ~6 MB of generated JavaScript: too big to commit.)
 */
const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

/**
 * Nested resources (Bundle.entry.resource, contained, Parameters.parameter.resource) are validated
 * one by one with their own type's validator by validate.ts. Inside the parent only a shell is
 * checked (an object; its resourceType is validate.ts's job): descending into the 146-way `oneOf` of ResourceList would compile everything and
 * produce errors from every branch.
 */
const RESOURCE_SHELL = { type: 'object' };

type Definitions = Record<string, Record<string, unknown>>;
let ajv: Ajv | undefined;
/**
 * The parsed schema (about 2 MB of objects) is needed to compile a type's checks, and by ajv,
 * which keeps it (`pinned` once an ajv instance exists). The compiled checks do not refer to it,
 * so otherwise it is held weakly and parsed again (a few milliseconds) if a later first use of a
 * type finds it collected: a prepare worker, which meets a handful of types and whose resources
 * are valid (no ajv), does not keep it, and a thread's live heap sets how far V8 lets its garbage
 * grow before a major collection (src/prepare/pool.ts).
 */
let pinned: Definitions | undefined;
let held: WeakRef<Definitions> | undefined;
const cache = new Map<string, ValidateFunction>();
const checks = new Map<string, StructureCheck>();
const cleanChecks = new Map<string, CleanCheck | null>();
export const validatorStats = { loadMs: 0, compileMs: 0, compiled: 0, loads: 0 };

function schemaDefinitions(): Definitions {
  const known = pinned ?? held?.deref();
  if (known) return known;
  const started = performance.now();
  const schema = JSON.parse(readFileSync(new URL('../../schemas/r4/fhir.schema.json', import.meta.url), 'utf8')) as { definitions: Definitions };
  schema.definitions.ResourceList = RESOURCE_SHELL;
  held = new WeakRef(schema.definitions);
  validatorStats.loadMs += performance.now() - started;
  validatorStats.loads++;
  return schema.definitions;
}

/** The schema for an ajv instance, which keeps it: from now on it is held strongly (one copy for both instances). */
function pinnedDefinitions(): Definitions {
  return (pinned ??= schemaDefinitions());
}

/** Tests: as if the weakly held schema had been collected (nothing compiled is forgotten). */
export function forgetSchemaDefinitions(): void {
  held = undefined;
}

let firstOnly: Ajv | undefined;
const firstCache = new Map<string, ValidateFunction>();

/**
 * The structure validator that stops at the first error, for very large resources: with
 * allErrors, ajv concatenates each shared data-type function's errors into its caller's, which is
 * quadratic in the number of errors (a 960 KB Patient with 64,000 bad names took 15 s, holding the
 * event loop). Compiled on first use only.
 */
export function firstErrorValidatorFor(resourceType: string): ValidateFunction | undefined {
  const hit = firstCache.get(resourceType);
  if (hit) return hit;
  if (!isResourceType(resourceType)) return undefined;
  firstOnly ??= new Ajv({ allErrors: false, strict: true, validateSchema: false, messages: false, inlineRefs: false });
  if (!firstOnly.getSchema(SCHEMA_ID)) firstOnly.addSchema({ $id: SCHEMA_ID, definitions: pinnedDefinitions() });
  const fn = firstOnly.getSchema(`${SCHEMA_ID}#/definitions/${resourceType}`);
  if (fn) firstCache.set(resourceType, fn);
  return fn;
}

function instance(): Ajv {
  if (ajv) return ajv;
  const defs = pinnedDefinitions(); // its parse time is counted there
  const started = performance.now();
  const schema = { $id: SCHEMA_ID, definitions: defs };
  // allErrors: every problem is reported (the issue list is bounded later); validateSchema off:
  // the generator already compiled the schema in strict mode, no need to re-check the meta-schema;
  // inlineRefs off: each data type becomes one shared function instead of being inlined into
  // every user, which measured ~2x faster to compile and no slower to run (scripts/bench/validation.ts);
  // messages off: ajv-issues.ts writes its own.
  const created = new Ajv({ allErrors: true, strict: true, validateSchema: false, messages: false, inlineRefs: false });
  created.addSchema(schema);
  ajv = created;
  validatorStats.loadMs += performance.now() - started;
  return ajv;
}

/** The structure validator of an official R4 resource type (undefined for anything else). */
export function validatorFor(resourceType: string): ValidateFunction | undefined {
  const hit = cache.get(resourceType);
  if (hit) return hit;
  if (!isResourceType(resourceType)) return undefined;
  const started = performance.now();
  const fn = instance().getSchema(`${SCHEMA_ID}#/definitions/${resourceType}`);
  if (!fn) throw new Error(`no schema definition for ${resourceType}`);
  validatorStats.compileMs += performance.now() - started;
  validatorStats.compiled++;
  cache.set(resourceType, fn);
  return fn;
}

/**
 * Whether a resource passes its type's R4 JSON Schema: the compiled yes/no check
 * (structure-check.ts, same verdict as ajv, a few times faster), or ajv where that check cannot be
 * compiled. Only when this says no is ajv asked for the errors (validatorFor).
 */
export function passesStructure(resourceType: string, resource: unknown): boolean {
  const check = checks.get(resourceType) ?? structureCheckFor(resourceType);
  return check !== undefined && check(resource);
}

function structureCheckFor(resourceType: string): StructureCheck | undefined {
  if (!isResourceType(resourceType)) return undefined;
  const check = compileStructureCheck(schemaDefinitions(), resourceType) ?? validatorFor(resourceType)!;
  checks.set(resourceType, check);
  return check;
}

/**
 * Whether layers 1, 2 and the invariant walk have nothing to report on a resource (clean-check.ts).
 * False for types whose check cannot be compiled: validate.ts then runs those layers.
 */
export function passesClean(resourceType: string, resource: unknown, containedIds: ContainedIds): boolean {
  let check = cleanChecks.get(resourceType);
  if (check === undefined) {
    check = isResourceType(resourceType) ? (compileCleanCheck(schemaDefinitions(), resourceType) ?? null) : null;
    cleanChecks.set(resourceType, check);
  }
  return check !== null && check(resource, containedIds);
}

/** Compiles checks and validators ahead of use, yielding to the event loop between types. */
export async function warmUpValidators(types: readonly string[] = RESOURCE_TYPES): Promise<void> {
  for (const t of types) {
    if (!checks.has(t)) structureCheckFor(t);
    passesClean(t, undefined, new Map());
    await new Promise((resolve) => setImmediate(resolve));
  }
  // ajv (for the errors of invalid resources) afterwards: the checks above serve valid ones meanwhile.
  for (const t of types) {
    validatorFor(t);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
