import { isResourceType, RESOURCE_TYPES } from '../validation/resource-types.js';

/**
 * The resource types the REST API serves: exactly the official FHIR R4 4.0.1 set owned by the
 * validation module (schemas/r4/resource-types.json). Any other name in a URL answers 404
 * (https://hl7.org/fhir/R4/http.html#general).
 */
export function isKnownResourceType(name: string): boolean {
  return isResourceType(name);
}

const SORTED = [...RESOURCE_TYPES].sort();

/** Every supported type, sorted. */
export function resourceTypes(): string[] {
  return SORTED;
}
