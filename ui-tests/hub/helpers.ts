/**
 * What the hub specs share: the test users' passwords (scripts/hub-users), logging in
 * through the hub's form, commands run as a test user (runuser, as a user's own shell
 * would run them), and the hub's log.
 */
import { expect, type Page, type TestInfo } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..');
export const HUB_PREFIX = process.env.HUB_PREFIX || '/opt/jupyterlab-hpc-hub';

/** The user's password, made by scripts/hub-users and readable by root only. */
export function password(user: string): string {
  return execFileSync(
    path.join(REPO, 'scripts', 'hub-users'),
    ['password', user],
    {
      encoding: 'utf-8'
    }
  ).trim();
}

/** A command run as `user`, from /tmp; its standard output. Throws when it fails. */
export function runAs(user: string, argv: string[]): string {
  return execFileSync('runuser', ['-u', user, '--', ...argv], {
    cwd: '/tmp',
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'pipe']
  });
}

/** A held job of `user` (it never runs, so it costs the node nothing); its id. */
export function heldJobOf(user: string, name: string): string {
  const out = runAs(user, [
    'sbatch',
    '--parsable',
    '--hold',
    `--job-name=${name}`,
    '--output=/dev/null',
    '--time=5',
    '--wrap',
    'sleep 60'
  ]);
  return out.trim().split(';')[0];
}

/** The owner and state of a job, as squeue says: "user|STATE" ("" once Slurm forgot it). */
export function ownerAndState(jobId: string): string {
  return execFileSync(
    'squeue',
    ['-h', '-t', 'all', '-j', jobId, '-o', '%u|%T'],
    {
      encoding: 'utf-8'
    }
  ).trim();
}

export function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf-8' }).trim());
}

export function homeOf(user: string): string {
  return execFileSync('getent', ['passwd', user], { encoding: 'utf-8' }).split(
    ':'
  )[5];
}

/**
 * Logs `user` in through the hub's login page and waits for their Lab, which the hub
 * spawns at the first login; returns the seconds from "Sign in" to a Lab ready for use.
 */
export async function logIn(page: Page, user: string): Promise<number> {
  await page.goto('/hub/login');
  await page.locator('#username_input').fill(user);
  await page.locator('#password_input').fill(password(user));
  const started = Date.now();
  await page.locator('#login_submit').click();
  await page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: 150000 });
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible({
    timeout: 60000
  });
  await expect(
    page.locator('.jp-SideBar [data-id="jupyterlab-hpc-queue"]')
  ).toBeVisible();
  return (Date.now() - started) / 1000;
}

/** Opens a tab of the left sidebar (the queue panel, the Modules panel) and widens it. */
export async function openSidebar(
  page: Page,
  id: string,
  width: number
): Promise<void> {
  const tab = page.locator(
    `.lm-TabBar.jp-SideBar li.lm-TabBar-tab[data-id="${id}"]`
  );
  if (!((await tab.getAttribute('class')) ?? '').includes('lm-mod-current')) {
    await tab.click();
  }
  await expect(page.locator(`#${id}`)).toBeVisible();
  const handle = page
    .locator('#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)')
    .first();
  const box = await handle.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(33 + width, box.y + box.height / 2);
    await page.mouse.up();
  }
}

/** Folds the left sidebar away (a click on its open tab), for room in the main area. */
export async function closeLeftSidebar(page: Page): Promise<void> {
  const current = page.locator(
    '.lm-TabBar.jp-SideBar.jp-mod-left li.lm-TabBar-tab.lm-mod-current'
  );
  if (await current.count()) {
    await current.first().click();
  }
  await expect(page.locator('#jp-left-stack')).toBeHidden();
}

/**
 * A screenshot of the page (or of one element), attached to the test; notifications are
 * hidden unless `toasts` (earlier steps' toasts would cover the view).
 */
export async function shoot(
  page: Page,
  testInfo: TestInfo,
  name: string,
  options: { target?: ReturnType<Page['locator']>; toasts?: boolean } = {}
): Promise<void> {
  // Away from the buttons: a hovered button would look pressed in the picture.
  await page.mouse.move(640, 790);
  const hide = options.toasts
    ? null
    : await page.addStyleTag({
        content: '.Toastify { display: none !important; }'
      });
  const file = testInfo.outputPath(`${name}.png`);
  await (options.target ?? page).screenshot({
    path: file,
    animations: 'disabled'
  });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  await hide?.evaluate(node =>
    (node as unknown as { remove(): void }).remove()
  );
}

/** The hub's own figure: "User <user> took N seconds to start", the last one in its log. */
export function hubSpawnSeconds(
  testInfo: TestInfo,
  user: string
): number | null {
  const log = testInfo.project.metadata.log as string | undefined;
  if (!log || !fs.existsSync(log)) {
    return null;
  }
  const re = new RegExp(`User ${user} took ([0-9.]+) seconds to start`, 'g');
  const all = [...fs.readFileSync(log, 'utf-8').matchAll(re)];
  return all.length ? Number(all[all.length - 1][1]) : null;
}

/** The spawner of the hub this project runs against: "localprocess" or "slurm". */
export function spawnerOf(testInfo: TestInfo): string {
  return testInfo.project.metadata.spawner as string;
}

/** The user's running jobs that hold a server spawned by SlurmSpawner: "id|STATE" lines. */
export function serverJobsOf(user: string): string[] {
  return execFileSync(
    'squeue',
    ['-h', '-u', user, '-n', 'spawner-jupyterhub', '-o', '%i|%T'],
    {
      encoding: 'utf-8'
    }
  )
    .split('\n')
    .map(s => s.trim())
    .filter(Boolean);
}

/**
 * The environment of `user`'s server process, read from /proc (the tests run as root):
 * the newest process of the user running the spawner's server command.
 */
export function serverEnvOf(
  user: string,
  spawner: string
): Record<string, string> {
  const python = path.join(HUB_PREFIX, 'venv', 'bin', 'python');
  const lines = execFileSync(
    'ps',
    ['-u', user, '--sort=start_time', '-o', 'pid=,args='],
    {
      encoding: 'utf-8'
    }
  )
    .split('\n')
    .map(line => line.trim().split(/\s+/))
    .filter(
      ([, exe, script]) =>
        exe === python &&
        script ===
          path.join(
            HUB_PREFIX,
            'venv',
            'bin',
            spawner === 'slurm'
              ? 'batchspawner-singleuser'
              : 'jupyterhub-singleuser'
          )
    );
  expect(lines.length).toBeGreaterThan(0);
  const pid = lines[lines.length - 1][0];
  return Object.fromEntries(
    fs
      .readFileSync(`/proc/${pid}/environ`, 'utf-8')
      .split('\0')
      .filter(Boolean)
      .map(kv => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])
  );
}
