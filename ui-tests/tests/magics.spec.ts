/**
 * The magics in a real notebook: a cell with %%sbatch submits to the real local Slurm and
 * its output shows the job; %squeue shows the queue as a table.
 */
import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';

const submitted: string[] = [];

test.afterAll(() => {
  if (submitted.length) {
    execFileSync('scancel', submitted);
  }
});

test.use({ autoGoto: true });

test('a %%sbatch cell shows the submitted job', async ({ page }, testInfo) => {
  await page.notebook.createNew('magics.ipynb', { kernel: 'python3' });
  await page.notebook.setCell(0, 'code', '%load_ext jupyterlab_hpc');
  await page.notebook.addCell(
    'code',
    '%%sbatch -H -t 1 -J "ui: from a notebook" --name-var job\necho "hello from $(hostname)"'
  );
  await page.notebook.addCell('code', '%squeue -j {job.id}');
  await page.notebook.run();

  const outputs = page.locator('.jp-Cell .jp-OutputArea-output');
  const jobOutput = outputs.filter({ hasText: '(slurm)' }).first();
  await expect(jobOutput).toBeVisible({ timeout: 60000 });
  const text = (await jobOutput.textContent()) ?? '';
  const match = text.match(/Job (\d+) \(slurm\)/);
  expect(match).not.toBeNull();
  submitted.push(match![1]);
  await expect(jobOutput).toContainText('ui: from a notebook');
  await expect(jobOutput).toContainText('held');

  const table = outputs.locator('table.dataframe');
  await expect(table).toBeVisible({ timeout: 30000 });
  await expect(table).toContainText(match![1]);

  const shot = testInfo.outputPath('magics-notebook.png');
  await page.locator('.jp-NotebookPanel').screenshot({ path: shot });
  await testInfo.attach('magics-notebook', { path: shot, contentType: 'image/png' });
});
