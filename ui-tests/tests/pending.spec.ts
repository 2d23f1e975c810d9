/**
 * Pending jobs explained (issue 19) in Debian Chromium against a real JupyterLab and the
 * real local Slurm: a held job, a job that waits for it (a dependency) and a job too
 * big for what is free (resources, with the start Slurm expects) show why they wait in
 * the queue panel's "Why pending" and "Expected start" columns and the row's tooltip,
 * and in the job's details.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';

import { shootBoth } from './helpers';

const TAG = `ui-pending-${Date.now()}`;
const submitted: string[] = [];

function sbatch(...args: string[]): string {
  const out = execFileSync(
    'sbatch',
    ['--parsable', `--comment=${TAG}`, '--output=/dev/null', ...args],
    { cwd: '/tmp', encoding: 'utf-8' }
  );
  const id = out.trim().split(';')[0];
  submitted.push(id);
  return id;
}

function scontrol(id: string): Record<string, string> {
  const out = execFileSync('scontrol', ['-o', 'show', 'job', id], {
    encoding: 'utf-8'
  });
  const fields: Record<string, string> = {};
  for (const word of out.split(/\s+/)) {
    const at = word.indexOf('=');
    if (at > 0) {
      fields[word.slice(0, at)] = word.slice(at + 1);
    }
  }
  return fields;
}

test.afterAll(() => {
  if (submitted.length) {
    execFileSync('scancel', submitted);
  }
});

test.use({
  autoGoto: false,
  viewport: { width: 1400, height: 900 },
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-hpc:queue': {
      refreshInterval: 2,
      columns: ['id', 'state', 'name', 'why', 'expected_start']
    }
  }
});

test('waiting jobs say why they wait, in the panel and in their details', async ({
  page
}, testInfo) => {
  test.setTimeout(240000);
  const cpus = execFileSync('sinfo', ['-h', '-p', 'debug', '-o', '%c'], {
    encoding: 'utf-8'
  }).trim();
  const held = sbatch(
    '-J',
    'ui: pending held',
    '-t',
    '2',
    '--hold',
    '--wrap',
    'true'
  );
  const dep = sbatch(
    '-J',
    'ui: pending dependency',
    '-t',
    '2',
    `--dependency=afterok:${held}`,
    '--wrap',
    'true'
  );
  // On a busy shared node this waits anyway; on an idle one it takes 2 CPUs.
  sbatch(
    '-J',
    'ui: pending blocker',
    '-p',
    'debug',
    '-c',
    '2',
    '-t',
    '3',
    '--wrap',
    'sleep 170'
  );
  const big = sbatch(
    '-J',
    'ui: pending big',
    '-p',
    'debug',
    '-c',
    cpus,
    '-t',
    '2',
    '--wrap',
    'true'
  );
  // Slurm's backfill pass gives the big job a start (30 s by default).
  await expect
    .poll(() => scontrol(big)['StartTime'], {
      timeout: 80000,
      intervals: [1000]
    })
    .not.toBe('Unknown');
  const start = scontrol(big)['StartTime'].replace('T', ' ').slice(0, 16);

  await page.goto();
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.sidebar.setWidth(860, 'left');
  const panel = page.locator('#jupyterlab-hpc-queue');
  await panel.locator('.jp-hpc-queue-filter').fill('ui: pending');
  const why = (id: string) =>
    panel.locator(`.jp-hpc-queue-row[data-job-id="${id}"] [data-column="why"]`);
  await expect(why(dep)).toHaveText(`Waits for job ${held}`, {
    timeout: 30000
  });
  await expect(why(held)).toHaveText(
    'Held by you: it will not start until you release it'
  );
  await expect(why(big)).toContainText(`for ${cpus} CPUs on debug; `);
  // "N are free now", or what the shared summary (up to a minute old) saw, with its time.
  await expect(why(big)).toContainText(/free (now|at \d\d:\d\d:\d\d)/);
  const bigRow = panel.locator(`.jp-hpc-queue-row[data-job-id="${big}"]`);
  await expect(bigRow.locator('[data-column="expected_start"]')).toHaveText(
    start
  );
  await expect(bigRow).toHaveAttribute(
    'title',
    new RegExp(`Expected start: ${start}`)
  );
  await expect(
    panel.locator(`.jp-hpc-queue-row[data-job-id="${held}"]`)
  ).toHaveAttribute('title', /What you can do: Release it/);
  await shootBoth(
    page,
    testInfo,
    'pending-queue',
    page.locator('#jp-left-stack')
  );

  await panel.locator(`.jp-hpc-queue-row[data-job-id="${dep}"]`).dblclick();
  await page.sidebar.close('left');
  const details = page.locator(`.jp-hpc-details[data-job-id="${dep}"]`);
  const section = details.locator('.jp-hpc-details-pending');
  await expect(section).toBeVisible({ timeout: 15000 });
  await expect(section).toContainText('Why it waits');
  await expect(section).toContainText(`Waits for job ${held}`);
  await expect(section).toContainText('What you can do');
  await expect(section).toContainText('It starts once the jobs it depends on end');
  await shootBoth(
    page,
    testInfo,
    'pending-details',
    page.locator('#jp-main-dock-panel')
  );
});

test('the submit tab says what is free in the partition and when the job would start', async ({
  page
}, testInfo) => {
  test.setTimeout(120000);
  await page.goto();
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.locator('#jupyterlab-hpc-queue .jp-hpc-queue-submit').click();
  await page.sidebar.close('left');
  const form = page.locator('.jp-hpc-submit-widget .jp-hpc-submit-form');
  const field = form.locator('[data-field="partition"]');
  const free = field.locator('.jp-hpc-submit-free');
  // The default partition until one is chosen, from the shared cluster summary.
  await expect(free).toContainText(/^Free now on debug: \d+ of \d+ CPUs/, { timeout: 30000 });
  const estimate = field.locator('.jp-hpc-submit-estimate');
  await expect(estimate).toHaveText(/^Would start at \d{4}-\d\d-\d\d \d\d:\d\d on \S+$/, {
    timeout: 30000
  });
  await shootBoth(page, testInfo, 'submit-free-now', form);

  // Another partition: its own figures, and a new estimate for it.
  await field.locator('select[name="partition"]').selectOption('long');
  await expect(free).toContainText(/^Free now on long: /);
  await expect(estimate).toHaveText(/^Would start at /, { timeout: 30000 });
});
