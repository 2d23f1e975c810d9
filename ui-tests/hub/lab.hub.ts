/**
 * jupyterlab-hpc under a real JupyterHub (playwright-hub.config.js): hubalice logs in with
 * her Unix password, the hub spawns her server as hubalice under /user/hubalice/, and the
 * extension works there as her: her jobs, her kernels folder, the Modules panel, a job
 * submitted as her; hubbob's job is not hers to cancel, and hubbob's own server is his.
 * The steps run in order in one browser page (one login, one spawn).
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import {
  HUB_PREFIX,
  heldJobOf,
  closeLeftSidebar,
  homeOf,
  hubSpawnSeconds,
  logIn,
  openSidebar,
  ownerAndState,
  runAs,
  serverEnvOf,
  serverJobsOf,
  shoot,
  spawnerOf,
  uidOf
} from './helpers';

const ALICE = 'hubalice';
const BOB = 'hubbob';
const STAMP = Date.now().toString(36);
const TAG = `hub-test-${STAMP}`;
const KERNEL = `hub-test-kernel-${STAMP}`;
const API = `/user/${ALICE}/jupyterlab-hpc`;

test.describe.configure({ mode: 'serial' });

let page: Page;
const jobs: string[] = [];
const spawnTimes: string[] = [];
let spawner = '';

function job(user: string, name: string): string {
  const id = heldJobOf(user, name);
  jobs.push(id);
  return id;
}

test.beforeAll(async ({ browser }, testInfo) => {
  page = await browser.newPage();
  spawner = spawnerOf(testInfo);
});

test.afterAll(async () => {
  // Whatever happened, no job or kernel of this run stays behind.
  let live: string[] = [];
  try {
    live = execFileSync('squeue', ['-h', '-o', '%i|%j'], { encoding: 'utf-8' })
      .split('\n')
      .filter(line => line.includes(`|${TAG}`))
      .map(line => line.split('|')[0]);
  } catch {
    // Slurm not answering: cancel the jobs we know of.
  }
  const all = [...new Set([...jobs, ...live])];
  if (all.length) {
    execFileSync('scancel', all);
  }
  fs.rmSync(path.join(homeOf(ALICE), '.local/share/jupyter/kernels', KERNEL), {
    recursive: true,
    force: true
  });
  await page?.close();
  if (spawnTimes.length) {
    console.log(`hub spawn times (${spawner}): ${spawnTimes.join('; ')}`);
  }
});

test('hubalice logs in; the hub spawns her server as hubalice under /user/hubalice/', async ({}, testInfo) => {
  const seconds = await logIn(page, ALICE);
  const hub = hubSpawnSeconds(testInfo, ALICE);
  spawnTimes.push(
    `${ALICE}: ${seconds.toFixed(1)} s from Sign in to the Lab, the hub says ${hub} s`
  );
  testInfo.annotations.push({ type: 'spawn', description: spawnTimes[0] });
  expect(page.url()).toContain(`/user/${ALICE}/lab`);
  // The same Lab every run: the workspace saved by an earlier run is reset.
  await page.goto(`/user/${ALICE}/lab?reset`);
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible();

  // The extension answers as the Unix user the server runs as.
  const caps = await page.request.get(`${API}/capabilities`);
  expect(caps.status()).toBe(200);
  const body = await caps.json();
  expect(body.user).toBe(ALICE);
  expect(body.scheduler.kind).toBe('slurm');

  // The process itself is hubalice's, not root's.
  const servers = execFileSync('ps', ['-eo', 'user:32,args'], {
    encoding: 'utf-8'
  })
    .split('\n')
    .filter(line => line.includes('jupyterhub-singleuser'));
  expect(servers.some(line => line.startsWith(`${ALICE} `))).toBe(true);
  expect(servers.filter(line => line.startsWith('root '))).toEqual([]);
  // What it got from the hub's environment (env_keep; through the job under Slurm, where
  // the prologue puts the shared environment first on PATH again after sudo).
  const env = serverEnvOf(ALICE, spawner);
  expect(env.USER).toBe(ALICE);
  expect(env.HOME).toBe(homeOf(ALICE));
  expect(env.PATH.split(':')[0]).toBe(path.join(HUB_PREFIX, 'venv', 'bin'));
  expect(env.LMOD_CMD).toBe('/usr/share/lmod/lmod/libexec/lmod');
  expect(env.MODULEPATH).toMatch(
    /^\/tmp\/jupyterlab-hpc-hub-modules-[^:]*\/core$/
  );
  if (spawner === 'slurm') {
    // ... inside a Slurm job of hers.
    const jobs = serverJobsOf(ALICE);
    expect(jobs).toEqual([expect.stringMatching(/^\d+\|RUNNING$/)]);
    expect(env.SLURM_JOB_ID).toBe(jobs[0].split('|')[0]);
  } else {
    expect(env.SLURM_JOB_ID).toBeUndefined();
  }
  await expect(page.locator('.jp-Launcher')).toBeVisible();
  await shoot(page, testInfo, 'hub-lab-hubalice');
});

test('her server checks XSRF: a POST without the token is refused, with it her job is cancelled', async () => {
  const mine = job(ALICE, `${TAG}-xsrf`);
  const action = { action: 'cancel', job_ids: [mine] };
  const refused = await page.request.post(`${API}/jobs/actions`, {
    data: action
  });
  expect(refused.status()).toBe(403);
  expect(ownerAndState(mine)).toBe(`${ALICE}|PENDING`);

  const cookies = await page.context().cookies();
  const xsrf = cookies.find(
    c => c.name === '_xsrf' && c.path.startsWith(`/user/${ALICE}`)
  );
  expect(xsrf).toBeTruthy();
  const done = await page.request.post(`${API}/jobs/actions`, {
    data: action,
    headers: { 'X-XSRFToken': xsrf!.value }
  });
  expect(done.status()).toBe(200);
  expect((await done.json()).results[0]).toMatchObject({
    job_id: mine,
    ok: true
  });
  expect(ownerAndState(mine)).toMatch(new RegExp(`^(${ALICE}\\|CANCELLED|)$`));
});

test("My jobs are hubalice's; hubbob's job is in All jobs and she cannot cancel it", async ({}, testInfo) => {
  const hers = job(ALICE, `${TAG}-alice`);
  const his = job(BOB, `${TAG}-bob`);

  await openSidebar(page, 'jupyterlab-hpc-queue', 620);
  const panel = page.locator('#jupyterlab-hpc-queue');
  await panel.locator('.jp-hpc-queue-scope-mine').click();
  if (spawner === 'slurm') {
    // The job her own server runs in is one of her jobs, running.
    const [server] = serverJobsOf(ALICE);
    await panel.locator('.jp-hpc-queue-filter').fill('spawner-jupyterhub');
    const row = panel.locator(
      `.jp-hpc-queue-row[data-job-id="${server.split('|')[0]}"]`
    );
    await expect(row).toBeVisible();
    await expect(row).toHaveAttribute('data-state', 'running');
    await shoot(page, testInfo, 'hub-queue-server-job', { target: panel });
  }
  await panel.locator('.jp-hpc-queue-filter').fill(TAG);
  const herRow = panel.locator(`.jp-hpc-queue-row[data-job-id="${hers}"]`);
  const hisRow = panel.locator(`.jp-hpc-queue-row[data-job-id="${his}"]`);
  await expect(herRow).toBeVisible();
  await expect(herRow.locator('[data-column="user"]')).toHaveText(ALICE);
  await expect(hisRow).toHaveCount(0);
  const users = await panel
    .locator('.jp-hpc-queue-row [data-column="user"]')
    .allInnerTexts();
  expect(users.length).toBeGreaterThan(0);
  expect(new Set(users)).toEqual(new Set([ALICE]));
  await shoot(page, testInfo, 'hub-queue-my-jobs', { target: panel });

  await panel.locator('.jp-hpc-queue-scope-all').click();
  await expect(hisRow).toBeVisible();
  await expect(hisRow.locator('[data-column="user"]')).toHaveText(BOB);
  await hisRow.locator('.jp-hpc-queue-row-check').check();
  await panel.locator('.jp-hpc-queue-cancel').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(his);
  await dialog.getByRole('button', { name: /^Cancel 1 job/ }).click();
  const refusal = page.locator('.Toastify__toast', {
    hasText: `Could not cancel job ${his}`
  });
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText(
    `belongs to ${BOB}; you can cancel only your own jobs`
  );
  await shoot(page, testInfo, 'hub-queue-cancel-refused', { toasts: true });
  expect(ownerAndState(his)).toBe(`${BOB}|PENDING`);

  // Slurm itself refuses hubalice too: the server's check is not the only guard.
  let slurmSaid = '';
  try {
    runAs(ALICE, ['scancel', his]);
  } catch (e) {
    slurmSaid = String((e as { stderr?: string }).stderr ?? e);
  }
  expect(slurmSaid).toMatch(/Access\/permission denied/);
  expect(ownerAndState(his)).toBe(`${BOB}|PENDING`);
});

test("the kernel editor writes hubalice's own kernels folder", async ({}, testInfo) => {
  await closeLeftSidebar(page);
  const card = page.locator(
    '.jp-Launcher:visible .jp-LauncherCard[data-category="HPC"]',
    {
      hasText: /^Kernels$/
    }
  );
  if (!(await card.isVisible())) {
    await page.getByRole('button', { name: 'New Launcher' }).first().click();
  }
  await card.click();
  const editor = page.locator('.jp-hpc-kernels');
  await expect(editor.locator('.jp-hpc-kernels-item').first()).toBeVisible();
  await editor.locator('.jp-hpc-kernels-new').click();
  await editor
    .locator('.jp-hpc-kernels-interpreter')
    .fill(path.join(HUB_PREFIX, 'venv'));
  await editor
    .locator('.jp-hpc-kernels-new-display-name')
    .fill(`Hub test ${STAMP}`);
  await editor.locator('.jp-hpc-kernels-new-name').fill(KERNEL);
  await editor.locator('.jp-hpc-kernels-create-submit').click();
  const form = editor.locator(
    `.jp-hpc-kernels-editor[data-kernel-name="${KERNEL}"]`
  );
  await expect(form).toBeVisible({ timeout: 60000 });
  await expect(
    editor.locator(`.jp-hpc-kernels-item[data-kernel-name="${KERNEL}"]`)
  ).toContainText('your kernels');

  const file = path.join(
    homeOf(ALICE),
    '.local/share/jupyter/kernels',
    KERNEL,
    'kernel.json'
  );
  expect(fs.existsSync(file)).toBe(true);
  expect(fs.statSync(file).uid).toBe(uidOf(ALICE));
  expect(fs.statSync(path.dirname(file)).uid).toBe(uidOf(ALICE));
  expect(JSON.parse(fs.readFileSync(file, 'utf-8')).argv[0]).toMatch(
    new RegExp(`^${path.join(HUB_PREFIX, 'venv', 'bin', 'python')}3?$`)
  );
  expect(
    fs.existsSync(path.join('/root/.local/share/jupyter/kernels', KERNEL))
  ).toBe(false);

  // A test launch: the kernel starts as hubalice, from her server.
  await form.locator('.jp-hpc-kernels-launch').click();
  await expect(
    form.locator('.jp-hpc-kernels-launch-result.jp-mod-ok')
  ).toBeVisible({
    timeout: 60000
  });
  await shoot(page, testInfo, 'hub-kernel-editor');
});

test('the Modules panel lists and loads the site tree', async ({}, testInfo) => {
  await openSidebar(page, 'jupyterlab-hpc-modules', 420);
  const panel = page.locator('#jupyterlab-hpc-modules');
  await expect(panel.locator('.jp-hpc-modules-title')).toContainText('Lmod');
  const gcc = panel.locator(
    '.jp-hpc-modules-version[data-module="gcc/12.2.0"]'
  );
  await expect(gcc).toBeVisible();
  await gcc.click();
  await panel
    .locator('.jp-hpc-modules-details')
    .getByRole('button', { name: 'Load', exact: true })
    .click();
  const loaded = panel.getByRole('region', { name: 'Loaded modules' });
  await expect(loaded).toContainText('gcc/12.2.0');
  await shoot(page, testInfo, 'hub-modules', { target: panel });
  await loaded.getByRole('button', { name: 'Reset' }).click();
  await expect(loaded).toContainText('No module is loaded.');
});

test('jupyter hpc doctor, run by hubalice in a terminal of her Lab, finds Slurm and Lmod', async ({}, testInfo) => {
  // What docs/deploy.md tells an admin to run as a user, in the environment her server
  // got from the hub (PATH, MODULEPATH, LMOD_CMD through env_keep; in a job for Slurm).
  const report = path.join(homeOf(ALICE), `.hub-doctor-${STAMP}.json`);
  fs.rmSync(report, { force: true });
  await closeLeftSidebar(page);
  await page.getByRole('button', { name: 'New Launcher' }).first().click();
  await page
    .locator('.jp-Launcher:visible .jp-LauncherCard', { hasText: /^Terminal$/ })
    .click();
  const terminal = page.locator('.jp-Terminal:visible');
  await expect(terminal.locator('.xterm-screen')).toBeVisible();
  await terminal.click();
  // A Lab terminal is a login shell (the server has no terminal of its own), so /etc/profile
  // sets PATH anew: the shared environment's commands are called by their full path.
  const jupyter = path.join(HUB_PREFIX, 'venv', 'bin', 'jupyter');
  await page.keyboard.type(
    `${jupyter} hpc doctor; ${jupyter} hpc doctor --json > ${report}.tmp 2>&1; mv ${report}.tmp ${report}\n`
  );
  await expect.poll(() => fs.existsSync(report), { timeout: 60000 }).toBe(true);
  const text = fs.readFileSync(report, 'utf-8');
  fs.rmSync(report, { force: true });
  expect(text).toMatch(/^\{/);
  const doctor = JSON.parse(text);
  expect(doctor.healthy).toBe(true);
  type Section = {
    title: string;
    findings: { level: string; text: string }[];
    details: [string, string][];
  };
  const section = (title: string): Section =>
    doctor.sections.find((s: Section) => s.title === title);
  const batch = section('Batch system');
  expect(batch.findings.map(f => f.level)).toEqual(['ok', 'ok']);
  expect(batch.findings[0].text).toMatch(/^Slurm /);
  expect(batch.findings[1].text).toMatch(/^The job listing works/);
  const modules = section('Module system');
  expect(modules.findings).toEqual([
    { level: 'ok', text: expect.stringMatching(/^Lmod /) }
  ]);
  // The site's tree came from the hub (env_keep); the login shell's Lmod setup appends
  // its own folders after it.
  expect(Object.fromEntries(modules.details).MODULEPATH).toMatch(
    /^\/tmp\/jupyterlab-hpc-hub-modules-[^:]*\/core(:|$)/
  );
  await shoot(page, testInfo, 'hub-terminal-doctor');
});

test('the submit tab submits as hubalice', async ({}, testInfo) => {
  await openSidebar(page, 'jupyterlab-hpc-queue', 520);
  await page.locator('#jupyterlab-hpc-queue .jp-hpc-queue-submit').click();
  const form = page.locator('.jp-hpc-submit-widget .jp-hpc-submit-form');
  await expect(form.locator('[data-field="name"] input')).toHaveValue('my-job');
  await form.locator('[data-field="name"] input').fill(`${TAG}-submitted`);
  await form.locator('select[name="partition"]').selectOption('debug');
  await form.locator('[data-field="time_limit"] input').fill('5');
  await form.locator('[data-field="output"] input').fill('/dev/null');
  await form.locator('input[name="hold"]').check();
  await form.locator('.jp-hpc-submit-submit').click();
  const outcome = form.locator('.jp-hpc-submit-outcome');
  await expect(outcome).toHaveAttribute('data-outcome', 'submit-ok');
  const id = (await outcome.getAttribute('data-job-id')) ?? '';
  expect(id).toMatch(/^\d+$/);
  jobs.push(id);
  expect(ownerAndState(id)).toBe(`${ALICE}|PENDING`);
  // From her server's folder, her home.
  const workdir = execFileSync('squeue', ['-h', '-j', id, '-o', '%Z'], {
    encoding: 'utf-8'
  });
  expect(workdir.trim()).toBe(homeOf(ALICE));
  await shoot(page, testInfo, 'hub-submitted');
});

test("hubbob's server, at the same time, is his: his jobs, not hers, and hers is closed to him", async ({
  browser
}, testInfo) => {
  const context = await browser.newContext();
  const bob = await context.newPage();
  try {
    const seconds = await logIn(bob, BOB);
    spawnTimes.push(
      `${BOB}: ${seconds.toFixed(1)} s from Sign in to the Lab, the hub says ${hubSpawnSeconds(testInfo, BOB)} s`
    );
    await bob.goto(`/user/${BOB}/lab?reset`);
    await expect(bob.locator('#jp-main-dock-panel')).toBeVisible();
    const caps = await bob.request.get(
      `/user/${BOB}/jupyterlab-hpc/capabilities`
    );
    expect((await caps.json()).user).toBe(BOB);
    if (spawner === 'slurm') {
      expect(serverJobsOf(BOB)).toEqual([
        expect.stringMatching(/^\d+\|RUNNING$/)
      ]);
    }

    await openSidebar(bob, 'jupyterlab-hpc-queue', 620);
    const panel = bob.locator('#jupyterlab-hpc-queue');
    await panel.locator('.jp-hpc-queue-scope-mine').click();
    await panel.locator('.jp-hpc-queue-filter').fill(TAG);
    await expect(panel.locator('.jp-hpc-queue-row').first()).toBeVisible();
    const users = await panel
      .locator('.jp-hpc-queue-row [data-column="user"]')
      .allInnerTexts();
    expect(new Set(users)).toEqual(new Set([BOB]));
    await shoot(bob, testInfo, 'hub-queue-hubbob', { target: panel });

    // hubalice's server does not let hubbob in.
    const theirs = await bob.request.get(`${API}/capabilities`, {
      maxRedirects: 10
    });
    expect(theirs.status()).toBe(403);
  } finally {
    await context.close();
  }
});
