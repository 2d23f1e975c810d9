/**
 * The job history tab on PBS: the second JupyterLab, whose batch system is the test-only
 * OpenPBS replay. Its server starts with the jobs that had ended in the recordings
 * (72_qstat_x_f_F_json: completed, failed with exit 3, killed at its walltime, deleted
 * while queued) in PBS's history (`qstat -x`). They are listed with their states and exit
 * codes, filtered by state, and one opens in its details tab, whose output section says
 * the job has ended (Follow off and disabled).
 */
import { expect, test } from '@jupyterlab/galata';

import { shootBoth } from './helpers';

const pbsURL = `http://localhost:${process.env.UI_TEST_PBS_PORT}`;

test.use({ autoGoto: true, baseURL: pbsURL, viewport: { width: 1400, height: 900 } });

test('PBS: finished jobs in the history, filtered, and one opened in its details', async ({
  page
}, testInfo) => {
  test.setTimeout(120000);
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.locator('#jupyterlab-hpc-queue .jp-hpc-queue-history').click();
  await page.sidebar.close('left');
  const history = page.locator('.jp-hpc-history');
  await expect(history).toBeVisible();

  // The recordings were made on 2026-11-22: a range from the day before keeps them in.
  await history.locator('.jp-hpc-history-range').selectOption('custom');
  await history.getByLabel('Start of the range').fill('2026-11-21T00:00');
  await history.getByLabel('Start of the range').blur();
  const row = (id: string) => history.locator(`.jp-hpc-history-row[data-job-id="${id}"]`);
  await expect(row('5.pbs01')).toBeVisible({ timeout: 30000 });

  // State and exit code of each finished job, as PBS recorded them.
  const exit = (id: string) => row(id).locator('td').nth(7);
  const expected: [string, string, string, string][] = [
    ['0.pbs01', 'smoke', 'completed', '0'],
    ['2.pbs01', 'shortjob', 'completed', '0'],
    ['5.pbs01', 'failjob', 'failed', '3'],
    ['6.pbs01', 'walljob', 'timeout', '-29'],
    ['8.pbs01', 'stdinjob', 'cancelled', '']
  ];
  for (const [id, name, state, code] of expected) {
    await expect(row(id)).toHaveAttribute('data-state', state);
    await expect(row(id).locator('.jp-hpc-history-name')).toHaveText(name);
    await expect(exit(id)).toHaveText(code);
  }
  await expect(exit('5.pbs01')).toHaveClass(/jp-hpc-history-bad-exit/);
  await expect(exit('0.pbs01')).not.toHaveClass(/jp-hpc-history-bad-exit/);
  // PBS's negative codes are its own: the cell says what -29 means.
  await expect(exit('6.pbs01')).toHaveAttribute('title', /^Exit status -29: .*walltime/);
  // PBS's words: the column is the job's queue.
  await expect(history.locator('th[data-column="partition"]')).toHaveText('Queue');
  await expect(row('5.pbs01').locator('td').nth(3)).toHaveText('workq');
  await shootBoth(page, testInfo, 'pbs-history', page.locator('#jp-main-dock-panel'));

  // Filter by state: the failed job alone, then the one killed at its walltime.
  const stateFilter = history.locator('.jp-hpc-history-state');
  await stateFilter.selectOption('failed');
  await expect(history.locator('.jp-hpc-history-row')).toHaveCount(1, { timeout: 30000 });
  await expect(row('5.pbs01')).toBeVisible();
  await expect(history.locator('.jp-hpc-history-count')).toHaveText('1 job');
  await stateFilter.selectOption('timeout');
  await expect(row('6.pbs01')).toBeVisible({ timeout: 30000 });
  await expect(history.locator('.jp-hpc-history-row')).toHaveCount(1);
  await shootBoth(page, testInfo, 'pbs-history-timeout', page.locator('#jp-main-dock-panel'));
  await stateFilter.selectOption('');
  await expect(row('0.pbs01')).toBeVisible({ timeout: 30000 });

  // Double-click opens the job's details (qstat -f, then -x for a finished job).
  await row('5.pbs01').dblclick();
  const details = page.locator('.jp-hpc-details[data-job-id="5.pbs01"]');
  await expect(details).toHaveAttribute('data-state', 'failed', { timeout: 30000 });
  await expect(details.locator('.jp-hpc-details-name')).toHaveText('failjob');
  await expect(details.locator('.jp-hpc-timeline-step[data-step="ended"]')).toContainText(
    'failed (exit 3)'
  );
  // The job has ended: nothing to follow, and its files are not on this machine.
  const output = details.locator('.jp-hpc-details-output');
  await expect(output.locator('.jp-hpc-output-missing').first()).toContainText(
    'the job never wrote it'
  );
  const follow = output.locator('.jp-hpc-output-follow input').first();
  await expect(follow).toBeDisabled();
  await expect(follow).not.toBeChecked();
  await expect(output.locator('.jp-hpc-output-follow').first()).toHaveAttribute(
    'title',
    /The job has ended/
  );
  await expect(output.locator('.jp-hpc-output-open').first()).toBeDisabled();
  await shootBoth(page, testInfo, 'pbs-history-details', page.locator('#jp-main-dock-panel'));
});
