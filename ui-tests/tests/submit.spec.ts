/**
 * The submit panel in Debian Chromium against a real JupyterLab and the real local
 * Slurm: open it from the queue panel, fill the form (the script follows), check with
 * sbatch --test-only, submit held, see the job selected in the queue panel, cancel it.
 */
import { expect, test } from '@jupyterlab/galata';

import { editorText } from './helpers';
import { execFileSync } from 'child_process';

const TAG = `ui-submit-${Date.now()}`;
const submitted: string[] = [];

test.afterAll(() => {
  // Whatever the test did, no job of ours stays behind.
  let ids: string[] = [];
  try {
    ids = execFileSync('squeue', ['-h', '-o', '%i', '-n', TAG], { encoding: 'utf-8' })
      .split('\n')
      .map(s => s.trim())
      .filter(Boolean);
  } catch {
    // Slurm not answering: cancel what we know of.
  }
  const all = [...new Set([...submitted, ...ids])];
  if (all.length) {
    execFileSync('scancel', all);
  }
});

test.use({ autoGoto: true, viewport: { width: 1280, height: 800 } });

test('submit a job from the panel, see it in the queue, cancel it', async ({
  page
}, testInfo) => {
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  const queue = page.locator('#jupyterlab-hpc-queue');
  await queue.locator('.jp-hpc-queue-submit').click();

  const panel = page.locator('.jp-hpc-submit-widget');
  await expect(panel).toBeVisible();
  const form = panel.locator('.jp-hpc-submit-form');
  await expect(form.locator('[data-field="name"] input')).toHaveValue('my-job', { timeout: 30000 });

  // The live partitions, the default one marked.
  const partition = form.locator('select[name="partition"]');
  await expect(partition.locator('option', { hasText: 'debug (default' })).toHaveCount(1);

  // The site template fills script and form.
  await form.locator('select[name="template"]').selectOption('Short test job');
  await expect(form.locator('[data-field="time_limit"] input')).toHaveValue('5');
  expect(await editorText(page)).toContain('#SBATCH --partition=debug');
  expect(await editorText(page)).toContain('Hello from');

  // Form -> script.
  await form.locator('[data-field="name"] input').fill(TAG);
  await form.locator('[data-field="cpus"] input').fill('1');
  await form.locator('[data-field="memory"] input').fill('100M');
  await partition.selectOption('long');
  await form.locator('[data-field="output"] input').fill('/dev/null');
  await expect.poll(() => editorText(page)).toContain(`#SBATCH --job-name=${TAG}`);
  const script = await editorText(page);
  expect(script).toContain('#SBATCH --cpus-per-task=1');
  expect(script).toContain('#SBATCH --mem=100M');
  expect(script).toContain('#SBATCH --partition=long');

  // Script -> form: type a directive in the editor.
  const editor = panel.locator('.jp-hpc-submit-codemirror .cm-content');
  await editor.locator('.cm-line', { hasText: '--time=5' }).click();
  await page.keyboard.press('End');
  await page.keyboard.type('\n#SBATCH -t 3');
  await expect(form.locator('[data-field="time_limit"] input')).toHaveValue('3');

  // Check: Slurm's estimate, inline.
  await form.locator('.jp-hpc-submit-check').click();
  const outcome = form.locator('.jp-hpc-submit-outcome');
  await expect(outcome).toHaveAttribute('data-outcome', 'check-ok', { timeout: 30000 });
  await expect(outcome).toContainText('Slurm would take this job');

  // A refusal shows the scheduler's own message.
  await partition.selectOption('debug');
  await form.locator('[data-field="cpus"] input').fill('64');
  await form.locator('.jp-hpc-submit-check').click();
  await expect(outcome).toHaveAttribute('data-outcome', 'check-error', { timeout: 30000 });
  await expect(outcome).toContainText('Slurm would not take the job');
  await expect(outcome.locator('.jp-hpc-submit-message').first()).toContainText(/node/i);
  const shotError = testInfo.outputPath('submit-check-error.png');
  await panel.screenshot({ path: shotError });
  await form.locator('[data-field="cpus"] input').fill('1');

  // Submit held; the button is disabled while the request is in flight.
  await form.locator('input[name="hold"]').check();
  const submit = form.locator('.jp-hpc-submit-submit');
  await submit.click();
  await expect(outcome).toHaveAttribute('data-outcome', 'submit-ok', { timeout: 30000 });
  const jobId = (await outcome.getAttribute('data-job-id')) ?? '';
  expect(jobId).toMatch(/^\d+$/);
  submitted.push(jobId);
  await expect(submit).toBeEnabled();
  const state = execFileSync('squeue', ['-h', '-j', jobId, '-o', '%T|%j|%r'], {
    encoding: 'utf-8'
  }).trim();
  expect(state).toBe(`PENDING|${TAG}|JobHeldUser`);

  const toast = page.locator('.Toastify__toast', { hasText: `Submitted job ${jobId}` });
  await expect(toast).toBeVisible();
  // The progress notification made way for it.
  await expect(page.locator('.Toastify__toast', { hasText: 'Submitting' })).toHaveCount(0);

  const shotLight = testInfo.outputPath('submit-light.png');
  await page.screenshot({ path: shotLight });
  await testInfo.attach('submit-light', { path: shotLight, contentType: 'image/png' });

  // "Show in queue" (the notification's action) selects the job in the queue panel.
  await toast.getByRole('button', { name: 'Show in queue' }).click();
  await page.sidebar.setWidth(520, 'left');
  const row = queue.locator(`.jp-hpc-queue-row[data-job-id="${jobId}"]`);
  await expect(row).toBeVisible({ timeout: 30000 });
  await expect(row).toHaveAttribute('aria-selected', 'true');
  await expect(row).toHaveAttribute('data-state', 'held');

  await page.theme.setDarkTheme();
  await expect(row).toBeVisible();
  const shotDark = testInfo.outputPath('submit-dark.png');
  await page.screenshot({ path: shotDark });
  await testInfo.attach('submit-dark', { path: shotDark, contentType: 'image/png' });
  await page.theme.setLightTheme();

  // Cancel it from the queue panel.
  await queue.locator('.jp-hpc-queue-cancel').click();
  await page.locator('.jp-Dialog').getByRole('button', { name: /^Cancel 1 job/ }).click();
  await expect(row).toHaveCount(0, { timeout: 30000 });
});

