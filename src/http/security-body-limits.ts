import type { FastifyInstance } from 'fastify';
import { FhirError } from '../fhir/errors.js';
import { checkJsonShape } from '../validation/json-shape.js';
import { isFhirPath } from './security-auth-hook.js';

/**
 * Denial-of-service limits on parsed request bodies, before any handler walks them: nesting
 * depth and forbidden keys (the validation module's checkJsonShape, iterative so hostile depth
 * cannot overflow a stack) for every JSON body under /fhir, Parameters and Bundles included.
 * Body size itself is Fastify's bodyLimit (FHIR_BODY_LIMIT); the Bundle entry cap
 * (FHIR_MAX_BUNDLE_ENTRIES) is the FHIR core's (fhir/bundle/bundle-handler.ts), so it holds for
 * every caller, not only HTTP.
 */
export function registerBodyLimits(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Buffer.isBuffer(body) || !isFhirPath(request.url)) return done();
    const issues = checkJsonShape(body);
    if (issues.length) return done(new FhirError('INVALID_JSON', issues[0].diagnostics, { issues }));
    done();
  });
}
