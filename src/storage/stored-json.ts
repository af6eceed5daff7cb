import type { Resource } from '@medplum/fhirtypes';
import { copyNumberText, stringifyFhir } from '../fhir/json-decimals.js';

/**
 * The stored body of a new version: the store's own `meta.versionId` and `meta.lastUpdated`
 * replace whatever the client sent (https://hl7.org/fhir/R4/resource.html#Meta), keys in a
 * stable order, the caller's object untouched. Shared by both adapters.
 */
export function storedJson(resource: Resource & { id: string }, versionId: number, lastUpdated: string): string {
  return serialize(resource, String(versionId), lastUpdated);
}

function serialize(resource: Resource & { id: string }, versionId: string, lastUpdated: string): string {
  const { resourceType, id, meta, ...rest } = resource;
  const body = { resourceType, id, meta: { ...meta, versionId, lastUpdated }, ...rest };
  copyNumberText(resource, body); // decimals written as the client wrote them (json-decimals.ts)
  return stringifyFhir(body);
}

const MARK_V = '\u0000fgs-versionId\u0000';
const MARK_L = '\u0000fgs-lastUpdated\u0000';
const MARK_V_JSON = JSON.stringify(MARK_V);
const MARK_L_JSON = JSON.stringify(MARK_L);

/**
 * `storedJson` before the version is known (bulk loads serialize on worker threads): the JSON in
 * three pieces around the two values, so `pieces[0] + A + pieces[1] + B + pieces[2]` equals
 * `storedJson(resource, v, lu)`, where A and B are `JSON.stringify(String(v))` and
 * `JSON.stringify(lu)`, in that order unless `lastUpdatedFirst` (a client `meta` that lists
 * lastUpdated before versionId keeps that order). Built by `storedJson`'s own construction with
 * marker values; undefined when the content itself holds a marker (then the caller serializes at
 * write time).
 */
export function storedJsonPieces(resource: Resource & { id: string }): { pieces: [string, string, string]; lastUpdatedFirst: boolean } | undefined {
  const json = serialize(resource, MARK_V, MARK_L);
  const v = json.indexOf(MARK_V_JSON);
  const l = json.indexOf(MARK_L_JSON);
  if (v < 0 || l < 0 || json.indexOf(MARK_V_JSON, v + 1) >= 0 || json.indexOf(MARK_L_JSON, l + 1) >= 0) return undefined;
  const [a, aLen, b, bLen] = v < l ? [v, MARK_V_JSON.length, l, MARK_L_JSON.length] : [l, MARK_L_JSON.length, v, MARK_V_JSON.length];
  return { pieces: [json.slice(0, a), json.slice(a + aLen, b), json.slice(b + bLen)], lastUpdatedFirst: l < v };
}
