/**
 * A kernel inside a batch job, in a notebook, on the real local Slurm cluster: while its
 * job waits the notebook says so (job, reason, expected start) with Cancel, and Cancel
 * takes the job out of the queue; a kernel whose job runs is used like any other, and when
 * its job is cancelled from outside, the notebook says why the kernel is gone.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';

import { shootBoth } from './helpers';

const DATA_DIR = process.env.HPC_UI_DATA_DIR!;
// The repository's own virtual env: it has ipykernel.
const PYTHON = path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python');
const STAMP = Date.now().toString(36);

function writeKernel(name: string, config: Record<string, unknown>): void {
  const folder = path.join(DATA_DIR, 'kernels', name);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(
    path.join(folder, 'kernel.json'),
    JSON.stringify({
      argv: [PYTHON, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      display_name: `Batch ${name}`,
      language: 'python',
      interrupt_mode: 'signal',
      metadata: {
        kernel_provisioner: { provisioner_name: 'hpc-batch', config }
      }
    })
  );
}

function jobState(jobId: string): string {
  return execFileSync('squeue', ['-h', '-j', jobId, '-o', '%T'], {
    encoding: 'utf-8'
  }).trim();
}

/** The kernel editor, open on kernel `name` (after the specs are read again); its form. */
async function openInEditor(page: IJupyterLabPageFixture, name: string) {
  await page.evaluate(async () => {
    const app = (window as any).jupyterapp;
    await app.serviceManager.kernelspecs.refreshSpecs();
    await app.commands.execute('hpc:edit-kernels');
  });
  const editor = page.locator('.jp-hpc-kernels');
  await editor
    .locator(`.jp-hpc-kernels-item[data-kernel-name="${name}"]`)
    .click();
  return editor.locator(`.jp-hpc-kernels-editor[data-kernel-name="${name}"]`);
}

test.use({ autoGoto: true });

// The kernels folder is shared by the test servers (PBS and Torque ones too): leave no
// batch kernel behind for a later spec's new notebook to start.
test.afterAll(() => {
  for (const kind of ['wait', 'run', 'edit', 'alloc', 'badge']) {
    fs.rmSync(path.join(DATA_DIR, 'kernels', `batch-${kind}-${STAMP}`), {
      recursive: true,
      force: true
    });
  }
});

