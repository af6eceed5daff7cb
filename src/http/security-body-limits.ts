import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config.js';
import { FhirError } from '../fhir/errors.js';
import { checkJsonShape } from '../validation/json-shape.js';
import { isFhirPath } from './security-auth-hook.js';

/**
 * Denial-of-service limits on parsed request bodies, before any handler walks them: nesting
 * depth and forbidden keys (the validation module's checkJsonShape, iterative so hostile depth
 * cannot overflow a stack) for every JSON body under /fhir, Parameters and Bundles included; and
 * a cap on Bundle entries (FHIR_MAX_BUNDLE_ENTRIES) so one request cannot hold the single writer
 * for minutes. Body size itself is Fastify's bodyLimit (FHIR_BODY_LIMIT).
 */
export function registerBodyLimits(app: FastifyInstance, config: AppConfig): void {
  const maxEntries = config.security.maxBundleEntries;
  app.addHook('preHandler', (request, _reply, done) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Buffer.isBuffer(body) || !isFhirPath(request.url)) return done();
    const issues = checkJsonShape(body);
    if (issues.length) return done(new FhirError('INVALID_JSON', issues[0].diagnostics, { issues }));
    const entry = (body as { resourceType?: unknown; entry?: unknown }).entry;
    if ((body as { resourceType?: unknown }).resourceType === 'Bundle' && Array.isArray(entry) && entry.length > maxEntries) {
      return done(new FhirError('TOO_COSTLY', `A Bundle may carry at most ${maxEntries} entries (got ${entry.length}); split it`, { expression: 'Bundle.entry' }));
    }
    done();
  });
}
