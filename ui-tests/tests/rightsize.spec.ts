/**
 * Right-size and resubmit (issue 19) in Debian Chromium against a real JupyterLab and
 * the real local Slurm: a job that holds 200 MiB for 12 s with 1 GiB and 5 minutes asked
 * ends; the history shows its memory and time used against asked, selecting it shows
 * the next run's request, and *Resubmit with these* opens the submit tab with its
 * `#SBATCH` lines rewritten. The job's details show the same.
 */
import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { editorText, shootBoth } from './helpers';

const TAG = `ui-rightsize-${Date.now()}`;
const NAME = `ui-rightsize-${process.pid}`;
const submitted: string[] = [];
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'jupyterlab-hpc-ui-rightsize-'));

const SCRIPT = `#!/bin/bash
#SBATCH --job-name=${NAME}
#SBATCH --mem=1G
#SBATCH --time=5
#SBATCH --output=/dev/null
/usr/bin/python3 -c 'import time; b = b"x" * (200 << 20); time.sleep(12)'
`;

test.afterAll(() => {
  if (submitted.length) {
    execFileSync('scancel', submitted);
  }
  fs.rmSync(folder, { recursive: true, force: true });
});

test.use({ autoGoto: true, viewport: { width: 1400, height: 1000 } });

/** The job's final state once accounting has it, else ''. */
function finalState(job: string): string {
  const out = execFileSync('sacct', ['-X', '-n', '-P', '-o', 'State', '-j', job], {
    encoding: 'utf-8'
  }).trim();
  return /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY)/.test(out) ? out : '';
}

test('from the history to Resubmit with these: the submit tab with the rewritten lines', async ({
  page
}, testInfo) => {
  test.setTimeout(420000);
  const file = path.join(folder, 'rightsize.sh');
  fs.writeFileSync(file, SCRIPT);
  const job = execFileSync('sbatch', ['--parsable', `--comment=${TAG}`, file], {
    cwd: folder,
    encoding: 'utf-8'
  })
    .trim()
    .split(';')[0];
  submitted.push(job);
  // The cluster is shared: the job may wait for a CPU before its 12 s.
  await expect.poll(() => finalState(job), { timeout: 300000, intervals: [2000] }).toBe(
    'COMPLETED'
  );

  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.locator('#jupyterlab-hpc-queue .jp-hpc-queue-history').click();
  await page.sidebar.close('left');
  const history = page.locator('.jp-hpc-history');
  await expect(history).toBeVisible();
  const row = history.locator(`.jp-hpc-history-row[data-job-id="${job}"]`);
  await expect(row).toBeVisible({ timeout: 15000 });

  // Memory and time used against asked, in the table.
  const memory = row.locator('td.jp-hpc-history-use [role=meter]').first();
  await expect(memory).toHaveAttribute('aria-valuenow', /^(19|2\d)$/); // ~200 MiB of 1 GiB
  await expect(memory).toHaveAttribute('title', /^Peak 2\d\d MiB of 1 GiB per node$/);

  // Selected: its use and the next run's request under the table.
  await row.click();
  const selected = history.locator(`.jp-hpc-history-selected[data-job-id="${job}"]`);
  await expect(selected).toBeVisible();
  await expect(selected.locator('.jp-hpc-rightsize-row[data-resource="memory"]')).toContainText(
    /peak 2\d\d MiB of 1 GiB per node/
  );
  await expect(selected.locator('.jp-hpc-rightsize-row[data-resource="time"]')).toContainText(
    /ran 1\d s of 5:00/
  );
  await expect(selected.locator('.jp-hpc-rightsize-suggestion')).toHaveText(
    'Next run: memory 256M per node, time 10 min'
  );
  await shootBoth(page, testInfo, 'rightsize-history', page.locator('#jp-main-dock-panel'));

  // Resubmit with these: the submit tab, the script kept, its directives rewritten.
  await selected.locator('.jp-hpc-rightsize-resubmit').click();
  const submit = page.locator('.jp-hpc-submit-widget');
  await expect(submit).toBeVisible({ timeout: 15000 });
  await expect.poll(() => editorText(page)).toContain('#SBATCH --mem=256M');
  const text = await editorText(page);
  expect(text).toContain('#SBATCH --time=10');
  expect(text).not.toContain('--mem=1G');
  expect(text).not.toContain('--time=5');
  expect(text).toContain(`#SBATCH --job-name=${NAME}`);
  expect(text).toContain('b"x" * (200 << 20)');
  const form = submit.locator('.jp-hpc-submit-form');
  await expect(form.locator('input[name="memory"]')).toHaveValue('256M');
  await shootBoth(page, testInfo, 'rightsize-submit', page.locator('#jp-main-dock-panel'));

  // The job's details say the same under "Used against asked".
  await page.evaluate(async id => {
    await (window as any).jupyterapp.commands.execute('hpc:open-job-details', { jobId: id });
  }, job);
  const details = page.locator(`.jp-hpc-details[data-job-id="${job}"]`);
  await expect(details).toBeVisible({ timeout: 15000 });
  const section = details.locator('.jp-hpc-details-rightsize');
  await expect(section.locator('.jp-hpc-rightsize-suggestion')).toHaveText(
    'Next run: memory 256M per node, time 10 min'
  );
  await shootBoth(page, testInfo, 'rightsize-details', section);
});

