/**
 * The kernel editor in Debian Chromium against a real JupyterLab: create a kernel from
 * an interpreter, add a PATH entry, save, test-launch it, see it in the Launcher, delete it.
 * The server's JUPYTER_DATA_DIR is a temporary folder (playwright.config.js).
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

// The repository's own virtual env: it has ipykernel.
const VENV = path.resolve(__dirname, '..', '..', '.venv');
const DATA_DIR = process.env.HPC_UI_DATA_DIR!;
const STAMP = Date.now().toString(36);
const DISPLAY = `UI Test Kernel ${STAMP}`;
const NAME = `ui-test-kernel-${STAMP}`;

test.use({ autoGoto: true, viewport: { width: 1280, height: 1000 } });

test('create a kernel, add a PATH entry, save, launch, see it in the Launcher', async ({
  page
}, testInfo) => {
  // From the Launcher's HPC section.
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('launcher:create');
  });
  const card = page.locator(
    '.jp-Launcher:visible .jp-LauncherCard[data-category="HPC"]',
    {
      hasText: /^Kernels$/
    }
  );
  await expect(card).toBeVisible();
  await card.click();

  const editor = page.locator('.jp-hpc-kernels');
  await expect(editor).toBeVisible();
  await expect(editor.locator('.jp-hpc-kernels-item').first()).toBeVisible();

  // A new kernel from the venv's prefix, with the name checked as it is typed.
  await editor.locator('.jp-hpc-kernels-new').click();
  await editor.locator('.jp-hpc-kernels-interpreter').fill(VENV);
  await editor.locator('.jp-hpc-kernels-new-display-name').fill(DISPLAY);
  const nameInput = editor.locator('.jp-hpc-kernels-new-name');
  await expect(nameInput).toHaveValue(NAME);
  await nameInput.fill('Bad Name');
  await expect(editor.locator('.jp-hpc-kernels-name-hint')).toContainText(
    'lowercase'
  );
  await expect(editor.locator('.jp-hpc-kernels-create-submit')).toBeDisabled();
  await nameInput.fill(NAME);
  await expect(editor.locator('.jp-hpc-kernels-create-submit')).toBeEnabled();
  await editor.locator('.jp-hpc-kernels-create-submit').click();

  const form = editor.locator(
    `.jp-hpc-kernels-editor[data-kernel-name="${NAME}"]`
  );
  await expect(form).toBeVisible({ timeout: 60000 });
  await expect(
    editor.locator(`.jp-hpc-kernels-item[data-kernel-name="${NAME}"]`)
  ).toContainText('your kernels');

  // PATH is edited as a list: add an entry at the front.
  const pathRow = form.locator('.jp-hpc-kernels-env-row[data-variable="PATH"]');
  await expect(pathRow.locator('.jp-hpc-kernels-path-entry')).toHaveCount(2);
  await pathRow.locator('.jp-hpc-kernels-add-entry').click();
  await pathRow
    .locator('.jp-hpc-kernels-path-entry')
    .first()
    .fill('/opt/ui-test/bin');
  // And LD_LIBRARY_PATH from the quick-add buttons.
  await form
    .locator('.jp-hpc-kernels-add-known[data-variable="LD_LIBRARY_PATH"]')
    .click();
  const ldRow = form.locator(
    '.jp-hpc-kernels-env-row[data-variable="LD_LIBRARY_PATH"]'
  );
  await ldRow.locator('.jp-hpc-kernels-add-entry').click();
  await ldRow
    .locator('.jp-hpc-kernels-path-entry')
    .first()
    .fill('/opt/ui-test/lib');

  await form.locator('.jp-hpc-kernels-save').click();
  await expect(page.locator('.Toastify__toast').first()).toContainText(
    'Saved the kernel'
  );
  await expect(form.locator('.jp-hpc-kernels-save')).toBeDisabled();
  const onDisk = JSON.parse(
    fs.readFileSync(
      path.join(DATA_DIR, 'kernels', NAME, 'kernel.json'),
      'utf-8'
    )
  );
  expect(onDisk.env.PATH).toBe(`/opt/ui-test/bin:${VENV}/bin:\${PATH}`);
  // ${LD_LIBRARY_PATH} is offered only when the server has it (else it would stay literal).
  expect(onDisk.env.LD_LIBRARY_PATH).toBe(
    process.env.LD_LIBRARY_PATH
      ? '/opt/ui-test/lib:${LD_LIBRARY_PATH}'
      : '/opt/ui-test/lib'
  );
  expect(
    fs.existsSync(path.join(DATA_DIR, 'kernels', NAME, 'kernel.json.bak'))
  ).toBe(true);

  // Test launch: the kernel sees the new PATH entry first.
  await form.locator('.jp-hpc-kernels-launch').click();
  const result = form.locator('.jp-hpc-kernels-launch-result.jp-mod-ok');
  await expect(result).toBeVisible({ timeout: 60000 });
  await expect(
    result.locator('tr[data-variable="PATH"] code').first()
  ).toHaveText('/opt/ui-test/bin');
  await expect(
    result.locator('tr[data-variable="LD_LIBRARY_PATH"] code').first()
  ).toHaveText('/opt/ui-test/lib');

  // Modules: gcc/12.2.0 from the test Lmod tree, loaded each time the kernel starts.
  const modules = form.locator('.jp-hpc-kernels-modules');
  await expect(modules).toContainText('No modules attached');
  await modules.locator('.jp-hpc-kernels-modules-input').fill('gcc/12.2.0');
  await modules.getByRole('button', { name: 'Load at launch' }).click();
  await expect(modules).toContainText('loaded at each launch', {
    timeout: 30000
  });
  const withModules = JSON.parse(
    fs.readFileSync(
      path.join(DATA_DIR, 'kernels', NAME, 'kernel.json'),
      'utf-8'
    )
  );
  expect(withModules.argv.slice(1, 3)).toEqual([
    '-m',
    'jupyterlab_hpc.kernel_launcher'
  ]);
  expect(withModules.metadata.jupyterlab_hpc.modules).toEqual({
    mode: 'launch',
    modules: ['gcc/12.2.0']
  });
  await form.locator('.jp-hpc-kernels-launch').click();
  await expect(
    result.locator('tr[data-variable="PATH"] code').first()
  ).toHaveText('/opt/gcc/12.2.0/bin', { timeout: 60000 });
  await page.addStyleTag({
    content: '.Toastify { display: none !important; }'
  });
  const modulesShot = testInfo.outputPath('kernel-modules.png');
  await modules.scrollIntoViewIfNeeded();
  await modules.screenshot({ path: modulesShot });
  await testInfo.attach('kernel-modules', {
    path: modulesShot,
    contentType: 'image/png'
  });

  // The pictures without the toasts over them.
  await page.addStyleTag({
    content: '.Toastify { display: none !important; }'
  });
  const shot = testInfo.outputPath('kernel-editor.png');
  await page.locator('#jupyterlab-hpc-kernels').screenshot({ path: shot });
  await testInfo.attach('kernel-editor', {
    path: shot,
    contentType: 'image/png'
  });
  const launchShot = testInfo.outputPath('kernel-test-launch.png');
  await result.scrollIntoViewIfNeeded();
  await result.screenshot({ path: launchShot });
  await testInfo.attach('kernel-test-launch', {
    path: launchShot,
    contentType: 'image/png'
  });

  // The Launcher lists the new kernel at once (refreshSpecs after save).
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('launcher:create');
  });
  const launcherCard = page.locator(
    '.jp-Launcher:visible .jp-LauncherCard[data-category="Notebook"]',
    { hasText: DISPLAY }
  );
  await expect(launcherCard).toBeVisible();
  const launcherShot = testInfo.outputPath('launcher-with-kernel.png');
  await page
    .locator('.jp-Launcher:visible .jp-Launcher-body')
    .screenshot({ path: launcherShot });
  await testInfo.attach('launcher-with-kernel', {
    path: launcherShot,
    contentType: 'image/png'
  });

  // Delete it again, behind a confirmation.
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('hpc:edit-kernels');
  });
  await editor
    .locator(`.jp-hpc-kernels-item[data-kernel-name="${NAME}"]`)
    .click();
  await form.locator('.jp-hpc-kernels-delete').click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(
    editor.locator(`.jp-hpc-kernels-item[data-kernel-name="${NAME}"]`)
  ).toHaveCount(0);
  expect(fs.existsSync(path.join(DATA_DIR, 'kernels', NAME))).toBe(false);
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('launcher:create');
  });
  await expect(
    page.locator('.jp-LauncherCard', { hasText: DISPLAY })
  ).toHaveCount(0);
});

test('the editor is in the palette and the Kernel menu; read-only kernels explain why', async ({
  page
}, testInfo) => {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute(
      'apputils:activate-command-palette'
    );
  });
  const palette = page.locator('#command-palette');
  await palette.locator('input').fill('Edit Kernels');
  await expect(
    palette.locator('.lm-CommandPalette-item', { hasText: 'Edit Kernels…' })
  ).toBeVisible();
  await page.keyboard.press('Escape');

  await page.menu.open('Kernel');
  await expect(
    page.locator('.lm-Menu-item', { hasText: 'Edit Kernels…' })
  ).toBeVisible();
  await page.locator('.lm-Menu-item', { hasText: 'Edit Kernels…' }).click();

  const editor = page.locator('.jp-hpc-kernels');
  // A site-wide kernel (JUPYTER_PATH, another owner) cannot be edited in place, only duplicated.
  const site = editor.locator(
    '.jp-hpc-kernels-item[data-kernel-name="site-python"]'
  );
  await expect(site).toContainText('read-only');
  await expect(site).toContainText('JUPYTER_PATH');
  await site.click();
  await page.theme.setDarkTheme();
  const readOnlyShot = testInfo.outputPath('kernel-read-only-dark.png');
  await page.locator('#jupyterlab-hpc-kernels').screenshot({ path: readOnlyShot });
  await testInfo.attach('kernel-read-only-dark', {
    path: readOnlyShot,
    contentType: 'image/png'
  });
  await expect(editor.locator('.jp-hpc-kernels-display-name')).toBeDisabled();
  const banner = editor.locator('.jp-hpc-kernels-banner.jp-mod-info');
  await expect(banner).toContainText('duplicate it');
  await expect(editor.locator('.jp-hpc-kernels-save')).toHaveCount(0);
  await banner.locator('button').click();
  await expect(editor.locator('.jp-hpc-kernels-create')).toBeVisible();
  await expect(editor.locator('.jp-hpc-kernels-new-name')).toHaveValue(
    'site-python-copy'
  );
  const shot = testInfo.outputPath('kernel-create-dark.png');
  await page.locator('#jupyterlab-hpc-kernels').screenshot({ path: shot });
  await testInfo.attach('kernel-create-dark', {
    path: shot,
    contentType: 'image/png'
  });
  await page.theme.setLightTheme();
});
