/**
 * Torque: the third JupyterLab, whose batch system is the test-only Torque stand-ins
 * (server-extension/tests/torque_replay: recordings of a real Torque 6.1 server, with
 * the state a server keeps). Torque speaks PBS: the queue panel says Queue and qdel,
 * the submit tab writes Torque's own #PBS forms (nodes=N:ppn=C, the job's mem, -t arrays)
 * both ways, and the details tab uses PBS's words in Torque's name.
 */
import * as fs from 'fs';

import { expect, test } from '@jupyterlab/galata';

import { editorText, shootBoth } from './helpers';

const torqueURL = `http://localhost:${process.env.UI_TEST_TORQUE_PORT}`;
const TAG = `ui-torque-${Date.now()}`;

test.use({
  autoGoto: true,
  baseURL: torqueURL,
  viewport: { width: 1400, height: 1000 }
});

interface IReplayCall {
  argv: string[];
  cwd: string;
  stdin: string | null;
}

/** What the Torque stand-ins were asked, from their state file. */
function replayCalls(): IReplayCall[] {
  const state = JSON.parse(fs.readFileSync(process.env.UI_TEST_TORQUE_STATE ?? '', 'utf-8'));
  return state.calls as IReplayCall[];
}

test('Torque: the queue panel in PBS words, completed jobs and array subjobs', async ({
  page
}, testInfo) => {
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  await page.sidebar.setWidth(640, 'left');
  const panel = page.locator('#jupyterlab-hpc-queue');
  await expect(panel.locator('.jp-hpc-queue-status-scheduler')).toHaveText(
    'Torque 6.1-dev on torque01',
    { timeout: 30000 }
  );
  // PBS's words: a queue, qdel/qhold/qrls, qsub.
  await expect(panel.locator('.jp-hpc-queue-colhead[data-column="partition"]')).toHaveText(
    'Queue'
  );
  await expect(panel.locator('.jp-hpc-queue-colhead[data-column="id"]')).toHaveAttribute(
    'title',
    /qdel/
  );
  await expect(panel.locator('.jp-hpc-queue-cancel')).toHaveAttribute('title', /\(qdel\)/);
  await expect(panel.locator('.jp-hpc-queue-hold')).toHaveAttribute('title', /\(qhold\)/);
  await expect(panel.locator('.jp-hpc-queue-release')).toHaveAttribute('title', /\(qrls\)/);

  // A completed job stays listed as C until Torque's keep_completed has passed.
  const done = panel.locator('.jp-hpc-queue-row[data-job-id="1.torque01"]');
  await expect(done).toHaveAttribute('data-state', 'completed', { timeout: 30000 });
  await expect(done.locator('.jp-hpc-state-pill')).toHaveAttribute('title', 'C');
  await expect(done.locator('[data-column="partition"]')).toHaveText('batch');
  const killed = panel.locator('.jp-hpc-queue-row[data-job-id="4.torque01"]');
  await expect(killed).toHaveAttribute('data-state', 'cancelled');
  // The array's subjobs: the running one its own row, the queued ones folded into one.
  await expect(panel.locator('.jp-hpc-queue-row[data-job-id="7[1].torque01"]')).toHaveAttribute(
    'data-state',
    'running'
  );
  await expect(panel.locator('.jp-hpc-queue-row[data-job-id="7[2-4].torque01"]')).toHaveAttribute(
    'data-state',
    'pending'
  );
  // bob's held job is not among mine.
  await expect(panel.locator('.jp-hpc-queue-row[data-job-id="19.torque01"]')).toHaveCount(0);

  const shot = testInfo.outputPath('torque-queue-panel.png');
  await panel.screenshot({ path: shot });
  await testInfo.attach('torque-queue-panel', { path: shot, contentType: 'image/png' });

  // A finished job's details, in PBS's words and Torque's name.
  await done.dblclick();
  const details = page.locator('.jp-hpc-details[data-job-id="1.torque01"]');
  await expect(details).toHaveAttribute('data-state', 'completed', { timeout: 15000 });
  const facts = details.locator('.jp-hpc-details-facts');
  await expect(facts).toContainText('queue batch');
  await expect(facts).not.toContainText('partition');
  await expect(facts).toContainText(' · C');
  await expect(details.locator('.jp-hpc-details-resubmit')).toHaveAttribute(
    'title',
    /^Torque shows a job’s script only to its administrators/
  );
  await details.locator('summary', { hasText: 'Batch script' }).click();
  await expect(details.locator('.jp-hpc-details-no-script')).toContainText(
    'Torque shows a job’s script only to its administrators'
  );
  await page.sidebar.close('left');
  await shootBoth(page, testInfo, 'torque-details-completed');
});

