/**
 * The job that runs the server (issue 16), under the real hubs: with SlurmSpawner,
 * hubalice's server runs in a Slurm job of hers (a 30-minute limit here), and the
 * status bar shows that job, its time left, its memory against the job's 2 GiB and its
 * CPU; the warnings come (thresholds set short through her settings), each once; the
 * queue panel marks the job and cancelling it asks twice. With LocalProcessSpawner the
 * server runs in no job and the item is not there.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';

import { logIn, openSidebar, serverJobsOf, shoot, spawnerOf } from './helpers';

const ALICE = 'hubalice';
const BASE = `/user/${ALICE}`;
const SETTINGS = `${BASE}/lab/api/settings/jupyterlab-hpc:session`;
const THEME = `${BASE}/lab/api/settings/@jupyterlab/apputils-extension:themes`;
// The time limit jupyterhub_config.py gives the test hub's servers.
const LIMIT = 30 * 60;

test.describe.configure({ mode: 'serial' });

let page: Page;
let spawner = '';
let jobId = '';

/** The job's end and start as slurmctld has them (epoch seconds). */
function slurmTimes(id: string): { start: number; end: number } {
  const out = execFileSync('scontrol', ['--local', 'show', 'job', id], {
    encoding: 'utf-8'
  });
  const field = (key: string) =>
    new Date(out.match(new RegExp(`${key}=(\\S+)`))![1]).getTime() / 1000;
  return { start: field('StartTime'), end: field('EndTime') };
}

/** Whether this hub's SlurmSpawner submitted the job (another hub on the machine may run
 * a server of hers too), from the hub's log. */
function submittedHere(log: string, id: string): boolean {
  return fs
    .readFileSync(log, 'utf-8')
    .includes(`Job submitted. output: ${id}\n`);
}

/** "user|name|STATE" of a job, as squeue says. */
function jobState(id: string): string {
  return execFileSync('squeue', ['-h', '-j', id, '-o', '%u|%j|%T'], {
    encoding: 'utf-8'
  }).trim();
}

async function xsrf(): Promise<string> {
  const cookies = await page.context().cookies();
  const c = cookies.find(
    c => c.name === '_xsrf' && c.path.startsWith(`/user/${ALICE}`)
  );
  expect(c).toBeTruthy();
  return c!.value;
}

async function putSettings(url: string, values: object): Promise<void> {
  const response = await page.request.put(url, {
    data: { raw: JSON.stringify(values) },
    headers: { 'X-XSRFToken': await xsrf() }
  });
  expect(response.status()).toBe(204);
}

async function reloadLab(): Promise<void> {
  await page.goto(`${BASE}/lab`);
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible({
    timeout: 60000
  });
}

test.beforeAll(async ({ browser }, testInfo) => {
  page = await browser.newPage();
  spawner = spawnerOf(testInfo);
});

test.afterAll(async () => {
  if (page) {
    // Her settings as they were: defaults, the light theme.
    await putSettings(SETTINGS, {}).catch(() => undefined);
    await putSettings(THEME, {}).catch(() => undefined);
    await page.close();
  }
});

test('the status bar shows the job her server runs in, with its figures', async ({}, testInfo) => {
  await logIn(page, ALICE);
  await putSettings(SETTINGS, {});
  await reloadLab();
  const session = await (
    await page.request.get(`${BASE}/jupyterlab-hpc/session`)
  ).json();
  const item = page.locator('.jp-hpc-session-item');
  if (spawner !== 'slurm') {
    // A local process runs in no job: nothing to show.
    expect(session.job).toBeNull();
    expect(session.message).toContain('SLURM_JOB_ID is not set');
    await expect(page.locator('#jp-main-statusbar')).toBeVisible();
    await page.waitForTimeout(2000);
    await expect(item).toHaveCount(0);
    return;
  }
  // Her server's job: submitted by this hub's SlurmSpawner, hers, running.
  jobId = String(session.job?.id ?? '');
  expect(jobId).toMatch(/^\d+$/);
  expect(submittedHere(testInfo.project.metadata.log as string, jobId)).toBe(
    true
  );
  expect(jobState(jobId)).toBe(`${ALICE}|spawner-jupyterhub|RUNNING`);
  const { start, end } = slurmTimes(jobId);
  expect(end - start).toBe(LIMIT);

  // The server's answer: the spawner's job, its limit and end, its size.
  const job = session.job;
  expect(job.id).toBe(jobId);
  expect(job.kind).toBe('slurm');
  expect(job.step).toBe('0'); // batchspawner runs the server with srun
  expect(job.time_limit).toBe(LIMIT);
  expect(job.end).toBe(end);
  expect(job.seconds_left).toBeGreaterThan(0);
  expect(job.seconds_left).toBeLessThanOrEqual(end - Date.now() / 1000 + 2);
  expect(job.cpus).toBe(1);
  expect(job.gpus).toBe(0);
  expect(job.memory.limit).toBe(2 * 1024 ** 3);
  expect(job.memory.source).toBe('sstat');

  // The item says the same.
  await expect(item).toBeVisible({ timeout: 30000 });
  await expect(item).toHaveAttribute('data-job-id', jobId);
  const text = (await item.innerText()).trim();
  const m = text.match(
    new RegExp(`^Job ${jobId} · (\\d+) min left · ([\\d.?]+)/2 GiB · 1 CPU$`)
  );
  expect(m, text).toBeTruthy();
  const minutes = Number(m![1]);
  const left = (end - Date.now() / 1000) / 60;
  expect(minutes).toBeGreaterThanOrEqual(Math.floor(left) - 1);
  expect(minutes).toBeLessThanOrEqual(Math.ceil(left));
  expect(await item.getAttribute('title')).toContain(
    `This Jupyter server runs in job ${jobId} (spawner-jupyterhub) on partition debug`
  );
  testInfo.annotations.push({ type: 'session item', description: text });

  const bar = page.locator('#jp-main-statusbar');
  await shoot(page, testInfo, 'hub-session-item-light', { target: bar });
  await putSettings(THEME, { theme: 'JupyterLab Dark' });
  await reloadLab();
  await expect(item).toBeVisible({ timeout: 30000 });
  await shoot(page, testInfo, 'hub-session-item-dark', { target: bar });
  await putSettings(THEME, {});
});

