import t from 'tap';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer } from './server-process.js';
import { httpSender, seedDemo } from '../../src/demo/seed.js';

/**
 * Swagger UI in a real browser (Debian's chromium driven by playwright-core): open /docs,
 * authorize with the token `npm start` printed, run a search and a genomics operation through
 * "Try it out", and check the answers shown. A screenshot is kept in test-artifacts/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Expands a tag section (collapsed by default) until the given operation block shows. */
async function openTag(page: Page, tagId: string, opblockId: string): Promise<void> {
  const op = page.locator(`#${opblockId}`);
  if (await op.isVisible()) return;
  await page.locator(`#operations-tag-${tagId}`).click({ noWaitAfter: true });
  await op.waitFor({ timeout: 120_000 });
}

async function tryItOut(page: Page, opblockId: string, fill: Record<string, string> = {}): Promise<{ status: string; body: string }> {
  const block = page.locator(`#${opblockId}`);
  await block.scrollIntoViewIfNeeded();
  if (!(await block.locator('.try-out__btn').isVisible())) await block.locator('.opblock-summary').first().click({ noWaitAfter: true });
  // tryItOutEnabled opens operations in "Try it out" mode already; the button then reads "Cancel".
  const button = block.locator('.try-out__btn');
  await button.waitFor();
  if (/try it out/i.test((await button.textContent()) ?? '')) await button.click();
  for (const [name, value] of Object.entries(fill)) {
    const row = block.locator(`tr[data-param-name="${name}"]`);
    const input = row.locator('input[type=text], textarea').first();
    await input.fill(value);
  }
  await block.locator('button.execute').click();
  const status = block.locator('.live-responses-table tr.response .response-col_status').first();
  await status.waitFor({ timeout: 30_000 });
  const body = await block.locator('.live-responses-table tr.response .response-col_description pre').first().textContent({ timeout: 30_000 });
  return { status: (await status.textContent())?.trim() ?? '', body: body ?? '' };
}

t.test('Swagger UI: authorize, search and run an operation', { skip: existsSync(CHROMIUM) ? false : `chromium not found at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)` }, async (t) => {
  const server = await startServer();
  t.teardown(() => server.stop());
  t.ok(server.token, 'npm start printed a development token');
  await seedDemo(httpSender(server.base, server.token));

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // Swagger UI renders large FHIR operations slowly on a loaded 2-core machine.
  page.setDefaultTimeout(120_000);
  await page.goto(`${server.origin}/docs`, { waitUntil: 'domcontentloaded' });
  await page.locator('.information-container .title').waitFor({ timeout: 120_000 });
  t.match(await page.locator('.information-container .title').textContent(), /FHIR Genomics Server/);

  // Authorize with the printed token.
  await page.locator('button.authorize').first().click();
  await page.locator('.auth-container input').first().fill(server.token!);
  await page.locator('.auth-btn-wrapper button.authorize').first().click();
  await page.locator('.auth-btn-wrapper button.btn-done').first().click();

  // A search: Observations of the demo patient (examples pre-fill the parameters).
  await openTag(page, 'Observation', 'operations-Observation-get_Observation');
  const search = await tryItOut(page, 'operations-Observation-get_Observation', { subject: 'Patient/demo-p1', code: 'http://loinc.org|69548-6' });
  t.equal(search.status, '200', 'search answered 200 in the UI');
  t.match(search.body, /"resourceType": "Bundle"/);
  t.match(search.body, /demo-var-egfr-l858r/, 'the demo variant is shown');

  // A genomics operation.
  const opId = 'operations-Genomics_operations-get_system_type_find_subject_variants';
  await openTag(page, 'Genomics_operations', opId);
  const op = await tryItOut(page, opId);
  t.equal(op.status, '200', '$find-subject-variants answered 200 in the UI');
  t.match(op.body, /"resourceType": "Parameters"/);
  t.match(op.body, /presence/);

  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: 'test-artifacts/swagger-ui.png', fullPage: false });
  t.pass('screenshot saved to test-artifacts/swagger-ui.png');
});
