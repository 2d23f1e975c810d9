#!/usr/bin/env node
/**
 * One Lab tab in Debian Chromium with the queue panel closed (end-of-job notifications
 * on, the default), left alone: what its background work asks of the server.
 * Usage: node scripts/bench-background-browser.js <lab URL with token> <seconds>
 * Prints {"ready": true} once the Lab is up with the panel closed, then, <seconds>
 * later, {"listings": n, "states": n, "details": n} (requests the page sent in that
 * time) and exits. Called by scripts/bench-background; not a test.
 */
const path = require('path');

const root = path.resolve(__dirname, '..');
const { chromium } = require(
  require.resolve('playwright-core', { paths: [path.join(root, 'ui-tests')] })
);

async function main() {
  const [url, seconds] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('.jp-LabShell', { timeout: 120000 });
  // A workspace may restore the panel open: close it (a click on its tab toggles it).
  if (await page.locator('#jupyterlab-hpc-queue').isVisible()) {
    await page.locator('li[data-id="jupyterlab-hpc-queue"]').click();
  }
  await page.waitForTimeout(5000); // the first rounds after the page load
  const counts = { listings: 0, states: 0, details: 0 };
  page.on('request', request => {
    const p = new URL(request.url()).pathname;
    if (p.endsWith('/jupyterlab-hpc/jobs')) {
      counts.listings++;
    } else if (p.endsWith('/jupyterlab-hpc/jobs/states')) {
      counts.states++;
    } else if (/\/jupyterlab-hpc\/jobs\/[^/]+$/.test(p)) {
      counts.details++;
    }
  });
  console.log(JSON.stringify({ ready: true }));
  await page.waitForTimeout(Number(seconds) * 1000);
  counts.panelOpen = await page.locator('#jupyterlab-hpc-queue').isVisible();
  console.log(JSON.stringify(counts));
  await browser.close();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
