#!/usr/bin/env node
/**
 * The queue panel in Debian Chromium, with a large queue already on the server:
 *   - time from the arrival of the "all jobs" listing to the first painted rows;
 *   - filter keystroke to repaint;
 *   - frame times while scrolling the table.
 * Usage: node scripts/bench-queue-browser.js <lab URL with token> <expected job count>
 * Prints one JSON object. Called by scripts/bench-queue; not a test.
 */
const path = require('path');

const root = path.resolve(__dirname, '..');
const { chromium } = require(
  require.resolve('playwright-core', { paths: [path.join(root, 'ui-tests')] })
);

// The median and 95th percentile of a list of numbers.
function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  return {
    median: v[Math.floor(v.length / 2)],
    p95: v[Math.min(v.length - 1, Math.ceil(v.length * 0.95) - 1)],
    n: v.length
  };
}

async function main() {
  const [url, expected] = process.argv.slice(2);
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
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  // Record when each "all jobs" listing has fully arrived (body read), in page time.
  await page.addInitScript(() => {
    window.__hpcArrivals = [];
    const original = window.fetch.bind(window);
    window.fetch = async (...args) => {
      const response = await original(...args);
      const target = String(args[0] && args[0].url ? args[0].url : args[0]);
      if (target.includes('/jupyterlab-hpc/jobs') && target.includes('scope=all')) {
        response
          .clone()
          .arrayBuffer()
          .then(() => window.__hpcArrivals.push(performance.now()));
      }
      return response;
    };
  });
  await page.goto(url);
  await page.waitForSelector('.jp-LabShell', { timeout: 120000 });
  // The workspace may restore the panel open; a click on its tab would close it then.
  if (!(await page.locator('#jupyterlab-hpc-queue').isVisible())) {
    await page.click('.jp-SideBar [data-id="jupyterlab-hpc-queue"]');
  }
  await page.waitForSelector('#jupyterlab-hpc-queue .jp-hpc-queue-scope-all');

  // 1. "All jobs": from the listing's arrival to the frame that shows its rows.
  const firstPaint = await page.evaluate(async expectedCount => {
    const panel = document.getElementById('jupyterlab-hpc-queue');
    const statusText = () =>
      panel.querySelector('.jp-hpc-queue-status-text')?.textContent || '';
    const count = () => Number((statusText().match(/([\d,]+) jobs/) || ['', '0'])[1].replace(/,/g, ''));
    const before = window.__hpcArrivals.length;
    panel.querySelector('.jp-hpc-queue-scope-all').click();
    return await new Promise(resolve => {
      const check = () => {
        const arrived = window.__hpcArrivals.length > before;
        if (arrived && count() >= expectedCount && panel.querySelector('.jp-hpc-queue-row')) {
          // The frame after this callback is the one painted with the rows.
          requestAnimationFrame(() =>
            setTimeout(() => resolve({
              ms: performance.now() - window.__hpcArrivals[before],
              rows: panel.querySelectorAll('.jp-hpc-queue-row').length,
              status: statusText()
            }))
          );
        } else {
          requestAnimationFrame(check);
        }
      };
      check();
    });
  }, Number(expected));

  // 2. Filter keystroke to repaint. The input is changed in the page the way a keystroke
  // changes it (the native value setter, then an "input" event, which React handles as a
  // keystroke) and timed to the next painted frame: Playwright's own key presses add
  // hundreds of ms of input-pipeline delay in headless Chromium that no user sees.
  // Each value narrows or widens the jobs shown (digits of job ids).
  const keystrokes = [];
  for (const value of ['9', '99', '9', '', '8', '81', '8', '']) {
    keystrokes.push(
      await page.evaluate(async text => {
        const input = document.querySelector('#jupyterlab-hpc-queue .jp-hpc-queue-filter');
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        const start = performance.now();
        setValue.call(input, text);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve)));
        return performance.now() - start;
      }, value)
    );
  }

  // 3. Frame times while scrolling the table steadily for 3 s.
  const frames = await page.evaluate(async () => {
    const scroller = document.querySelector('#jupyterlab-hpc-queue .jp-hpc-queue-scroll');
    const times = [];
    let last = performance.now();
    const end = last + 3000;
    await new Promise(resolve => {
      const step = now => {
        times.push(now - last);
        last = now;
        scroller.scrollTop += 400;
        if (now < end) {
          requestAnimationFrame(step);
        } else {
          resolve();
        }
      };
      requestAnimationFrame(step);
    });
    return { deltas: times.slice(1), domRows: document.querySelectorAll('.jp-hpc-queue-row').length };
  });

  await browser.close();
  console.log(
    JSON.stringify({
      firstPaintMs: Math.round(firstPaint.ms),
      firstPaintRowsInDom: firstPaint.rows,
      status: firstPaint.status,
      keystroke: stats(keystrokes),
      scrollFrame: stats(frames.deltas),
      scrollRowsInDom: frames.domRows
    })
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