test('Torque: the submit tab writes nodes=N:ppn=C, mem and -t, both ways', async ({
  page
}, testInfo) => {
  test.setTimeout(180000);
  await page.sidebar.openTab('jupyterlab-hpc-queue');
  const queue = page.locator('#jupyterlab-hpc-queue');
  await queue.locator('.jp-hpc-queue-submit').click();

  const panel = page.locator('.jp-hpc-submit-widget');
  await expect(panel).toBeVisible();
  const form = panel.locator('.jp-hpc-submit-form');
  const field = (name: string) => form.locator(`[data-field="${name}"]`);
  await expect(field('name').locator('input')).toHaveValue('my-job', { timeout: 30000 });
  expect(await editorText(page)).toContain('#PBS -l walltime=00:10:00');
  expect(await editorText(page)).not.toContain('#SBATCH');

  // Torque's fields: nodes and ppn, the whole job's memory, no tasks, QOS or GRES.
  await expect(field('partition').locator('.jp-hpc-submit-label')).toHaveText('Queue');
  await expect(field('nodes').locator('.jp-hpc-submit-label')).toHaveText('Nodes');
  await expect(field('cpus').locator('.jp-hpc-submit-label')).toHaveText('CPUs per node (ppn)');
  await expect(field('memory').locator('.jp-hpc-submit-label')).toHaveText('Memory, whole job');
  await expect(field('memory').locator('input')).toHaveAttribute('title', /#PBS -l mem/);
  await expect(field('array').locator('input')).toHaveAttribute('title', 'Writes #PBS -t in the script');
  for (const missing of ['ntasks', 'qos', 'gres']) {
    await expect(field(missing)).toHaveCount(0);
  }
  const queueSelect = form.locator('select[name="partition"]');
  await expect(queueSelect.locator('option[value="batch"]')).toHaveText('batch (default)');
  await expect(form.locator('.jp-hpc-submit-check')).toHaveAttribute(
    'title',
    /^Torque has no test submission/
  );

  // Form -> script, in Torque's forms.
  await field('name').locator('input').fill(TAG);
  await field('nodes').locator('input').fill('2');
  await field('cpus').locator('input').fill('2');
  await field('memory').locator('input').fill('4gb');
  await field('array').locator('input').fill('1-4%2');
  await expect.poll(() => editorText(page)).toContain('#PBS -t 1-4%2');
  let script = await editorText(page);
  expect(script).toContain(`#PBS -N ${TAG}`);
  expect(script).toContain('#PBS -l nodes=2:ppn=2');
  expect(script).toContain('#PBS -l mem=4gb');
  expect(script).not.toMatch(/select=|ncpus|-J /);

  // An array with a step: Torque has none, the form says so at once.
  await field('array').locator('input').fill('1-9:2');
  await expect(field('array').locator('.jp-hpc-submit-problem')).toContainText(
    'Torque arrays have no step'
  );
  await expect(field('array')).toHaveClass(/jp-mod-invalid/);
  await shootBoth(page, testInfo, 'torque-submit-array-step');
  // ... and the check refuses it, as qsub would.
  await form.locator('.jp-hpc-submit-check').click();
  const outcome = form.locator('.jp-hpc-submit-outcome');
  await expect(outcome).toHaveAttribute('data-outcome', 'check-error', { timeout: 30000 });
  await expect(outcome.locator('.jp-hpc-submit-message').first()).toContainText('no step');
  await field('array').locator('input').fill('1-4%2');
  await expect(field('array').locator('.jp-hpc-submit-problem')).toHaveCount(0);

  // Script -> form: a typed #PBS -q line selects the queue, an edited ppn is the CPUs.
  const editor = panel.locator('.jp-hpc-submit-codemirror .cm-content');
  await editor.locator('.cm-line', { hasText: '#PBS -N' }).click();
  await page.keyboard.press('End');
  await page.keyboard.type('\n#PBS -q batch');
  await expect(queueSelect).toHaveValue('batch');
  await editor.locator('.cm-line', { hasText: 'ppn=2' }).click();
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('3');
  await expect(field('cpus').locator('input')).toHaveValue('3');
  await expect(field('nodes').locator('input')).toHaveValue('2');
  await editor.locator('.cm-line', { hasText: '#PBS -t' }).click();
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('1');
  await expect(field('array').locator('input')).toHaveValue('1-4%1');

  // Check: Torque has no test submission either; the options are checked here.
  await form.locator('.jp-hpc-submit-check').click();
  await expect(outcome).toHaveAttribute('data-outcome', 'check-ok', { timeout: 30000 });
  await expect(outcome).toContainText('qsub would accept these options.');
  await expect(outcome).toContainText('Torque has no test submission');
  await expect(outcome).not.toContainText('PBS has no');
  await shootBoth(page, testInfo, 'torque-submit-check');

  // Submit held: Torque gets the script with its #PBS lines, and -h -d <folder>.
  await form.locator('input[name="hold"]').check();
  await form.locator('.jp-hpc-submit-submit').click();
  await expect(outcome).toHaveAttribute('data-outcome', 'submit-ok', { timeout: 30000 });
  const jobId = (await outcome.getAttribute('data-job-id')) ?? '';
  expect(jobId).toMatch(/^\d+\[\]\.torque01$/);
  const qsub = replayCalls().filter(c => c.argv[0] === 'qsub');
  expect(qsub).toHaveLength(1);
  expect(qsub[0].argv.slice(0, 3)).toEqual(['qsub', '-h', '-d']);
  script = qsub[0].stdin ?? '';
  expect(script).toContain('#PBS -l nodes=2:ppn=3\n');
  expect(script).toContain('#PBS -l mem=4gb\n');
  expect(script).toContain('#PBS -t 1-4%1\n');
  expect(script).toContain('#PBS -q batch\n');

  // The array's subjobs, held, in the queue.
  const toast = page.locator('.Toastify__toast', { hasText: `Submitted job ${jobId}` });
  await expect(toast).toBeVisible();
  await toast.getByRole('button', { name: 'Show in queue' }).click();
  await page.sidebar.setWidth(600, 'left');
  const range = queue.locator(`.jp-hpc-queue-row[data-job-id="${jobId.replace('[]', '[1-4]')}"]`);
  await expect(range).toBeVisible({ timeout: 30000 });
  await expect(range).toHaveAttribute('data-state', 'held');
  await expect(range.locator('.jp-hpc-state-pill')).toHaveAttribute('title', 'H');
  await shootBoth(page, testInfo, 'torque-submit-queue');

  // Its details tab: PBS's words (queue, H) and the array's subjobs.
  await range.dblclick();
  const details = page.locator('.jp-hpc-details').filter({ hasText: TAG }).first();
  await expect(details).toHaveAttribute('data-state', 'held', { timeout: 15000 });
  await expect(details.locator('.jp-hpc-details-facts')).toContainText('queue batch');
  await expect(details.locator('.jp-hpc-details-facts')).not.toContainText('partition');
  await expect(details.locator('.jp-hpc-details-release')).toBeEnabled();
  await expect(details.locator('.jp-hpc-resources tr[data-resource="node_spec"]')).toContainText(
    'Nodes (nodes=)2:ppn=3'
  );
  await expect(details.locator('.jp-hpc-resources tr[data-resource="memory"]')).toContainText(
    '4gb'
  );
  await expect(details.locator('.jp-hpc-details-task')).toHaveCount(4);
  await page.sidebar.close('left');
  await shootBoth(page, testInfo, 'torque-details-held');
});
