/**
 * The Modules panel in Debian Chromium against a real JupyterLab and real Lmod, on the small
 * module tree jupyter_server_test_config.py builds: search, load, see it in Loaded.
 */
import { expect, test } from '@jupyterlab/galata';

test.use({ autoGoto: true });

test('search, load a module, and see it in Loaded', async ({
  page
}, testInfo) => {
  await page.sidebar.openTab('jupyterlab-hpc-modules');
  await page.sidebar.setWidth(420, 'left');
  const panel = page.locator('#jupyterlab-hpc-modules');
  await expect(panel).toBeVisible();
  await expect(panel.locator('.jp-hpc-modules-title')).toContainText('Lmod');
  await expect(panel.locator('.jp-hpc-modules-target')).toContainText(
    'this server session'
  );

  // The filter is instant and client side.
  const gcc = panel.locator(
    '.jp-hpc-modules-version[data-module="gcc/12.2.0"]'
  );
  await expect(gcc).toBeVisible({ timeout: 30000 });
  await expect(gcc.locator('.jp-hpc-modules-default')).toHaveText('D');
  await panel.getByRole('searchbox', { name: 'Filter modules' }).fill('gcc/');
  await expect(panel.locator('.jp-hpc-modules-package')).toHaveCount(1);

  // Details, then load.
  await gcc.click();
  const details = panel.locator('.jp-hpc-modules-details');
  await expect(details).toContainText('GNU compiler collection 12.2.0');
  await expect(details).toContainText('GCC_HOME');
  await details.getByRole('button', { name: 'Load', exact: true }).click();

  const loaded = panel.getByRole('region', { name: 'Loaded modules' });
  await expect(loaded).toContainText('gcc/12.2.0', { timeout: 30000 });
  await expect(
    page.locator('.jp-Notification-Toast, .Toastify__toast').first()
  ).toContainText(/Loaded gcc\/12.2.0/);

  // The hierarchy search says what to load first; openmpi is now on MODULEPATH.
  await panel.getByRole('searchbox', { name: 'Filter modules' }).fill('hdf5');
  await panel.getByRole('button', { name: 'Search all' }).click();
  const hit = panel.locator('.jp-hpc-modules-hit').first();
  await expect(hit).toContainText('hdf5/1.14.0');
  await expect(hit).toContainText('gcc/12.2.0 → openmpi/4.1.5');

  const shot = testInfo.outputPath('modules-panel-light.png');
  await panel.screenshot({ path: shot });
  await testInfo.attach('modules-panel-light', {
    path: shot,
    contentType: 'image/png'
  });

  // Back to the site defaults (nothing loaded at start here).
  await panel.getByRole('button', { name: 'Back' }).click();
  await loaded.getByRole('button', { name: 'Reset' }).click();
  await expect(loaded).toContainText('No module is loaded.', {
    timeout: 30000
  });
});

test('the panel reads well in the dark theme', async ({ page }, testInfo) => {
  await page.theme.setDarkTheme();
  await page.sidebar.openTab('jupyterlab-hpc-modules');
  await page.sidebar.setWidth(420, 'left');
  const panel = page.locator('#jupyterlab-hpc-modules');
  await panel.getByRole('checkbox').check();
  await expect(
    panel.locator('.jp-hpc-modules-version[data-module="tool/.2.0-beta"]')
  ).toBeVisible({ timeout: 30000 });
  await panel
    .locator('.jp-hpc-modules-version[data-module="tool/1.0"]')
    .click();
  await expect(panel.locator('.jp-hpc-modules-details')).toContainText('TOOL');
  const shot = testInfo.outputPath('modules-panel-dark.png');
  await panel.screenshot({ path: shot });
  await testInfo.attach('modules-panel-dark', {
    path: shot,
    contentType: 'image/png'
  });
  await page.theme.setLightTheme();
});
