/**
 * The first minute of `make demo`, as a newcomer's browser meets it: the server started
 * with demo/jupyter_server_config.py (a fresh state folder, a token), opened at /lab. The
 * HPC jobs panel is open, the tour's README and notebook are there, the news prompt is
 * not, and the Launcher offers the demo's kernel that loads a module.
 */
import { expect, test } from '@playwright/test';

const demoURL = `http://localhost:${process.env.UI_TEST_DEMO_PORT}`;
const token = process.env.UI_TEST_DEMO_TOKEN;

test('the demo opens on its tour with the jobs panel open', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1400, height: 850 });
  await page.goto(`${demoURL}/lab?token=${token}`);

  const panel = page.locator('#jupyterlab-hpc-queue');
  await expect(panel).toBeVisible({ timeout: 60000 });
  await expect(panel.locator('.jp-hpc-queue-status-scheduler')).toContainText('Slurm');

  // The tour: its README shown, its notebook in the next tab, no stock Launcher.
  const tabs = page.locator('#jp-main-dock-panel .lm-TabBar-tab');
  await expect(tabs.filter({ hasText: 'README.md' })).toBeVisible();
  await expect(tabs.filter({ hasText: 'Magics tour.ipynb' })).toBeVisible();
  await expect(tabs.filter({ hasText: 'Launcher' })).toHaveCount(0);
  await expect(
    page.getByRole('heading', { name: 'A tour of jupyterlab-hpc' })
  ).toBeVisible();

  // The file browser holds the demo folder, not the repository.
  const listing = await page.request.get(`${demoURL}/api/contents?token=${token}`);
  const names = ((await listing.json()).content as { name: string }[]).map(i => i.name);
  expect(names.sort()).toEqual(['Magics tour.ipynb', 'README.md', 'jobs']);

  // No "would you like to receive news?" toast.
  await page.waitForTimeout(3000);
  await expect(page.locator('.Toastify__toast')).toHaveCount(0);

  const shot = testInfo.outputPath('demo-first-minute.png');
  await page.screenshot({ path: shot });
  await testInfo.attach('demo-first-minute', { path: shot, contentType: 'image/png' });

  // A new Launcher offers the kernel that loads gcc/12.2.0 when it starts.
  await page.keyboard.press('Control+Shift+l');
  await expect(
    page.locator('.jp-LauncherCard[title="Python 3 with gcc 12.2.0 (demo)"]').first()
  ).toBeVisible({ timeout: 30000 });
});
