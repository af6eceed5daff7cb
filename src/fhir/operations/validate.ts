import type { Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse, OperationHandler } from '../context.js';
import { fhirError } from '../errors.js';
import { informational, toOperationOutcome, type Issue } from '../outcome.js';
import { assertCanSee } from '../../auth/authorize.js';
import { validateResource } from '../../validation/validate.js';
import { GENERAL_PARAMETERS, mediaType } from '../rest/request-utils.js';
import { knownRecord } from '../rest/write-core.js';
import { isIgProfile } from '../../validation/profiles/compile-profile.js';
import { IG_CANONICAL, stripVersion } from '../../validation/profiles/ig-package.js';
import { baseDefinitionType } from '../../validation/profiles/canonical-version.js';
import { throwIfNotForm, throwIfUnknownInput } from './input-checks.js';

/**
 * `$validate` (https://hl7.org/fhir/R4/resource-operation-validate.html) at type level
 * (`POST /fhir/Observation/$validate`) and instance level (`/fhir/Observation/{id}/$validate`).
 * Runs the same validation as create/update (structure, Genomics Reporting profiles, invariants)
 * and answers 200 with an OperationOutcome whatever the verdict; it never stores anything.
 *
 * Input: a Parameters resource with `resource`, `mode` (create | update | delete | profile) and
 * `profile` (a canonical URL), or the resource itself as the body with `mode`/`profile` in the
 * query string. At instance level without a resource, the stored current version is validated.
 */
type Mode = 'create' | 'update' | 'delete' | 'profile';
const MODES: ReadonlySet<string> = new Set(['create', 'update', 'delete', 'profile']);
const INPUTS = ['resource', 'mode', 'profile'] as const;
const OPERATION_PARAMS: ReadonlySet<string> = new Set(INPUTS);

interface ValidateInput {
  resource?: Resource;
  mode?: Mode;
  profile?: string;
}

export const validateOperation: OperationHandler = {
  name: 'validate',
  levels: ['type', 'instance'],
  definition: 'OperationDefinition/Resource-validate', // served from core-definitions.ts
  affectsState: false,
  async handle(req: FhirRequest & { resourceType?: string; id?: string }, ctx: FhirContext): Promise<FhirResponse> {
    const input = readInput(req);
    const type = req.resourceType!;
    const issues: Issue[] = [];

    if (input.mode === 'delete') {
      // Delete mode asks whether the instance may be deleted; nothing about content is checked.
      if (req.id === undefined) throw fhirError('BAD_REQUEST', "mode 'delete' needs an instance: POST /fhir/{type}/{id}/$validate?mode=delete", 'mode');
      await readStored(req, ctx, type, req.id);
      return ok(issues);
    }

    let resource = input.resource;
    if (!resource && req.id !== undefined) resource = await readStored(req, ctx, type, req.id);
    if (!resource) throw fhirError('BAD_REQUEST', "No resource to validate: send it as the body or as Parameters.parameter[name='resource']", 'resource');

    if (resource.resourceType !== type) {
      issues.push({ severity: 'error', code: 'invalid', diagnostics: `resourceType ${String(resource.resourceType)} does not match the URL (${type})`, expression: [`${type}.resourceType`] });
    }
    if (input.mode === 'update' && resource.id === undefined) {
      issues.push({ severity: 'error', code: 'required', diagnostics: "mode 'update': the resource must carry an id", expression: [`${type}.id`] });
    }
    // at instance level the resource is the instance: another id could never be stored there (as PUT answers)
    if (req.id !== undefined && resource.id !== undefined && resource.id !== req.id) {
      issues.push({ severity: 'error', code: 'invalid', diagnostics: `resource id "${resource.id}" does not match the URL id "${req.id}"`, expression: [`${type}.id`] });
    }
    const requested = input.profile === undefined ? undefined : requestedProfile(input.profile, issues);
    issues.push(...validateResource(resource, { profiles: requested ? [requested] : undefined, strictProfiles: ctx.config.strictProfiles }));
    return ok(issues);
  },
};

/**
 * The profile `profile` asks for, or undefined when it names nothing this server holds (an error
 * naming the parameter: the resource could not be checked against what was asked). An IG profile
 * or a base R4 definition goes to validation, which says what it makes of it: the base definition
 * of the type is what every validation checks (in another FHIR version, with a warning), that of
 * another type an error (profiles/index.ts, as for a claim in meta.profile).
 */
function requestedProfile(profile: string, issues: Issue[]): string | undefined {
  const url = stripVersion(profile);
  if (isIgProfile(url) || baseDefinitionType(url) !== undefined) return profile;
  issues.push({
    severity: 'error',
    code: 'not-supported',
    diagnostics: `Profile ${profile} is not known to this server (Genomics Reporting IG 3.0.0 profiles under ${IG_CANONICAL}/StructureDefinition/ are)`,
    expression: ['profile'],
  });
  return undefined;
}

