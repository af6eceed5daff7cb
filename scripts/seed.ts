/**
 * `npm run seed`: loads the demo data set (src/demo/) so that every example in /docs returns data.
 * - If a server answers at BASE_URL (default http://127.0.0.1:8080/fhir), the data goes through its
 *   REST API, authorized with FHIR_TOKEN (the token `npm start` prints) when auth is on.
 * - Otherwise it opens the store itself (DATA_DIR or MONGODB_URL) and calls the FHIR core
 *   in-process; start the server afterwards and it serves the data.
 */
import { loadConfig } from '../src/config.js';
import { createStore } from '../src/storage/create-store.js';
import { coreSender, seedDemo, type Send } from '../src/demo/seed.js';

const config = loadConfig();
const base = (process.env.BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}/fhir`).replace(/\/$/, '');

async function serverAnswers(): Promise<boolean> {
  try {
    const res = await fetch(`${base}/metadata`, { signal: AbortSignal.timeout(1500) });
    return res.ok;
  } catch {
    return false;
  }
}

function httpSender(token: string | undefined): Send {
  return async (req) => {
    const qs = new URLSearchParams();
    for (const [k, vs] of Object.entries(req.query)) for (const v of vs) qs.append(k, v);
    const url = `${base}/${req.path}${qs.size ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/fhir+json', 'content-type': req.headers['content-type'] ?? 'application/fhir+json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const res = await fetch(url, { method: req.method, headers, body });
    const text = await res.text();
    if (res.status === 401) throw new Error(`the server at ${base} wants a token: FHIR_TOKEN=<the token npm start printed> npm run seed`);
    return { status: res.status, body: text };
  };
}

if (await serverAnswers()) {
  console.log(`Seeding the running server at ${base} …`);
  const summary = await seedDemo(httpSender(process.env.FHIR_TOKEN));
  console.log(`Loaded ${summary.resources} demo resources and a VCF import:`, summary.vcfVariants);
} else {
  const store = createStore(config);
  await store.init();
  try {
    console.log(`No server at ${base}; seeding the ${store.kind} store directly (${store.kind === 'embedded' ? config.dataDir : config.mongodbDb}) …`);
    const summary = await seedDemo(coreSender({ config, store }));
    console.log(`Loaded ${summary.resources} demo resources and a VCF import:`, summary.vcfVariants);
  } finally {
    await store.close();
  }
}
