import type { OperationDefinition, OperationDefinitionParameter } from '@medplum/fhirtypes';
import type { OperationHandler } from '../../fhir/context.js';
import { ref } from './fhir-components.js';
import { operationExample } from './examples.js';

/**
 * OpenAPI path items for `$operations`, with parameters taken from each operation's
 * OperationDefinition: primitive `in` parameters become query parameters of the GET form (allowed
 * when the operation does not affect state), and the POST form takes a Parameters resource.
 */
const PRIMITIVE: Record<string, Record<string, unknown>> = {
  string: { type: 'string' }, code: { type: 'string' }, uri: { type: 'string' }, canonical: { type: 'string' },
  id: { type: 'string' }, date: { type: 'string' }, dateTime: { type: 'string' }, instant: { type: 'string' },
  boolean: { type: 'boolean' }, integer: { type: 'integer' }, positiveInt: { type: 'integer', minimum: 1 },
  unsignedInt: { type: 'integer', minimum: 0 }, decimal: { type: 'number' },
};

export const outcomeResponse = (description: string) => ({
  description,
  content: { 'application/fhir+json': { schema: ref('OperationOutcome') } },
});

function queryParameter(p: OperationDefinitionParameter, example: Record<string, string> | undefined): Record<string, unknown> | undefined {
  // Period is queried as repeated prefixed dates (testDateRange=ge2024-01-01&testDateRange=le2024-12-31).
  const schema = p.type === 'Period' ? { type: 'string' } : PRIMITIVE[p.type ?? ''];
  if (!schema || !p.name) return undefined;
  const many = p.max === '*';
  const value = example?.[p.name];
  return {
    name: p.name,
    in: 'query',
    required: (p.min ?? 0) > 0,
    description: `${p.documentation ?? ''} (FHIR type ${p.type}, ${p.min ?? 0}..${p.max ?? '1'})`.trim(),
    schema: many ? { type: 'array', items: schema } : schema,
    ...(many ? { style: 'form', explode: true } : {}),
    ...(value !== undefined ? { example: many ? value.split('&') : value } : {}),
  };
}

/** Path items for one operation handler at the given URL (e.g. `/fhir/$find-subject-variants`). */
export function operationPathItem(h: OperationHandler, def: OperationDefinition | undefined, tag: string, pathParams: unknown[], resourceType?: string): Record<string, unknown> {
  const inputs = (def?.parameter ?? []).filter((p) => p.use === 'in');
  const outputs = (def?.parameter ?? []).filter((p) => p.use === 'out').map((p) => `${p.name} (${p.type ?? 'part'}, ${p.min}..${p.max})`);
  const example = operationExample(h.name, resourceType);
  const description = [
    def?.description ?? def?.title ?? '',
    def?.url ? `Defined by ${def.url}.` : '',
    outputs.length ? `Returns a Parameters resource with: ${outputs.join('; ')}.` : '',
  ].filter(Boolean).join('\n\n');
  const ok = { description: 'Operation result', content: { 'application/fhir+json': { schema: ref(outputs.length ? 'Parameters' : 'Resource') } } };
  const responses = { 200: ok, 400: outcomeResponse('Malformed or missing parameter'), 404: outcomeResponse('Unknown subject or resource'), 422: outcomeResponse('Unprocessable') };
  const item: Record<string, unknown> = {
    post: {
      tags: [tag],
      summary: `$${h.name} (POST Parameters)`,
      description,
      operationId: `post_${resourceType ?? 'system'}_${pathParams.length ? 'instance' : 'type'}_${h.name}`.replace(/[^A-Za-z0-9_]/g, '_'),
      parameters: pathParams,
      requestBody: {
        content: {
          'application/fhir+json': { schema: ref('Parameters'), ...(example?.post ? { example: example.post } : {}) },
        },
      },
      responses,
    },
  };
  if (!h.affectsState) {
    item.get = {
      tags: [tag],
      summary: `$${h.name}`,
      description,
      operationId: `get_${resourceType ?? 'system'}_${pathParams.length ? 'instance' : 'type'}_${h.name}`.replace(/[^A-Za-z0-9_]/g, '_'),
      parameters: [...pathParams, ...inputs.map((p) => queryParameter(p, example?.get)).filter(Boolean)],
      responses,
    };
  }
  return item;
}