test('a job whose script Slurm no longer keeps: a new script with its request', async ({
  page
}, testInfo) => {
  test.setTimeout(600000);
  const name = `${NAME}-old`;
  const job = execFileSync(
    'sbatch',
    [
      '--parsable',
      `--comment=${TAG}`,
      `--job-name=${name}`,
      '--mem=1G',
      '--time=30',
      '--output=/dev/null',
      '--wrap',
      "/usr/bin/python3 -c 'import time; b = b\"x\" * (200 << 20); time.sleep(12)'"
    ],
    { cwd: folder, encoding: 'utf-8' }
  )
    .trim()
    .split(';')[0];
  submitted.push(job);
  await expect.poll(() => finalState(job), { timeout: 300000, intervals: [2000] }).toBe(
    'COMPLETED'
  );
  // slurmctld forgets a job MinJobAge (120 s here) after its end, with its script.
  await expect
    .poll(
      () => {
        try {
          execFileSync('scontrol', ['show', 'job', job], { stdio: 'pipe' });
          return 'known';
        } catch {
          return 'forgotten';
        }
      },
      { timeout: 300000, intervals: [5000] }
    )
    .toBe('forgotten');

  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.locator('#jupyterlab-hpc-queue .jp-hpc-queue-history').click();
  await page.sidebar.close('left');
  const row = page.locator(`.jp-hpc-history-row[data-job-id="${job}"]`);
  await expect(row).toBeVisible({ timeout: 15000 });
  await row.click();
  const selected = page.locator(`.jp-hpc-history-selected[data-job-id="${job}"]`);
  await expect(selected.locator('.jp-hpc-rightsize-suggestion')).toHaveText(
    'Next run: memory 256M per node, time 10 min'
  );
  await selected.locator('.jp-hpc-rightsize-resubmit').click();
  await expect(
    page.locator('.Toastify__toast', {
      hasText: `Slurm no longer has the script of job ${job}`
    })
  ).toBeVisible({ timeout: 15000 });
  const submit = page.locator('.jp-hpc-submit-widget');
  await expect(submit).toBeVisible({ timeout: 15000 });
  await expect.poll(() => editorText(page)).toContain('#SBATCH --mem=256M');
  const text = await editorText(page);
  expect(text).toContain('#SBATCH --time=10');
  expect(text).toContain(`#SBATCH --job-name=${name}`);
  expect(text).toContain('#SBATCH --partition=debug');
  expect(text).not.toContain('200 << 20'); // the old script is gone
  await expect(submit.locator('input[name="workdir"]')).toHaveValue(folder); // where it ran
  await shootBoth(page, testInfo, 'rightsize-no-script', page.locator('#jp-main-dock-panel'));
});
