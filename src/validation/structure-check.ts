import { compileUnit, newUnit, type Schema } from './schema-compiler.js';

/**
 * A yes/no answer to "does this resource pass the R4 JSON Schema?", compiled from the same schema
 * as the ajv validators (schema-validators.ts) by schema-compiler.ts: nearly every resource
 * written is valid, and ajv's generated code builds an error path and an options object for
 * every value it visits.
 *
 * Contract (test/validation/structure-check.test.ts): the same verdict as ajv for JSON data
 * (objects whose properties are own, enumerable data properties, as JSON.parse makes them).
 * validate.ts asks ajv (allErrors) only when this says no, so ajv still writes every error.
 */
export type StructureCheck = (value: unknown) => boolean;

/**
 * The check for one definition of the schema (`Observation`), with every definition it refers
 * to; undefined when the definition uses something the compiler does not support.
 */
export function compileStructureCheck(definitions: Record<string, Schema>, name: string): StructureCheck | undefined {
  const check = compileUnit<undefined>(newUnit(definitions), name);
  return check && ((value) => check(value, undefined));
}
