/**
 * The Cluster tab on PBS: the second JupyterLab, whose batch system is the test-only
 * OpenPBS replay (the recorded server: queue workq, node pbs01 with both CPUs busy).
 * The tab speaks of queues, and the node opens with PBS's own word for its state.
 */
import { expect, test } from '@jupyterlab/galata';

import { shootBoth } from './helpers';

const pbsURL = `http://localhost:${process.env.UI_TEST_PBS_PORT}`;

test.use({ autoGoto: true, baseURL: pbsURL, viewport: { width: 1400, height: 900 } });

test('PBS: queues in the Cluster tab, the recorded node busy', async ({ page }, testInfo) => {
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.locator('#jupyterlab-hpc-queue .jp-hpc-queue-cluster').click();
  await page.sidebar.close('left');
  const tab = page.locator('#jupyterlab-hpc-cluster');
  await expect(tab.locator('thead th').first()).toHaveText('Queue');
  const workq = tab.locator('tbody[data-partition="workq"]');
  await expect(workq.locator('.jp-hpc-cluster-default')).toHaveText('default');
  await expect(workq.locator('.jp-hpc-cluster-nodes-bar')).toHaveAttribute(
    'aria-label',
    '1 node: 1 fully used'
  );
  await expect(workq).toContainText('0 free of 2');
  await workq.locator('.jp-hpc-cluster-toggle').click();
  const node = workq.locator('tr[data-node="pbs01"]');
  await expect(node).toContainText('fully used (job-busy)');
  await expect(node).toContainText('2 / 2');
  await shootBoth(page, testInfo, 'pbs-cluster', page.locator('#jp-main-dock-panel'));
});
