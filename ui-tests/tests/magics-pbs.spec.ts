/**
 * The PBS magics in a real notebook, on the PBS JupyterLab (jupyter_server_pbs_config.py:
 * its kernels inherit the replay's PBS_REPLAY_STATE). The kernel's HPCConfig points at the
 * test-only PBS replay executables (answering from a real OpenPBS server's recorded
 * outputs); a %%qsub cell shows the submitted job and %qstat the queue as a table.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const pbsURL = `http://localhost:${process.env.UI_TEST_PBS_PORT}`;
const replay = path.resolve(__dirname, '..', '..', 'server-extension', 'tests', 'pbs_replay');

test.use({
  autoGoto: true,
  baseURL: pbsURL,
  viewport: { width: 1500, height: 1500 }
});

test('a %%qsub cell shows the submitted PBS job', async ({ page }, testInfo) => {
  await page.notebook.createNew('pbs-magics.ipynb', { kernel: 'python3' });
  await page.notebook.setCell(
    0,
    'code',
    [
      '# This kernel talks to the PBS replay (tests/pbs_replay), as a site config would',
      '%config HPCConfig.scheduler = "pbs"',
      `%config HPCConfig.command_paths = {n: "${replay}/" + n for n in ["qstat", "qsub", "qdel"]}`,
      '%load_ext jupyterlab_hpc'
    ].join('\n')
  );
  await page.notebook.addCell(
    'code',
    '%%qsub -h --name-var job\n#PBS -N ui-from-a-notebook\n#PBS -l walltime=00:05:00\nhostname'
  );
  await page.notebook.addCell('code', '%qstat -u {job.info.user}');
  await page.notebook.run();

  const outputs = page.locator('.jp-Cell .jp-OutputArea-output');
  const jobOutput = outputs.filter({ hasText: '(pbs)' }).first();
  await expect(jobOutput).toBeVisible({ timeout: 60000 });
  const text = (await jobOutput.textContent()) ?? '';
  const match = text.match(/Job (\d+\.pbs01) \(pbs\)/);
  expect(match).not.toBeNull();
  await expect(jobOutput).toContainText('ui-from-a-notebook');
  await expect(jobOutput).toContainText('held');
  await expect(jobOutput).toContainText('0:05:00');

  const table = outputs.locator('table.dataframe');
  await expect(table).toBeVisible({ timeout: 30000 });
  await expect(table).toContainText(match![1]);
  await expect(table).toContainText('3[2-3].pbs01');

  const shot = testInfo.outputPath('magics-pbs-notebook.png');
  await page.locator('.jp-NotebookPanel').screenshot({ path: shot });
  await testInfo.attach('magics-pbs-notebook', { path: shot, contentType: 'image/png' });
});
