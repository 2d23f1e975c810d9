/**
 * The Modules panel in Debian Chromium against a real JupyterLab and real Lmod, on the small
 * module tree jupyter_server_test_config.py builds: search, load, see it in Loaded; a
 * kernel as the target of a load.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

test.use({ autoGoto: true });

test('search, load a module, and see it in Loaded', async ({
  page
}, testInfo) => {
  await page.sidebar.openTab('jupyterlab-hpc-modules');
  await page.sidebar.setWidth(420, 'left');
  const panel = page.locator('#jupyterlab-hpc-modules');
  await expect(panel).toBeVisible();
  await expect(panel.locator('.jp-hpc-modules-title')).toContainText('Lmod');
  // The target is visible: this server session until a kernel is chosen.
  const target = panel.getByRole('combobox', { name: 'Target of loads' });
  await expect(target).toHaveValue('server');
  await expect(target.locator('option:checked')).toHaveText(
    'This server session'
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

// A kernel of the user's own (written into the server's JUPYTER_DATA_DIR, see
// playwright.config.js), run by the repository's venv Python, which has ipykernel.
const VENV_PYTHON = path.resolve(
  __dirname,
  '..',
  '..',
  '.venv',
  'bin',
  'python'
);
const STAMP = Date.now().toString(36);
const KERNEL = `ui-modules-target-${STAMP}`;
const KERNEL_DISPLAY = `Modules Target ${STAMP}`;

test('choose a kernel as the target, load a module into it', async ({
  page
}, testInfo) => {
  const dir = path.join(process.env.HPC_UI_DATA_DIR!, 'kernels', KERNEL);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'kernel.json'),
    JSON.stringify(
      {
        argv: [
          VENV_PYTHON,
          '-m',
          'ipykernel_launcher',
          '-f',
          '{connection_file}'
        ],
        display_name: KERNEL_DISPLAY,
        language: 'python'
      },
      null,
      1
    )
  );
  try {
    await page.sidebar.openTab('jupyterlab-hpc-modules');
    await page.sidebar.setWidth(420, 'left');
    const panel = page.locator('#jupyterlab-hpc-modules');
    const target = panel.getByRole('combobox', { name: 'Target of loads' });
    await expect(target).toBeVisible({ timeout: 30000 });
    await expect(target).toHaveValue('server');

    // The site-wide kernel is listed, read-only, with the reason.
    await expect(
      target.locator('option', { hasText: 'Site Python (shared)' })
    ).toBeDisabled();
    const readonly = panel.locator('.jp-hpc-modules-readonly');
    await readonly.locator('summary').click();
    await expect(readonly).toContainText('belongs to another user');

    // The kernel as target: the mode is explicit, launch by default (none attached).
    await target.selectOption({ label: KERNEL_DISPLAY });
    await expect(target).toHaveValue(`kernel:${KERNEL}`);
    const modes = panel.getByRole('radiogroup', {
      name: 'How the kernel gets its modules'
    });
    await expect(
      modes.getByRole('radio', { name: 'Load at launch' })
    ).toBeChecked();
    const loaded = panel.getByRole('region', { name: 'Loaded modules' });
    await expect(loaded).toContainText('No module is attached to this kernel');

    await panel
      .locator('.jp-hpc-modules-version[data-module="gcc/12.2.0"]')
      .click();
    const details = panel.locator('.jp-hpc-modules-details');
    await details.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(loaded).toContainText('gcc/12.2.0', { timeout: 30000 });
    await expect(
      page.locator('.jp-Notification-Toast, .Toastify__toast').first()
    ).toContainText(`now has gcc/12.2.0, loaded at each launch`);

    // The kernelspec has it (the kernel service's own record).
    const record = await (
      await page.request.get(`/jupyterlab-hpc/kernelspecs/${KERNEL}`)
    ).json();
    expect(record.spec.metadata.jupyterlab_hpc.modules).toEqual({
      mode: 'launch',
      modules: ['gcc/12.2.0']
    });
    expect(record.spec.argv.slice(1, 3)).toEqual([
      '-m',
      'jupyterlab_hpc.kernel_launcher'
    ]);

    // A module that fails to load is refused now, in "launch" mode too; nothing changes.
    await panel
      .locator('.jp-hpc-modules-version[data-module="broken/1.0"]')
      .click();
    await details.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(
      page
        .locator('.jp-Notification-Toast, .Toastify__toast')
        .filter({ hasText: 'was not changed' })
    ).toContainText('needs a GPU node', { timeout: 30000 });
    await expect(loaded.locator('.jp-hpc-modules-loaded-item')).toHaveCount(1);
    await panel
      .locator('.jp-hpc-modules-version[data-module="gcc/12.2.0"]')
      .click();

    // Switch the same modules to "capture": what gcc sets lands in the kernel's env.
    await modes
      .getByRole('radio', { name: 'Capture into environment' })
      .check();
    await panel.getByRole('button', { name: 'Switch now' }).click();
    await expect(panel.locator('.jp-hpc-modules-busy')).toHaveCount(0, {
      timeout: 30000
    });
    await expect
      .poll(
        async () =>
          (
            await (
              await page.request.get(`/jupyterlab-hpc/kernelspecs/${KERNEL}`)
            ).json()
          ).spec.env?.GCC_HOME,
        { timeout: 30000 }
      )
      .toBe('/opt/gcc/12.2.0');

    await page.addStyleTag({
      content: '.Toastify { display: none !important; }'
    });
    await details.getByRole('button', { name: 'Close the details' }).click();
    const shot = testInfo.outputPath('modules-kernel-target.png');
    await panel.screenshot({ path: shot });
    await testInfo.attach('modules-kernel-target', {
      path: shot,
      contentType: 'image/png'
    });

    // The kernel editor shows the same modules attached.
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('hpc:edit-kernels');
    });
    const editor = page.locator('.jp-hpc-kernels');
    await editor
      .locator(`.jp-hpc-kernels-item[data-kernel-name="${KERNEL}"]`)
      .click();
    await expect(editor.locator('.jp-hpc-kernels-modules')).toContainText(
      'gcc/12.2.0, captured into the environment'
    );

    // The server session was left alone.
    await target.selectOption('server');
    await expect(loaded).toContainText('No module is loaded.');

    // The palette chooses the target too, from a list of what can take modules.
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#command-palette');
    await palette.locator('input').fill('Load Modules Into');
    await palette
      .locator('.lm-CommandPalette-item', { hasText: 'Load Modules Into…' })
      .click();
    const dialog = page.locator('.jp-Dialog');
    const choice = dialog.locator('select');
    await expect(choice.locator('option')).toContainText([
      'This server session (new kernels and terminals)',
      `Kernel: ${KERNEL_DISPLAY}`
    ]);
    await expect(
      choice.locator('option', { hasText: 'Site Python (shared)' })
    ).toHaveCount(0);
    await choice.selectOption(`Kernel: ${KERNEL_DISPLAY}`);
    const pickerShot = testInfo.outputPath('modules-target-picker.png');
    await dialog.screenshot({ path: pickerShot });
    await testInfo.attach('modules-target-picker', {
      path: pickerShot,
      contentType: 'image/png'
    });
    await dialog.getByRole('button', { name: 'Ok' }).click();
    await expect(target).toHaveValue(`kernel:${KERNEL}`);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('hpc:choose-modules-target', {
        kernel: ''
      });
    });
    await expect(target).toHaveValue('server');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
