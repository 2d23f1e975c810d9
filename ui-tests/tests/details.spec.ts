/**
 * Job details, live output and history in Debian Chromium against a real JupyterLab
 * and the real local Slurm: a job that prints a line a second for about 20 s is opened
 * from the queue panel, its output appears in follow mode, its end is notified, and the
 * history view opens from the panel.
 */
import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const TAG = `ui-details-${Date.now()}`;
const submitted: string[] = [];
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'jupyterlab-hpc-ui-details-'));

function sbatch(...args: string[]): string {
  const out = execFileSync('sbatch', ['--parsable', `--comment=${TAG}`, ...args], {
    cwd: folder,
    encoding: 'utf-8'
  });
  const id = out.trim().split(';')[0];
  submitted.push(id);
  return id;
}

test.afterAll(() => {
  if (submitted.length) {
    execFileSync('scancel', submitted);
  }
  fs.rmSync(folder, { recursive: true, force: true });
});

test.use({ autoGoto: true, viewport: { width: 1400, height: 1000 } });

/**
 * Screenshot the main area without the toasts: other tests on this shared cluster
 * run as the same user, so their jobs' end notifications may cover the view.
 */
async function shoot(
  page: import('@playwright/test').Page,
  testInfo: import('@playwright/test').TestInfo,
  name: string
): Promise<void> {
  const hide = await page.addStyleTag({ content: '.Toastify { display: none !important; }' });
  const shot = testInfo.outputPath(`${name}.png`);
  await page.locator('#jp-main-dock-panel').screenshot({ path: shot });
  await testInfo.attach(name, { path: shot, contentType: 'image/png' });
  await hide.evaluate(node => node.remove());
}

