/**
 * The queue panel in Debian Chromium against a real JupyterLab and the real local Slurm:
 * a job submitted with sbatch appears, is cancelled from the UI, and goes.
 */
import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';

const TAG = `ui-test-${Date.now()}`;
const submitted: string[] = [];

function sbatch(...args: string[]): string {
  const out = execFileSync(
    'sbatch',
    ['--parsable', '--output=/dev/null', `--comment=${TAG}`, ...args],
    { cwd: '/tmp', encoding: 'utf-8' }
  );
  const id = out.trim().split(';')[0];
  submitted.push(id);
  return id;
}

test.afterAll(() => {
  if (submitted.length) {
    execFileSync('scancel', submitted);
  }
});

test.use({ autoGoto: true });

test('a job submitted with sbatch appears and is cancelled from the panel', async ({
  page
}, testInfo) => {
  sbatch('-J', 'ui: running analysis', '-t', '30', '--wrap', 'sleep 600');
  sbatch('-J', 'ui: parameter sweep', '--array=1-4%1', '-t', '20', '--wrap', 'sleep 600');
  const target = sbatch('-H', '-J', 'ui: cancel me', '-p', 'long', '--wrap', 'sleep 60');

  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.sidebar.setWidth(560, 'left');
  const panel = page.locator('#jupyterlab-hpc-queue');
  await expect(panel).toBeVisible();

  // The table draws only the rows in view: narrow it to this run's jobs first, as a
  // user would on a busy queue.
  await panel.locator('.jp-hpc-queue-filter').fill('ui: ');
  const row = panel.locator(`.jp-hpc-queue-row[data-job-id="${target}"]`);
  await expect(row).toBeVisible({ timeout: 30000 });
  await expect(row).toHaveAttribute('data-state', 'held');
  await expect(row).toContainText('ui: cancel me');
  await expect(panel.locator('.jp-hpc-queue-status-scheduler')).toContainText('Slurm');

  const shot = testInfo.outputPath('queue-panel-light.png');
  await panel.screenshot({ path: shot });
  await testInfo.attach('queue-panel-light', { path: shot, contentType: 'image/png' });

  await row.locator('.jp-hpc-queue-row-check').check();
  await panel.locator('.jp-hpc-queue-cancel').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(target);
  await dialog.getByRole('button', { name: /^Cancel 1 job/ }).click();

  await expect(row).toHaveCount(0, { timeout: 30000 });
  await expect(
    page.locator('.jp-Notification-Toast, .Toastify__toast', { hasText: /Cancelled 1 job/ })
  ).toBeVisible();
  const state = execFileSync('squeue', ['-h', '-t', 'all', '-j', target, '-o', '%T'], {
    encoding: 'utf-8'
  }).trim();
  expect(['CANCELLED', '']).toContain(state);
});

test('the filter narrows the table and the dark theme reads well', async ({
  page
}, testInfo) => {
  const job = sbatch('-H', '-J', 'ui: dark theme check', '--wrap', 'sleep 60');
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.sidebar.setWidth(560, 'left');
  const panel = page.locator('#jupyterlab-hpc-queue');
  await panel.locator('.jp-hpc-queue-filter').fill('dark theme');
  await expect(panel.locator(`.jp-hpc-queue-row[data-job-id="${job}"]`)).toBeVisible({
    timeout: 30000
  });
  await expect(panel.locator('.jp-hpc-queue-row')).toHaveCount(1);
  await panel.locator('.jp-hpc-queue-filter').fill('ui: ');

  await page.theme.setDarkTheme();
  await expect(panel.locator(`.jp-hpc-queue-row[data-job-id="${job}"]`)).toBeVisible();
  const shot = testInfo.outputPath('queue-panel-dark.png');
  await panel.screenshot({ path: shot });
  await testInfo.attach('queue-panel-dark', { path: shot, contentType: 'image/png' });
  await page.theme.setLightTheme();
});

test('commands are in the palette', async ({ page }) => {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('apputils:activate-command-palette');
  });
  const palette = page.locator('#command-palette');
  await palette.locator('input').fill('HPC Job Queue');
  await expect(palette.locator('.lm-CommandPalette-item', { hasText: 'Show HPC Job Queue' })).toBeVisible();
  await expect(palette.locator('.lm-CommandPalette-item', { hasText: 'Refresh Job Queue' })).toBeVisible();
});