test('a waiting kernel job shows in the notebook, and Cancel removes it', async ({
  page
}, testInfo) => {
  const name = `batch-wait-${STAMP}`;
  writeKernel(name, { partition: 'debug', extra: ['--begin=now+3600'] });
  await page.evaluate(() =>
    (window as any).jupyterapp.serviceManager.kernelspecs.refreshSpecs()
  );
  await page.notebook.createNew(undefined, { kernel: name });

  const toast = page.locator('.Toastify__toast', {
    hasText: /Starting on debug: job \d+ pending \(waiting for the start time/
  });
  await expect(toast).toBeVisible({ timeout: 20000 });
  await expect(toast).toContainText(
    'pending (waiting for the start time it asked for (--begin)), expected start '
  );
  const jobId = (await toast.innerText()).match(/job (\d+) pending/)![1];
  expect(jobState(jobId)).toBe('PENDING');
  await expect(toast.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await page.waitForTimeout(1000); // the toast has slid in
  const shot = testInfo.outputPath('batch-kernel-waiting.png');
  await page.screenshot({ path: shot });
  await testInfo.attach('batch-kernel-waiting', {
    path: shot,
    contentType: 'image/png'
  });

  await toast.getByRole('button', { name: 'Cancel' }).click();
  // JupyterLab's own dialog for a kernel that did not start, in our words.
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(
    `You cancelled the kernel's job ${jobId} while it waited`,
    { timeout: 20000 }
  );
  await expect.poll(() => jobState(jobId), { timeout: 20000 }).toBe('');
  await dialog.locator('.jp-mod-accept, .jp-mod-reject').first().click();
});

test('a kernel in a job runs code, and says why when its job is cancelled', async ({
  page
}, testInfo) => {
  const name = `batch-run-${STAMP}`;
  writeKernel(name, { partition: 'debug', cpus: 2, time_limit: '10' });
  await page.evaluate(() =>
    (window as any).jupyterapp.serviceManager.kernelspecs.refreshSpecs()
  );
  await page.notebook.createNew(undefined, { kernel: name });
  const running = page.locator('.Toastify__toast', {
    hasText: /Kernel running on \S+ in job \d+ \(debug, 2 CPUs, 10 min\)/
  });
  await expect(running).toBeVisible({ timeout: 30000 });
  const jobId = (await running.innerText()).match(/in job (\d+)/)![1];

  await page.notebook.setCell(
    0,
    'code',
    "import os; print(os.environ['SLURM_JOB_ID'], os.environ['SLURM_CPUS_PER_TASK'])"
  );
  await page.notebook.runCell(0);
  await expect(page.locator('.jp-OutputArea-output').first()).toHaveText(
    `${jobId} 2`
  );

  // The queue panel marks the job as this notebook's kernel.
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.sidebar.setWidth(520, 'left');
  const row = page.locator(`.jp-hpc-queue-row[data-job-id="${jobId}"]`);
  const mark = row.locator('.jp-hpc-queue-mark[data-mark="batch-kernel"]');
  await expect(mark).toHaveText('Kernel', { timeout: 30000 });
  await expect(mark).toHaveAttribute(
    'title',
    new RegExp(
      `^This job runs the kernel of \\S*Untitled\\d*\\.ipynb \\(${name}\\)`
    )
  );
  await shootBoth(page, testInfo, 'queue-kernel-mark');
  await page.sidebar.close('left');

  execFileSync('scancel', [jobId]);
  const ended = page.locator('.Toastify__toast', {
    hasText: `Job ${jobId} was cancelled`
  });
  await expect(ended).toBeVisible({ timeout: 30000 });
  await expect(ended).toContainText(
    `Job ${jobId} was cancelled (queue panel, scancel, qdel or an administrator). The kernel is gone; start it again for a new job.`
  );
  expect(jobState(jobId)).toBe('');
});

test('the kernel editor puts a kernel in a batch job, and a notebook runs it there', async ({
  page
}, testInfo) => {
  const name = `batch-edit-${STAMP}`;
  const folder = path.join(DATA_DIR, 'kernels', name);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(
    path.join(folder, 'kernel.json'),
    JSON.stringify({
      argv: [PYTHON, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      display_name: `Batch ${name}`,
      language: 'python',
      metadata: { debugger: true }
    })
  );
  const form = await openInEditor(page, name);
  const section = form.locator('.jp-hpc-kernels-placement');
  await expect(
    section.getByRole('radio', { name: 'On this server' })
  ).toBeChecked();
  await section.getByRole('radio', { name: 'In a batch job' }).click();
  await section
    .locator('.jp-hpc-kernels-placement-partition')
    .selectOption('debug');
  await section.locator('.jp-hpc-kernels-placement-time_limit').fill('10');
  await section.locator('.jp-hpc-kernels-placement-cpus').fill('two');
  await expect(section).toContainText('CPUs must be a whole number from 1.');
  await expect(form.locator('.jp-hpc-kernels-save')).toBeDisabled();
  await section.locator('.jp-hpc-kernels-placement-cpus').fill('2');
  await expect(section).toContainText(
    'Starting this kernel submits a job (debug, 2 CPUs, 10 min)'
  );
  await section.locator('.jp-hpc-kernels-placement-queue_timeout').fill('soon');
  await expect(section).toContainText(
    'The queue timeout is whole minutes from 0 (no limit) to 525600.'
  );
  await section.locator('.jp-hpc-kernels-placement-queue_timeout').fill('5');
  // When would it start? One sbatch --test-only, asked for.
  const estimate = section.locator('.jp-hpc-kernels-placement-estimate');
  await estimate.getByRole('button', { name: 'When would it start?' }).click();
  await expect(estimate.getByRole('status')).toHaveText(
    /^Slurm would start this kernel's job around .+ on \S+\.$/,
    { timeout: 30000 }
  );
  const shot = testInfo.outputPath('batch-kernel-editor.png');
  await section.screenshot({ path: shot });
  await testInfo.attach('batch-kernel-editor', {
    path: shot,
    contentType: 'image/png'
  });
  await form.locator('.jp-hpc-kernels-save').click();
  await expect(page.locator('.Toastify__toast').first()).toContainText(
    'Saved the kernel'
  );
  const onDisk = JSON.parse(
    fs.readFileSync(path.join(folder, 'kernel.json'), 'utf-8')
  );
  expect(onDisk.metadata).toEqual({
    debugger: true,
    kernel_provisioner: {
      provisioner_name: 'hpc-batch',
      config: {
        partition: 'debug',
        time_limit: '10',
        cpus: 2,
        queue_timeout: 5
      }
    }
  });

  await page.notebook.createNew(undefined, { kernel: name });
  const running = page.locator('.Toastify__toast', {
    hasText: /Kernel running on \S+ in job \d+ \(debug, 2 CPUs, 10 min\)/
  });
  await expect(running).toBeVisible({ timeout: 30000 });
  const jobId = (await running.innerText()).match(/in job (\d+)/)![1];
  expect(jobState(jobId)).toBe('RUNNING');
  await page.evaluate(async () => {
    await (window as any).jupyterapp.commands.execute('kernelmenu:shutdown');
  });
  await expect.poll(() => jobState(jobId), { timeout: 30000 }).toBe('');
});

test('a kernel joins an allocation of mine as a step, and leaves it running', async ({
  page
}, testInfo) => {
  // An allocation for the day, as users make one: salloc --no-shell.
  const granted = execFileSync(
    'salloc',
    ['--no-shell', '-N1', '-n1', '-c2', '-t', '10', '-J', `ui-alloc-${STAMP}`],
    { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] }
  );
  const allocation = execFileSync(
    'squeue',
    ['-h', '-n', `ui-alloc-${STAMP}`, '-o', '%i'],
    { encoding: 'utf-8' }
  ).trim();
  expect(allocation, granted).toMatch(/^\d+$/);
  try {
    const name = `batch-alloc-${STAMP}`;
    writeKernel(name, { partition: 'debug' });
    const form = await openInEditor(page, name);
    const section = form.locator('.jp-hpc-kernels-placement');
    await section
      .locator('.jp-hpc-kernels-placement-allocation')
      .fill(allocation);
    // The partition belongs to the job it joins.
    await expect(section).toContainText(
      'The partition belongs to the job the kernel joins, not to the kernel: leave it empty.'
    );
    await expect(form.locator('.jp-hpc-kernels-save')).toBeDisabled();
    await section
      .locator('.jp-hpc-kernels-placement-partition')
      .selectOption('');
    await expect(
      section.locator('.jp-hpc-kernels-placement-partition')
    ).toHaveCount(0);
    await expect(
      section.locator('.jp-hpc-kernels-placement-time_limit')
    ).toHaveCount(0);
    await section.locator('.jp-hpc-kernels-placement-cpus').fill('1');
    await expect(section).toContainText(
      `Starting this kernel starts a step in your job ${allocation} (allocation ${allocation}, 1 CPU)`
    );
    const shot = testInfo.outputPath('batch-kernel-allocation.png');
    await section.screenshot({ path: shot });
    await testInfo.attach('batch-kernel-allocation', {
      path: shot,
      contentType: 'image/png'
    });
    await form.locator('.jp-hpc-kernels-save').click();
    await expect(page.locator('.Toastify__toast').first()).toContainText(
      'Saved the kernel'
    );

    await page.notebook.createNew(undefined, { kernel: name });
    const running = page.locator('.Toastify__toast', {
      hasText: `in job ${allocation} (allocation ${allocation}, 1 CPU)`
    });
    await expect(running).toBeVisible({ timeout: 30000 });
    await page.notebook.setCell(
      0,
      'code',
      "import os; print(os.environ['SLURM_JOB_ID'], 'step', os.environ['SLURM_STEP_ID'])"
    );
    await page.notebook.runCell(0, true);
    await expect(page.locator('.jp-OutputArea-output').first()).toContainText(
      `${allocation} step`
    );
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('kernelmenu:shutdown');
    });
    // The kernel's step ends; the allocation is the user's and keeps running.
    await expect
      .poll(
        () =>
          execFileSync('squeue', ['-h', '-s', '-j', allocation, '-o', '%i'], {
            encoding: 'utf-8'
          }).trim(),
        { timeout: 30000 }
      )
      .toBe('');
    expect(jobState(allocation)).toBe('RUNNING');
  } finally {
    execFileSync('scancel', [allocation]);
  }
});

test('the Launcher marks a kernel in a batch job with its partition', async ({
  page
}, testInfo) => {
  const name = `batch-badge-${STAMP}`;
  writeKernel(name, { partition: 'debug', cpus: 1 });
  await page.evaluate(async () => {
    const app = (window as any).jupyterapp;
    await app.serviceManager.kernelspecs.refreshSpecs();
    await app.commands.execute('launcher:create');
  });
  const badge = (title: string) =>
    page.evaluate(t => {
      const card = Array.from(
        document.querySelectorAll('.jp-Launcher .jp-LauncherCard')
      ).find(c => c.getAttribute('title') === t);
      const icon = card?.querySelector('.jp-LauncherCard-icon');
      return icon ? getComputedStyle(icon, '::after').content : null;
    }, title);
  await expect.poll(() => badge(`Batch ${name}`)).toBe('"debug"');
  // A kernel on the server has none.
  expect(await badge('Python 3 (ipykernel)')).toBe('none');
  await shootBoth(page, testInfo, 'launcher-batch-badge');
});