test('a job opened from the queue panel shows its output as it is written', async ({
  page
}, testInfo) => {
  test.setTimeout(300000);
  const job = sbatch(
    '-J',
    'ui: live output',
    '-t',
    '2',
    '-c',
    '1',
    `--output=${folder}/live-%j.out`,
    '--wrap',
    'for i in $(seq 1 20); do echo "tick $i of 20"; sleep 1; done; echo "all done"'
  );

  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.sidebar.setWidth(420, 'left');
  const panel = page.locator('#jupyterlab-hpc-queue');
  await panel.locator('.jp-hpc-queue-filter').fill('ui: live output');
  const row = panel.locator(`.jp-hpc-queue-row[data-job-id="${job}"]`);
  await expect(row).toBeVisible({ timeout: 30000 });

  // Double-click opens the details in the main area; a second time reuses the tab.
  await row.dblclick();
  const details = page.locator(`.jp-hpc-details[data-job-id="${job}"]`);
  await expect(details).toBeVisible({ timeout: 15000 });
  await expect(details.locator('.jp-hpc-details-name')).toHaveText('ui: live output');
  await expect(details.locator('.jp-hpc-timeline-step[data-step="submitted"]')).toContainText(
    'Submitted'
  );
  await row.dblclick();
  await expect(page.locator('.jp-hpc-details')).toHaveCount(1);

  // The node is shared with other tests: the job may wait a little before it starts.
  await expect(details).toHaveAttribute('data-state', 'running', { timeout: 120000 });
  // Follow mode: lines appear while the job writes them.
  const text = details.locator('.jp-hpc-output-text');
  await expect(text).toContainText('tick 3 of 20', { timeout: 30000 });
  await expect(details.locator('.jp-hpc-output-follow input')).toBeChecked();
  await expect(details.locator('.jp-hpc-output-path')).toContainText(`live-${job}.out`);
  // The output is outside the server's root folder: the editor button says why.
  await expect(details.locator('.jp-hpc-output-open')).toBeDisabled();
  await expect(details.locator('.jp-hpc-output-open')).toHaveAttribute(
    'title',
    /outside the Jupyter server's root folder/
  );
  // More lines arrive without doing anything: the view follows the file.
  const seen = (await text.textContent()) ?? '';
  const last = Math.max(...[...seen.matchAll(/tick (\d+) of 20/g)].map(m => Number(m[1])));
  expect(last).toBeLessThan(20);
  await expect(text).toContainText(`tick ${last + 1} of 20`, { timeout: 30000 });
  await expect(details.locator('.jp-hpc-script')).toContainText('tick $i of 20');

  await shoot(page, testInfo, 'details-running-light');

  // The end: the last line, the final state, and a notification with "Show details".
  await expect(text).toContainText('all done', { timeout: 60000 });
  await expect(details).toHaveAttribute('data-state', 'completed', { timeout: 30000 });
  // Read to its end after the job ended: the output is complete, nothing left to follow.
  await expect(details.locator('.jp-hpc-output-status')).toContainText(
    'the job has ended: its output is complete',
    { timeout: 30000 }
  );
  const follow = details.locator('.jp-hpc-output-follow');
  await expect(follow.locator('input')).not.toBeChecked();
  await expect(follow.locator('input')).toBeDisabled();
  await expect(follow).toHaveAttribute('title', 'The job has ended: its output is complete');
  await expect(details.locator('.jp-hpc-output-text')).toContainText('all done');
  const toast = page.locator('.Toastify__toast', { hasText: `Job ${job}` });
  await expect(toast).toContainText('completed', { timeout: 30000 });
  await expect(toast.getByRole('button', { name: 'Show details' })).toBeVisible();

  await shoot(page, testInfo, 'details-completed-light');

  await page.theme.setDarkTheme();
  await expect(details).toBeVisible();
  await shoot(page, testInfo, 'details-completed-dark');

  await page.theme.setLightTheme();

  // "Resubmit a copy" opens the submit panel with the job's script and options.
  await details.locator('.jp-hpc-details-resubmit').click();
  const submit = page.locator('.jp-hpc-submit-widget');
  await expect(submit).toBeVisible({ timeout: 15000 });
  await expect(submit.locator('[data-field="name"] input')).toHaveValue('ui: live output', {
    timeout: 15000
  });
  await expect(submit.locator('.jp-hpc-submit-codemirror .cm-content')).toContainText(
    'tick $i of 20'
  );

  // The history view, from the panel's button: the job is there once slurmdbd has it.
  await panel.locator('.jp-hpc-queue-history').click();
  const history = page.locator('.jp-hpc-history');
  await expect(history).toBeVisible();
  const historyRow = history.locator(`.jp-hpc-history-row[data-job-id="${job}"]`);
  await expect(async () => {
    await history.locator('.jp-hpc-history-refresh').click();
    await expect(historyRow).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 60000 });
  await expect(historyRow).toHaveAttribute('data-state', 'completed');
  await expect(historyRow.locator('td').nth(6)).toHaveText(/^0:[2-4]\d$/); // elapsed
  await shoot(page, testInfo, 'history-light');
  await page.theme.setDarkTheme();
  await shoot(page, testInfo, 'history-dark');
  await page.theme.setLightTheme();

  // Double-click in the history opens (here: goes back to) the job's details.
  await historyRow.dblclick();
  await expect(details).toBeVisible();
  await expect(page.locator('.jp-hpc-details')).toHaveCount(1);
});

test('details of a job from the palette, with its id asked for', async ({ page }) => {
  const job = sbatch('-H', '-J', 'ui: held for details', '-t', '1', '--wrap', 'sleep 30');
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('apputils:activate-command-palette');
  });
  const palette = page.locator('#command-palette');
  await palette.locator('input').fill('Show Job Details');
  await palette.locator('.lm-CommandPalette-item', { hasText: 'Show Job Details' }).click();
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('input').fill(job);
  await dialog.getByRole('button', { name: /OK/i }).click();
  const details = page.locator(`.jp-hpc-details[data-job-id="${job}"]`);
  await expect(details).toHaveAttribute('data-state', 'held', { timeout: 15000 });
  // A held job: Release is offered, and its output file does not exist yet.
  await expect(details.locator('.jp-hpc-details-release')).toBeEnabled();
  await expect(details.locator('.jp-hpc-details-hold')).toBeDisabled();
  await expect(details.locator('.jp-hpc-output-missing')).toContainText('does not exist yet');
});

