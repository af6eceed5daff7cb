import { MAX_ISSUES, type Issue } from '../fhir/outcome.js';
import { ajvErrorsToIssues } from './ajv-issues.js';
import { checkJsonShape } from './json-shape.js';
import { isResourceType } from './resource-types.js';
import { firstErrorValidatorFor, passesClean, passesStructure, validatorFor } from './schema-validators.js';
import { checkObservation } from './invariants/observation.js';
import { checkMolecularSequence } from './invariants/molecular-sequence.js';
import { checkParameters } from './invariants/parameters.js';
import { walkResource } from './invariants/walk.js';
import { containedIdsOf, type ContainedIds } from './invariants/references.js';
import { integerTextIssues } from './invariants/integer-text.js';
import { profileIssuesAt } from './profiles/index.js';

/**
 * The one entry point for validating a resource before it is stored (DESIGN.md, "Validation, in
 * layers"): 1 JSON shape and resource type, 2 structure (R4 JSON Schema via ajv), 3 Genomics
 * Reporting profiles, 4 invariants. Returns every issue found (bounded by MAX_ISSUES); an empty
 * list, or warnings only, means it may be stored. `validationStatus` (./status.ts) says which
 * HTTP status a non-empty list deserves.
 *
 * Nested resources (Bundle.entry.resource, Bundle.entry.response.outcome, contained,
 * Parameters.parameter.resource) are validated one by one with their own type's validator, their
 * issues located under where they sit (`Bundle.entry[2].resource.status`).
 *
 * Hot path (every write, ~1M per bulk load): one compiled pass (clean-check.ts) first says
 * whether layers 1, 2 and the generic walk of 4 would report anything; for nearly every resource
 * they would not, and only the type-specific invariants and the profiles run. Otherwise the
 * layers run in order and say what is wrong. Either way the issues are the same
 * (test/validation/golden.test.ts).
 */
export interface ValidateOptions {
  /** Profiles to check in addition to those in meta.profile ($validate?profile=…). */
  profiles?: string[];
  /** Treat IG-coded Observations without meta.profile strictly (errors instead of warnings). */
  strictProfiles?: boolean;
  /** Stop after this many issues (default MAX_ISSUES, what an OperationOutcome reports). */
  maxIssues?: number;
}

export { validationStatus, validationErrorKey, hasErrors } from './status.js';

type Json = Record<string, unknown>;

interface State {
  issues: Issue[];
  limit: number;
  opts: ValidateOptions;
}

const error = (code: Issue['code'], diagnostics: string, expression?: string): Issue =>
  ({ severity: 'error', code, diagnostics, expression: expression ? [expression] : undefined });

export function validateResource(resource: unknown, opts: ValidateOptions = {}): Issue[] {
  const state: State = { issues: [], limit: opts.maxIssues ?? MAX_ISSUES, opts };
  // The common case first: a resource that layers 1, 2 and 4's walk have nothing to say about (clean-check.ts).
  const type = resourceTypeOf(resource);
  if (type !== undefined && passesClean(type, resource, NO_IDS)) {
    checkRules(resource as Json, type, type, true, state);
    push(state, integerTextIssues(resource));
    return state.issues;
  }
  const shape = checkJsonShape(resource);
  if (shape.length) return shape.slice(0, state.limit);
  validateNode(resource, undefined, undefined, state, type !== undefined);
  push(state, integerTextIssues(resource));
  return state.issues;
}

/** The resource type of a JSON object that names a known one. */
function resourceTypeOf(resource: unknown): string | undefined {
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) return undefined;
  const type = (resource as Json).resourceType;
  return isResourceType(type) ? type : undefined;
}

function push(state: State, issues: readonly Issue[]): void {
  for (const i of issues) {
    if (state.issues.length >= state.limit) return;
    state.issues.push(i);
  }
}

/**
 * @param path where the resource sits (undefined at the top: its own type is the root)
 * @param container the container's contained resources (id → type), when this one is contained
 */
