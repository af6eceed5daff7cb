import { officialResourceTypes, readDefinitions } from './official-types.js';
import { reduceSchema, type JsonSchemaDoc } from './reduce-schema.js';
import { buildElementModel, medplumAdditions } from './element-model.js';
import { buildExtensionValues, buildTypeBases } from './extensions.js';
import { inlineRequiredBindings, type BindingReport } from './required-bindings.js';
import { r4Expander } from './value-sets.js';

/**
 * Everything scripts/generate-r4-schemas.ts writes, as file texts, so a test can check that the
 * committed schemas/r4/ is exactly what the generator produces from the installed definitions.
 */
export interface R4Build {
  types: string[];
  schema: JsonSchemaDoc;
  dropped: string[];
  kept: number;
  bindings: BindingReport;
  files: Record<'resource-types.json' | 'fhir.schema.json' | 'element-model.json' | 'extensions.json', string>;
}

/** One definition per line: small, and diffs stay readable when the definitions change. */
function byLine(head: Record<string, unknown>, key: string, entries: Record<string, unknown>): string {
  const lines = Object.entries(entries).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  const headText = JSON.stringify(head).slice(1, -1);
  const text = `{${headText}${headText ? ',' : ''}${JSON.stringify(key)}:{\n${lines.join(',\n')}\n}}\n`;
  JSON.parse(text); // never write something that does not parse
  return text;
}

export function buildR4Schemas(): R4Build {
  const types = officialResourceTypes();
  const source = readDefinitions<JsonSchemaDoc>('fhir.schema.json');
  const { schema, kept, dropped } = reduceSchema(source, types, medplumAdditions());
  const { definitions, ...head } = schema;
  const bindings = inlineRequiredBindings(definitions, r4Expander());
  const model = buildElementModel(definitions);
  return {
    types,
    schema,
    dropped,
    kept,
    bindings,
    files: {
      'resource-types.json': JSON.stringify(types, null, 1) + '\n',
      'fhir.schema.json': byLine(head, 'definitions', definitions),
      'element-model.json': byLine({}, 'definitions', model),
      'extensions.json': byLine(
        {
          about: 'core R4 extensions: value[x] types ([]: no value, sub-extensions only) and contexts (an element id; `extension <url>`, `fhirpath <expression>`); bases: types whose base is not Element (data types) or DomainResource (resources); scripts/r4-schemas/extensions.ts',
          bases: buildTypeBases(),
        },
        'extensions',
        buildExtensionValues(),
      ),
    },
  };
}
