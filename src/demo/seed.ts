import type { FhirContext, FhirRequest, FhirResponse } from '../fhir/context.js';
import { handleFhirRequest } from '../fhir/rest/router.js';
import { demoTransactionBundle } from './demo-data.js';
import { DEMO_VCF, DEMO_VCF_PATIENT } from './demo-vcf.js';

/**
 * Loads the demo data set: one transaction Bundle of PUTs (fixed ids, so seeding again changes
 * nothing but versions) and one VCF through `$import-vcf` (idempotent by design of the import).
 * `send` is either the FHIR core called in-process or an HTTP client for a running server.
 */
export type Send = (req: Pick<FhirRequest, 'method' | 'path' | 'query' | 'headers' | 'body'>) => Promise<FhirResponse>;

export interface SeedSummary {
  resources: number;
  vcfVariants: unknown;
}

export async function seedDemo(send: Send): Promise<SeedSummary> {
  const bundle = demoTransactionBundle();
  const tx = await send({ method: 'POST', path: '', query: {}, headers: { 'content-type': 'application/fhir+json' }, body: bundle });
  if (tx.status !== 200) throw new Error(`demo transaction failed (${tx.status}): ${bodyText(tx)}`);
  const vcf = await send({
    method: 'POST',
    path: '$import-vcf',
    query: { patient: [DEMO_VCF_PATIENT], build: ['GRCh38'] },
    headers: { 'content-type': 'text/plain' },
    body: DEMO_VCF,
  });
  if (vcf.status !== 200) throw new Error(`demo VCF import failed (${vcf.status}): ${bodyText(vcf)}`);
  return { resources: bundle.entry?.length ?? 0, vcfVariants: summarize(vcf) };
}

function bodyText(res: FhirResponse): string {
  return typeof res.body === 'string' ? res.body.slice(0, 2000) : JSON.stringify(res.body).slice(0, 2000);
}

function summarize(res: FhirResponse): unknown {
  const body = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
  const params = (body as { parameter?: Array<{ name: string; valueInteger?: number }> })?.parameter ?? [];
  return Object.fromEntries(params.filter((p) => p.valueInteger !== undefined).map((p) => [p.name, p.valueInteger]));
}

/** In-process sender: the FHIR core without HTTP and without auth (a local administration tool). */
export function coreSender(ctx: FhirContext): Send {
  return (req) => handleFhirRequest({ ...req }, ctx);
}

/** HTTP sender for a running server at `base` (e.g. http://127.0.0.1:8080/fhir). */
export function httpSender(base: string, token: string | undefined): Send {
  return async (req) => {
    const qs = new URLSearchParams();
    for (const [k, vs] of Object.entries(req.query)) for (const v of vs) qs.append(k, v);
    const url = `${base}/${req.path}${qs.size ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/fhir+json', 'content-type': req.headers['content-type'] ?? 'application/fhir+json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const res = await fetch(url, { method: req.method, headers, body });
    if (res.status === 401) throw new Error(`the server at ${base} wants a token: FHIR_TOKEN=<the token npm start printed> npm run seed, or DATA_DIR=<the server's DATA_DIR> (its .dev-token)`);
    return { status: res.status, body: await res.text() };
  };
}