function validateNode(resource: unknown, path: string | undefined, container: ContainedIds | undefined, state: State, knownUnclean = false): void {
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
    push(state, [error('structure', `${path ?? 'The body'} must be a JSON object holding a resource`, path)]);
    return;
  }
  const node = resource as Json;
  const type = node.resourceType;
  if (typeof type !== 'string') {
    push(state, [error('required', `${path ?? 'The resource'} has no resourceType`, path ? `${path}.resourceType` : 'resourceType')]);
    return;
  }
  if (!isResourceType(type)) {
    push(state, [error('not-supported', `Unknown resource type '${type}' (not a FHIR R4 resource type)`, path ? `${path}.resourceType` : 'resourceType')]);
    return;
  }
  const root = path ?? type;
  const ownContained = Array.isArray(node.contained) && node.contained.length ? containedIdsOf(node.contained) : NO_IDS;
  const containedIds = container ?? ownContained;
  if (ownContained.size) checkContainedIds(node.contained as unknown[], root, state);
  if (!knownUnclean && passesClean(type, node, containedIds)) {
    checkRules(node, type, root, path === undefined, state);
    return;
  }

  // Layer 2: structure.
  if (!passesStructure(type, node)) {
    // ajv, allErrors: every error, as the issues; a very large resource gets its first error only
    // (collecting them all is quadratic there: see firstErrorValidatorFor)
    const large = isLarge(node, LARGE_NODES);
    const validate = large ? firstErrorValidatorFor(type)! : validatorFor(type)!;
    if (!validate(node)) {
      push(state, ajvErrorsToIssues(validate.errors ?? [], type, root, node));
      if (large) push(state, [{ severity: 'information', code: 'too-costly', diagnostics: `${root} is large (over ${LARGE_NODES.toLocaleString('en-US')} elements): its structure check stopped at the first error`, expression: [root] }]);
    }
  }

  // Layer 4: invariants, and the nested resources found on the way.
  const walkIssues: Issue[] = [];
  walkResource(node, type, root, {
    issues: walkIssues,
    limit: state.limit - state.issues.length,
    containedIds,
    onResource: (nested, at) => {
      if (/\.contained\[\d+\]$/.test(at)) {
        checkContained(nested as Json, at, container !== undefined, walkIssues);
        validateNode(nested, at, containedIds, state);
      } else {
        validateNode(nested, at, undefined, state);
      }
    },
  });
  push(state, walkIssues);
  checkRules(node, type, root, path === undefined, state);
}

/** The type-specific invariants (layer 4) and the Genomics Reporting profiles (layer 3), per resource, so Bundle entries are checked too. */
function checkRules(node: Json, type: string, root: string, top: boolean, state: State): void {
  if (type === 'Observation') push(state, checkObservation(node, root));
  else if (type === 'MolecularSequence') push(state, checkMolecularSequence(node, root));
  else if (type === 'Parameters') push(state, checkParameters(node, root));
  push(state, profileIssuesAt(node, root, top, state.opts));
}

const NO_IDS: ContainedIds = new Map();

/** Past this many JSON values, a structurally broken resource is reported by its first error. */
const LARGE_NODES = 20_000;

/** Whether `node` holds more than `limit` JSON values (counted only as far as the limit). */
function isLarge(node: unknown, limit: number): boolean {
  let n = 0;
  const stack: unknown[] = [node];
  while (stack.length) {
    const v = stack.pop();
    if (++n > limit) return true;
    if (v !== null && typeof v === 'object') for (const k in v as Json) stack.push((v as Json)[k]);
  }
  return false;
}

/**
 * Contained resources are told apart by id (`#id` references): two with the same id would make a
 * reference mean either (https://hl7.org/fhir/R4/references.html#contained: unique within the resource).
 */
function checkContainedIds(contained: unknown[], root: string, state: State): void {
  const seen = new Set<string>();
  contained.forEach((c, i) => {
    const id = c && typeof c === 'object' ? (c as Json).id : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id)) push(state, [error('invariant', `${root}.contained[${i}]: another contained resource already has id '${id}' (ids of contained resources must be unique within the resource)`, `${root}.contained[${i}].id`)]);
    seen.add(id);
  });
}

/** dom-2 and dom-4 (https://hl7.org/fhir/R4/domainresource.html#invs). */
function checkContained(nested: Json, at: string, insideContained: boolean, out: Issue[]): void {
  if (insideContained) out.push(error('invariant', `${at}: a contained resource must not contain resources (dom-2)`, at));
  const meta = nested.meta as Json | undefined;
  if (meta && typeof meta === 'object' && ('versionId' in meta || 'lastUpdated' in meta)) {
    out.push(error('invariant', `${at}: a contained resource must not have meta.versionId or meta.lastUpdated (dom-4)`, `${at}.meta`));
  }
}