test('a click on the item opens the job’s details', async () => {
  test.skip(spawner !== 'slurm', 'no session job under LocalProcessSpawner');
  await reloadLab();
  await page.locator('.jp-hpc-session-item').click();
  // The job's details tab, opened and current.
  await expect(page.locator(`#jupyterlab-hpc-job-${jobId}`)).toBeVisible({
    timeout: 30000
  });
  await expect(
    page.locator(
      `.lm-TabBar-tab.jp-mod-current[data-id="jupyterlab-hpc-job-${jobId}"]`
    )
  ).toHaveText(`Job ${jobId}`);
});

test('warnings before the end and past the memory threshold, each once, with Save all', async ({}, testInfo) => {
  test.skip(spawner !== 'slurm', 'no session job under LocalProcessSpawner');
  // A threshold 20 s from now, and 1 % of the memory limit (the server uses more).
  const { end } = slurmTimes(jobId);
  const soon = (end - Date.now() / 1000 - 20) / 60;
  await putSettings(SETTINGS, {
    warnMinutesBefore: [soon],
    warnMemoryPercent: 1
  });
  await reloadLab();
  const memory = page.locator('.Toastify__toast', {
    hasText: `Job ${jobId} uses`
  });
  await expect(memory).toHaveCount(1, { timeout: 60000 });
  await expect(memory).toContainText('of its memory (0.');
  await expect(memory).toContainText(
    '/2 GiB). Past the limit the job stops, and this server with it.'
  );
  const ending = page.locator('.Toastify__toast', {
    hasText: `Job ${jobId} ends in`
  });
  await expect(ending).toHaveCount(0);
  await expect(ending).toHaveCount(1, { timeout: 60000 });
  await expect(ending.getByRole('button', { name: 'Save all' })).toBeVisible();
  await expect(page.locator('.jp-hpc-session-item')).toHaveClass(/jp-mod-warn/);
  await shoot(page, testInfo, 'hub-session-warnings', { toasts: true });
  // Once each: two more ticks of the countdown and a new answer bring no other.
  await page.waitForTimeout(35000);
  await expect(memory).toHaveCount(1);
  await expect(ending).toHaveCount(1);
  await ending.getByRole('button', { name: 'Save all' }).click();
  await putSettings(SETTINGS, {});
});

test('the queue panel marks the job, and cancelling it asks twice', async ({}, testInfo) => {
  test.skip(spawner !== 'slurm', 'no session job under LocalProcessSpawner');
  await reloadLab();
  // The restored layout may have the queue's tab current and the sidebar folded.
  const tab = page.locator(
    '.lm-TabBar.jp-SideBar li.lm-TabBar-tab[data-id="jupyterlab-hpc-queue"]'
  );
  await expect(tab).toBeVisible();
  if (!(await page.locator('#jupyterlab-hpc-queue').isVisible())) {
    await tab.click();
  }
  await openSidebar(page, 'jupyterlab-hpc-queue', 620);
  const panel = page.locator('#jupyterlab-hpc-queue');
  await panel.locator('.jp-hpc-queue-scope-mine').click();
  await panel.locator('.jp-hpc-queue-filter').fill('spawner-jupyterhub');
  const row = panel.locator(`.jp-hpc-queue-row[data-job-id="${jobId}"]`);
  await expect(row).toHaveClass(/jp-mod-session/);
  await expect(
    row.locator('[data-column="name"] .jp-hpc-session-badge')
  ).toHaveText('this session');
  await shoot(page, testInfo, 'hub-session-queue-row', { target: panel });

  await row.locator('.jp-hpc-queue-row-check').check();
  await panel.locator('.jp-hpc-queue-cancel').click();
  const dialog = page.locator('.jp-Dialog');
  await dialog.getByRole('button', { name: /^Cancel 1 job/ }).click();
  await expect(dialog).toContainText(
    `Job ${jobId} runs this Jupyter server; cancelling it ends this session.`
  );
  const keep = dialog.getByRole('button', { name: 'Keep the session' });
  await expect(keep).toBeFocused();
  await shoot(page, testInfo, 'hub-session-cancel-twice');
  await keep.click();
  await expect(dialog).toHaveCount(0);
  expect(jobState(jobId)).toBe(`${ALICE}|spawner-jupyterhub|RUNNING`);
});
