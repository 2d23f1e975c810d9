/**
 * The queue panel on PBS: a second JupyterLab whose batch system is the test-only OpenPBS
 * replay (recorded outputs of OpenPBS 23.06.06, with the state a server keeps). A job
 * submitted through the REST API appears held, and a job is cancelled from the panel.
 */
import { expect, test } from '@jupyterlab/galata';

const pbsURL = `http://localhost:${process.env.UI_TEST_PBS_PORT}`;

test.use({ autoGoto: true, baseURL: pbsURL });

test('PBS jobs in the queue panel: submitted, held, cancelled', async ({
  page
}, testInfo) => {
  const submitted = await page.request.post(`${pbsURL}/jupyterlab-hpc/jobs/submit`, {
    data: {
      script: '#!/bin/bash\n#PBS -l walltime=00:05:00\necho hello\n',
      options: { name: 'ui-pbs-held', hold: true, cpus: 2 }
    }
  });
  expect(submitted.ok()).toBe(true);
  const jobId = (await submitted.json()).job_id as string;
  expect(jobId).toMatch(/^\d+\.pbs01$/);

  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.sidebar.setWidth(620, 'left');
  const panel = page.locator('#jupyterlab-hpc-queue');
  await expect(panel).toBeVisible();
  await expect(panel.locator('.jp-hpc-queue-status-scheduler')).toContainText(
    'OpenPBS 23.06.06'
  );

  const held = panel.locator(`.jp-hpc-queue-row[data-job-id="${jobId}"]`);
  await expect(held).toBeVisible({ timeout: 30000 });
  await expect(held).toHaveAttribute('data-state', 'held');
  await expect(held).toContainText('ui-pbs-held');
  const running = panel.locator('.jp-hpc-queue-row[data-job-id="1.pbs01"]');
  await expect(running).toHaveAttribute('data-state', 'running');
  await expect(
    panel.locator('.jp-hpc-queue-row[data-job-id="3[2-3].pbs01"]')
  ).toBeVisible();

  const shot = testInfo.outputPath('pbs-queue-panel.png');
  await panel.screenshot({ path: shot });
  await testInfo.attach('pbs-queue-panel', { path: shot, contentType: 'image/png' });

  await held.locator('.jp-hpc-queue-row-check').check();
  await panel.locator('.jp-hpc-queue-cancel').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(jobId);
  await dialog.getByRole('button', { name: /^Cancel 1 job/ }).click();
  await expect(held).toHaveCount(0, { timeout: 30000 });

  // The cancelled job is in PBS's history now (qstat -x), with its detail.
  const detail = await page.request.get(`${pbsURL}/jupyterlab-hpc/jobs/${jobId}`);
  expect(detail.ok()).toBe(true);
  const body = await detail.json();
  expect(body.job.state).toBe('cancelled');
  expect(body.job.raw_state).toBe('F');
});
