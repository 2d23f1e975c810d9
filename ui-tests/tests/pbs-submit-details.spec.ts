/**
 * The submit tab and the job details tab on PBS: the second JupyterLab, whose batch
 * system is the test-only OpenPBS replay (recorded OpenPBS 23.06.06 outputs with the
 * state a server keeps). The form reads and writes `#PBS` lines, Check validates the
 * options here (PBS has no test submission), a held job is submitted, shown in the queue,
 * opened in its details tab and cancelled from there.
 */
import { expect, test } from '@jupyterlab/galata';

import { editorText, shootBoth } from './helpers';

const pbsURL = `http://localhost:${process.env.UI_TEST_PBS_PORT}`;
const TAG = `ui-pbs-submit-${Date.now()}`;

test.use({ autoGoto: true, baseURL: pbsURL, viewport: { width: 1400, height: 1000 } });

test('PBS: submit from the form with #PBS lines, then details and cancel', async ({
  page
}, testInfo) => {
  test.setTimeout(180000);
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  const queue = page.locator('#jupyterlab-hpc-queue');
  await queue.locator('.jp-hpc-queue-submit').click();

  const panel = page.locator('.jp-hpc-submit-widget');
  await expect(panel).toBeVisible();
  const form = panel.locator('.jp-hpc-submit-form');
  await expect(form.locator('[data-field="name"] input')).toHaveValue('my-job', {
    timeout: 30000
  });
  // The PBS starter script and PBS's words in the form.
  expect(await editorText(page)).toContain('#PBS -l walltime=00:10:00');
  await expect(form.locator('[data-field="partition"] .jp-hpc-submit-label')).toHaveText('Queue');
  await expect(form.locator('[data-field="time_limit"] .jp-hpc-submit-label')).toHaveText(
    'Walltime'
  );
  await expect(form.locator('[data-field="cpus"] .jp-hpc-submit-label')).toHaveText(
    'CPUs per chunk'
  );
  // Slurm's QOS and GRES do not exist on PBS: the form does not offer them.
  await expect(form.locator('[data-field="qos"]')).toHaveCount(0);
  await expect(form.locator('[data-field="gres"]')).toHaveCount(0);
  // The queue list is PBS's (qstat -Q).
  const queueSelect = form.locator('select[name="partition"]');
  await expect(queueSelect.locator('option[value="workq"]')).toHaveText('workq (default)');
  await expect(queueSelect.locator('option[value=""]')).toHaveText('Cluster default (workq)');

  // Form -> script.
  await form.locator('[data-field="name"] input').fill(TAG);
  await form.locator('[data-field="time_limit"] input').fill('00:03:00');
  await form.locator('[data-field="cpus"] input').fill('1');
  await form.locator('[data-field="memory"] input').fill('100mb');
  await expect.poll(() => editorText(page)).toContain(`#PBS -N ${TAG}`);
  const script = await editorText(page);
  expect(script).toContain('#PBS -l walltime=00:03:00');
  expect(script).toMatch(/#PBS -l select=1:ncpus=1:mem=100mb/);
  expect(script).not.toContain('#SBATCH');

  // Script -> form: a #PBS -q line typed in the editor selects the queue.
  const editor = panel.locator('.jp-hpc-submit-codemirror .cm-content');
  await editor.locator('.cm-line', { hasText: '#PBS -N' }).click();
  await page.keyboard.press('End');
  await page.keyboard.type('\n#PBS -q workq');
  await expect(queueSelect).toHaveValue('workq');
  // And the walltime typed over in the script comes back to the form.
  await editor.locator('.cm-line', { hasText: 'walltime=00:03:00' }).click();
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('2');
  await expect(form.locator('[data-field="time_limit"] input')).toHaveValue('00:03:02');

  // Check: PBS has no dry run; the options and #PBS lines are validated here.
  await form.locator('.jp-hpc-submit-check').click();
  const outcome = form.locator('.jp-hpc-submit-outcome');
  await expect(outcome).toHaveAttribute('data-outcome', 'check-ok', { timeout: 30000 });
  await expect(outcome).toContainText('qsub would accept these options.');
  await expect(outcome).toContainText('valid for qsub');
  await expect(outcome).not.toContainText('would take this job');
  await shootBoth(page, testInfo, 'pbs-submit-check');

  // A walltime PBS cannot read is refused by the check, with a sentence.
  await form.locator('[data-field="time_limit"] input').fill('soon');
  await form.locator('.jp-hpc-submit-check').click();
  await expect(outcome).toHaveAttribute('data-outcome', 'check-error', { timeout: 30000 });
  await expect(outcome.locator('.jp-hpc-submit-message').first()).toContainText(/walltime/i);
  await form.locator('[data-field="time_limit"] input').fill('00:03:00');

  // Submit held.
  await form.locator('input[name="hold"]').check();
  await form.locator('.jp-hpc-submit-submit').click();
  await expect(outcome).toHaveAttribute('data-outcome', 'submit-ok', { timeout: 30000 });
  const jobId = (await outcome.getAttribute('data-job-id')) ?? '';
  expect(jobId).toMatch(/^\d+\.pbs01$/);

  const toast = page.locator('.Toastify__toast', { hasText: `Submitted job ${jobId}` });
  await expect(toast).toBeVisible();
  await toast.getByRole('button', { name: 'Show in queue' }).click();
  await page.sidebar.setWidth(560, 'left');
  const row = queue.locator(`.jp-hpc-queue-row[data-job-id="${jobId}"]`);
  await expect(row).toBeVisible({ timeout: 30000 });
  await expect(row).toHaveAttribute('aria-selected', 'true');
  await expect(row).toHaveAttribute('data-state', 'held');
  await expect(row).toContainText(TAG);
  // PBS's words in the table's header too.
  await expect(queue.locator('.jp-hpc-queue-colhead[data-column="partition"]')).toHaveText(
    'Queue'
  );
  await shootBoth(page, testInfo, 'pbs-submit-queue');

  // The details tab, by double-click.
  await row.dblclick();
  const details = page.locator(`.jp-hpc-details[data-job-id="${jobId}"]`);
  await expect(details).toHaveAttribute('data-state', 'held', { timeout: 15000 });
  await expect(details.locator('.jp-hpc-details-name')).toHaveText(TAG);
  const facts = details.locator('.jp-hpc-details-facts');
  await expect(facts).toContainText('queue workq');
  await expect(facts).not.toContainText('partition');
  await expect(facts).toContainText('H'); // PBS's own state letter
  await expect(details.locator('.jp-hpc-timeline-step[data-step="submitted"]')).toContainText(
    'Submitted'
  );
  // A held job: Release and Cancel are offered, Hold is not.
  await expect(details.locator('.jp-hpc-details-release')).toBeEnabled();
  await expect(details.locator('.jp-hpc-details-hold')).toBeDisabled();
  await expect(details.locator('.jp-hpc-details-cancel')).toBeEnabled();
  // PBS gives the script to administrators only: nothing to copy, and the button says so.
  await expect(details.locator('.jp-hpc-details-resubmit')).toBeDisabled();
  await expect(details.locator('.jp-hpc-details-resubmit')).toHaveAttribute(
    'title',
    /administrators/
  );
  await details.locator('summary', { hasText: 'Batch script' }).click();
  await expect(details.locator('.jp-hpc-details-no-script')).toContainText('administrators');
  await expect(
    details.locator('.jp-hpc-resources tr[data-resource="select"]')
  ).toContainText('Chunks (select)');
  // Its output file does not exist yet: PBS copies it to its path when the job ends, so
  // "Open in editor" waits for it and says why; Follow is on, waiting for the file.
  const output = details.locator('.jp-hpc-details-output');
  await expect(output.locator('.jp-hpc-output-missing')).toContainText(
    'does not exist yet: PBS keeps a job’s output on the node it runs on and copies it here when the job ends'
  );
  const open = output.locator('.jp-hpc-output-open');
  await expect(open).toBeDisabled();
  await expect(open).toHaveAttribute(
    'title',
    new RegExp(`^The job has not written (\\S+/)?${TAG}\\.o\\d+ yet: PBS .* copies it here when the job ends\\.$`)
  );
  await expect(output.locator('.jp-hpc-output-follow input')).toBeChecked();
  await expect(output.locator('.jp-hpc-output-follow input')).toBeEnabled();
  await page.sidebar.close('left');
  await shootBoth(page, testInfo, 'pbs-details-held');

  // Cancel from the details tab (qdel): the job goes to PBS's history as finished.
  await details.locator('.jp-hpc-details-cancel').click();
  const dialog = page.locator('.jp-Dialog');
  if (await dialog.isVisible({ timeout: 3000 }).catch(() => false)) {
    await dialog.getByRole('button', { name: /^Cancel 1 job/ }).click();
  }
  await expect(details).toHaveAttribute('data-state', 'cancelled', { timeout: 30000 });
  await expect(details.locator('.jp-hpc-timeline-step[data-step="ended"]')).toContainText(
    /cancelled/i
  );
  await expect(details.locator('.jp-hpc-details-cancel')).toBeDisabled();
  // Deleted before it ran: no file will come, and Follow has nothing to follow.
  await expect(output.locator('.jp-hpc-output-missing')).toContainText(
    'the job was cancelled before it ran, so it wrote nothing'
  );
  await expect(output.locator('.jp-hpc-output-follow input')).toBeDisabled();
  await expect(output.locator('.jp-hpc-output-follow input')).not.toBeChecked();
  await shootBoth(page, testInfo, 'pbs-details-cancelled');
});