test('a script file opens from the file browser with its folder as working directory', async ({
  page
}) => {
  await page.contents.uploadContent(
    `#!/bin/bash\n#SBATCH -J from-file -t 2\nhostname\n`,
    'text',
    'jobs/run.sbatch'
  );
  await page.filebrowser.openDirectory('jobs');
  const item = page.locator('.jp-DirListing-item', { hasText: 'run.sbatch' });
  await item.click({ button: 'right' });
  await page.locator('.lm-Menu-item', { hasText: 'Submit as Batch Job…' }).click();

  const panel = page.locator('.jp-hpc-submit-widget').last();
  const form = panel.locator('.jp-hpc-submit-form');
  await expect(form.locator('[data-field="name"] input')).toHaveValue('from-file');
  await expect(form.locator('[data-field="time_limit"] input')).toHaveValue('2');
  await expect(form.locator('input[name="workdir"]')).toHaveValue('jobs');
  await expect(panel.locator('.jp-hpc-submit-editor-heading')).toContainText('jobs/run.sbatch');
  // Shell highlighting: CodeMirror wraps the comment lines in styled spans.
  await expect(panel.locator('.cm-line', { hasText: '#SBATCH' }).locator('span')).toHaveCount(1);

  // The same file open in an editor: its context menu submits what the editor holds.
  await item.dblclick();
  const fileEditor = page.locator('.jp-FileEditor .cm-content');
  await expect(fileEditor).toContainText('from-file');
  await fileEditor.locator('.cm-line', { hasText: 'hostname' }).click();
  await page.keyboard.press('End');
  await page.keyboard.type('\n#SBATCH -J too-late');
  // In the File menu too.
  await page.menu.openLocator('File');
  await expect(
    page.locator('.lm-Menu-item:not(.lm-mod-disabled)', {
      hasText: 'Submit This Script as a Job…'
    })
  ).toHaveCount(1);
  await page.keyboard.press('Escape');
  await fileEditor.click({ button: 'right' });
  await page.locator('.lm-Menu-item', { hasText: 'Submit This Script as a Job…' }).click();
  const fromEditor = page.locator('.jp-hpc-submit-widget').last();
  await expect(fromEditor.locator('.jp-hpc-submit-codemirror')).toContainText('too-late');
  // After the first command, as sbatch reads it: not the job's name.
  await expect(fromEditor.locator('[data-field="name"] input')).toHaveValue('from-file', {
    timeout: 30000
  });
});

test('templates: save the form as my own, load it back, delete it', async ({ page }) => {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('hpc:submit-job', {
      script: '#!/bin/bash\nsrun hostname\n',
      options: { name: 'templated', time_limit: '7', partition: 'long' }
    });
  });
  const form = page.locator('.jp-hpc-submit-widget .jp-hpc-submit-form').last();
  await expect(form.locator('[data-field="time_limit"] input')).toHaveValue('7', {
    timeout: 30000
  });
  const name = `ui template ${Date.now()}`;
  await form.locator('.jp-hpc-submit-save-template').click();
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('input[name="template-name"]').fill(name);
  await dialog.locator('input[name="template-description"]').fill('Made by the UI test');
  await dialog.getByRole('button', { name: 'Save' }).click();

  const select = form.locator('select[name="template"]');
  await expect(select.locator('optgroup[label="My templates"] option', { hasText: name })).toHaveCount(1);
  await expect(select.locator('optgroup[label="Site templates"] option')).toHaveText([
    'Short test job (site)'
  ]);
  await expect(form.locator('.jp-hpc-submit-delete-template')).toBeEnabled();

  // Another template, then mine again: the form follows.
  await select.selectOption('Short test job');
  await expect(form.locator('[data-field="time_limit"] input')).toHaveValue('5');
  await expect(form.locator('.jp-hpc-submit-delete-template')).toBeDisabled();
  await select.selectOption(name);
  await expect(form.locator('[data-field="time_limit"] input')).toHaveValue('7');
  await expect(form.locator('[data-field="name"] input')).toHaveValue('templated');

  await form.locator('.jp-hpc-submit-delete-template').click();
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(select.locator('option', { hasText: name })).toHaveCount(0);
});

test('the submit commands are in the palette', async ({ page }) => {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('apputils:activate-command-palette');
  });
  const palette = page.locator('#command-palette');
  await palette.locator('input').fill('Submit');
  await expect(palette.locator('.lm-CommandPalette-item', { hasText: 'Submit Job…' })).toBeVisible();
  // Enabled (and shown) only while a file editor is the current tab.
  await expect(
    palette.locator('.lm-CommandPalette-item', { hasText: 'Submit This Script as a Job…' })
  ).toHaveCount(1);
});
