import { authUrls } from './auth-service.js';

/**
 * The `oauth-uris` extension SMART clients read from CapabilityStatement.rest.security
 * (https://hl7.org/fhir/smart-app-launch/conformance.html#using-cors): where the token endpoint
 * is, next to /.well-known/smart-configuration.
 */
export function smartOauthUris(baseUrl: string): Array<{ url: string; extension: Array<{ url: string; valueUri: string }> }> {
  const urls = authUrls(baseUrl);
  return [{
    url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
    extension: [{ url: 'token', valueUri: urls.tokenUrl }],
  }];
}
