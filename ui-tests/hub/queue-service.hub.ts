/**
 * The hub's queue service (jupyter-config/hub/hpc_queue_service.py) under a real
 * JupyterHub: hubalice's server reads the queue from the service the hub runs, not from
 * squeue, and her queue panel says so ("From the hub's queue service, 3 s ago"); hubbob's
 * server is served from the same listing.
 */
import { expect, test, type Page } from '@playwright/test';

import { logIn, openSidebar, shoot } from './helpers';

const ALICE = 'hubalice';
const API = `/user/${ALICE}/jupyterlab-hpc`;

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
});

test.afterAll(async () => {
  await page?.close();
});

test("hubalice's listing comes from the hub's queue service, and her panel says so", async ({}, testInfo) => {
  await logIn(page, ALICE);
  await page.goto(`/user/${ALICE}/lab?reset`);
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible();

  const answer = await page.request.get(`${API}/jobs?scope=all`);
  expect(answer.status()).toBe(200);
  const body = await answer.json();
  expect(body.status.ok).toBe(true);
  expect(body.status.source).toBe('hub');
  expect(body.status.hub_service).toBe(true);
  // The service lists at most once per its interval (10 s) for the whole hub.
  expect(body.status.min_interval).toBeGreaterThanOrEqual(10);

  await openSidebar(page, 'jupyterlab-hpc-queue', 560);
  const note = page.locator('#jupyterlab-hpc-queue .jp-hpc-queue-source');
  await expect(note).toHaveText(/^From the hub's queue service, \d+ s ago$/);
  await expect(note).toHaveClass(/jp-mod-hub/);
  await shoot(page, testInfo, 'hub-queue-service-banner', {
    target: page.locator('#jupyterlab-hpc-queue')
  });
});