function ok(issues: Issue[]): FhirResponse {
  return { status: 200, body: issues.length ? toOperationOutcome(issues) : informational('All OK') };
}

async function readStored(req: FhirRequest, ctx: FhirContext, type: string, id: string): Promise<Resource> {
  const rec = await knownRecord(ctx.store, req.auth, await ctx.store.read(type, id));
  if (!rec || rec.deleted || !rec.json) {
    throw fhirError(rec?.deleted ? 'GONE' : 'NOT_FOUND', `${type}/${id} ${rec?.deleted ? 'has been deleted' : 'is not known'}`);
  }
  const resource = JSON.parse(rec.json) as Resource;
  assertCanSee(req.auth, resource);
  return resource;
}

function readInput(req: FhirRequest & { resourceType?: string }): ValidateInput {
  // Each input is 0..1 (Resource-validate): a second profile would otherwise go unchecked silently.
  const q = (name: string) => {
    if ((req.query[name]?.length ?? 0) > 1) throw fhirError('BAD_REQUEST', `$validate takes at most one ${name} (got ${req.query[name]!.length})`, name);
    return req.query[name]?.[0];
  };
  // an input it does not declare is refused, as every operation here does (input-checks.ts);
  // _format and _pretty are the request's, not the operation's
  for (const name of Object.keys(req.query)) if (!GENERAL_PARAMETERS.has(name)) throwIfUnknownInput('validate', name, INPUTS);
  // operations.html#request: only primitive inputs go in a URL; a resource there would be dropped
  if (req.query.resource) throw fhirError('BAD_REQUEST', "Parameter 'resource' of $validate is a resource: send it as the body or in a Parameters body, not in the URL", 'resource');
  const body = req.body;
  const input: ValidateInput = { mode: q('mode') as Mode | undefined, profile: q('profile') };
  if (isResource(body)) {
    // A Parameters body is the operation's input unless Parameters is what is being validated
    // (then it is the input only when it uses the operation's parameter names).
    if (body.resourceType === 'Parameters' && (req.resourceType !== 'Parameters' || isOperationParameters(body))) {
      // The query string and the body together are the inputs (as the genomics operations take
      // them): a body without `profile` keeps the query's, and one given in both is a second value.
      const fromBody = fromParameters(body);
      for (const name of ['mode', 'profile'] as const) {
        if (fromBody[name] === undefined) continue;
        if (input[name] !== undefined) throw fhirError('BAD_REQUEST', `$validate takes at most one ${name} (got one in the query and one in the body)`, name);
        (input as Record<string, unknown>)[name] = fromBody[name];
      }
      input.resource = fromBody.resource;
    } else input.resource = body;
  } else if (body !== undefined && body !== null && !(typeof body === 'string' && body === '')) {
    const mt = mediaType(req);
    // as create answers: a body in another format (FHIR XML …) is a media type this server does not take
    if (mt && mt !== 'application/fhir+json' && mt !== 'application/json') throw fhirError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${mt} is not supported: send application/fhir+json`);
    throw fhirError('BAD_REQUEST', 'The body must be a FHIR resource or a Parameters resource');
  }
  if (input.mode !== undefined && !MODES.has(input.mode)) throw fhirError('BAD_REQUEST', `mode must be create, update, delete or profile, got '${input.mode}'`, 'mode');
  return input;
}

function isResource(b: unknown): b is Resource {
  return typeof b === 'object' && b !== null && !Array.isArray(b) && !Buffer.isBuffer(b) && typeof (b as { resourceType?: unknown }).resourceType === 'string';
}

/** A Parameters body is the operation's input when it uses the operation's parameter names; otherwise it is the resource to validate. */
function isOperationParameters(p: Parameters): boolean {
  return (p.parameter ?? []).some((x) => OPERATION_PARAMS.has(x.name));
}

function fromParameters(p: Parameters): ValidateInput {
  const all = Array.isArray(p.parameter) ? p.parameter : [];
  for (const x of all) throwIfUnknownInput('validate', x?.name, INPUTS);
  const find = (name: (typeof INPUTS)[number]): ParametersParameter | undefined => {
    const found = all.filter((x) => x?.name === name);
    if (found.length > 1) throw fhirError('BAD_REQUEST', `$validate takes at most one ${name} (got ${found.length})`, `Parameters.parameter[name='${name}']`);
    // `resource` is a Resource, `mode` a code and `profile` a canonical (Resource-validate)
    if (found[0]) throwIfNotForm('validate', found[0], name === 'resource' ? 'resource' : 'value');
    return found[0];
  };
  const mode = find('mode');
  const profile = find('profile');
  return {
    resource: find('resource')?.resource,
    mode: (mode?.valueCode ?? mode?.valueString) as Mode | undefined,
    profile: profile?.valueUri ?? profile?.valueCanonical ?? profile?.valueString,
  };
}