/** Counts the page's listings of the queue and its per-job state requests. */
function countRequests(page: import('@playwright/test').Page): {
  listings: number;
  states: number;
} {
  const counts = { listings: 0, states: 0 };
  page.on('request', request => {
    const url = new URL(request.url());
    if (url.pathname.endsWith('/jupyterlab-hpc/jobs')) {
      counts.listings++;
    } else if (url.pathname.endsWith('/jupyterlab-hpc/jobs/states')) {
      counts.states++;
    }
  });
  return counts;
}

test('a job that fails while the queue panel is closed is notified, with Show details', async ({
  page
}) => {
  test.setTimeout(180000);
  // The panel stays closed the whole test: the notification comes from per-job states
  // of the watched jobs, never from a listing of the queue (issue 17).
  const counts = countRequests(page);
  await expect(page.locator('#jupyterlab-hpc-queue')).toBeHidden();
  const job = sbatch(
    '-J',
    'ui: fails quietly',
    '-t',
    '1',
    `--output=${folder}/fail-%j.out`,
    '--wrap',
    'echo about to fail; sleep 15; exit 3'
  );
  // What the submit tab runs when it submitted a job: watch it.
  await page.evaluate(async jobId => {
    await window.jupyterapp.commands.execute('hpc:watch-job-end', { jobId, name: 'quietly' });
  }, job);
  const toast = page.locator('.Toastify__toast', { hasText: `Job ${job} ` });
  await expect(toast).toContainText('failed (exit code 3)', { timeout: 120000 });
  expect(counts.listings).toBe(0);
  expect(counts.states).toBeGreaterThan(0);
  await toast.getByRole('button', { name: 'Show details' }).click();
  const details = page.locator(`.jp-hpc-details[data-job-id="${job}"]`);
  await expect(details).toHaveAttribute('data-state', 'failed', { timeout: 15000 });
  await expect(details.locator('.jp-hpc-timeline-step[data-step="ended"]')).toContainText(
    'failed (exit 3)'
  );
  await expect(details.locator('.jp-hpc-output-text')).toContainText('about to fail');
  await expect(page.locator('#jupyterlab-hpc-queue')).toBeHidden();
});

test('a job submitted through the server before a page reload is still notified', async ({
  page
}) => {
  test.setTimeout(180000);
  const response = await page.request.post('/jupyterlab-hpc/jobs/submit', {
    data: {
      script: `#!/bin/bash\necho reloaded; sleep 12; exit 4\n`,
      options: {
        name: 'ui: reloaded',
        time_limit: '1',
        workdir: folder,
        output: `${folder}/reload-%j.out`
      }
    }
  });
  expect(response.ok()).toBe(true);
  const job: string = (await response.json()).job_id;
  submitted.push(job);
  const counts = countRequests(page);
  await page.reload();
  await expect(page.locator('#jupyterlab-hpc-queue')).toBeHidden();
  const toast = page.locator('.Toastify__toast', { hasText: `Job ${job} ` });
  await expect(toast).toContainText('failed (exit code 4)', { timeout: 120000 });
  expect(counts.listings).toBe(0);
});

test("a queue row's context menu opens the details", async ({ page }) => {
  const job = sbatch('-H', '-J', 'ui: context menu', '-t', '1', '--wrap', 'sleep 30');
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  const panel = page.locator('#jupyterlab-hpc-queue');
  await panel.locator('.jp-hpc-queue-filter').fill('ui: context menu');
  const row = panel.locator(`.jp-hpc-queue-row[data-job-id="${job}"]`);
  await expect(row).toBeVisible({ timeout: 30000 });
  await row.click({ button: 'right' });
  await page.locator('.lm-Menu-item', { hasText: 'Show Details' }).click();
  await expect(page.locator(`.jp-hpc-details[data-job-id="${job}"]`)).toHaveAttribute(
    'data-state',
    'held',
    { timeout: 15000 }
  );
});
