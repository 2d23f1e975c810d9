import * as React from 'react';
import { act } from 'react';
import { Root, createRoot } from 'react-dom/client';

import { Capabilities, Job, JobsResult, decodeJobsResponse } from '../jobs/api';
import { IQueueApi, QueueModel } from '../jobs/queue/model';
import { QueueView } from '../jobs/queue/view';
import { QUEUE, jobsResponse, makeJob } from './fixtures';

// Tell React this is a test environment where act() is used.
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const CAPS: Capabilities = {
  scheduler: {
    kind: 'slurm',
    version: '22.05.8',
    available: true,
    message: '',
    cluster: 'local'
  },
  user: 'alice',
  poll_interval_floor: 0
};

function fakeApi(jobs: Job[], caps: Capabilities = CAPS): IQueueApi {
  const result: JobsResult = decodeJobsResponse(jobsResponse(1, jobs));
  return {
    fetchCapabilities: async () => caps,
    fetchJobs: async () => result,
    jobAction: async () => []
  };
}

describe('QueueView', () => {
  let host: HTMLElement;
  let root: Root;
  let model: QueueModel;
  let api: IQueueApi;

  async function show(
    jobs: Job[],
    caps?: Capabilities,
    scope: 'mine' | 'all' = 'mine'
  ): Promise<void> {
    api = fakeApi(jobs, caps);
    model = new QueueModel({ api, autoStart: false, scope });
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    await act(async () => {
      root.render(<QueueView model={model} />);
    });
    await act(() => model.refresh());
  }

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model.dispose();
  });

  const rows = () =>
    Array.from(host.querySelectorAll<HTMLElement>('.jp-hpc-queue-row'));

  it('renders only a window of 50,000 rows', async () => {
    const many = Array.from({ length: 50000 }, (_, i) =>
      makeJob({ id: String(i + 1) })
    );
    await show(many);
    const shown = rows();
    expect(shown.length).toBeGreaterThan(10);
    expect(shown.length).toBeLessThanOrEqual(100);
    expect(shown[0].dataset.jobId).toBe('1');
    const body = host.querySelector<HTMLElement>('.jp-hpc-queue-body')!;
    expect(body.style.height).toBe(`${50000 * 24}px`);

    // Scrolling to the middle renders the rows there.
    const scroll = host.querySelector<HTMLElement>('.jp-hpc-queue-scroll')!;
    await act(async () => {
      scroll.scrollTop = 24 * 25000;
      scroll.dispatchEvent(new Event('scroll'));
    });
    const ids = rows().map(r => Number(r.dataset.jobId));
    expect(ids).toContain(25001);
    expect(rows().length).toBeLessThanOrEqual(100);
    expect(host.querySelector('.jp-hpc-queue-status-text')?.textContent).toBe(
      '50000 jobs · updated 3 s ago'
    );
  });

  it('marks rows with their id and state, and a state pill', async () => {
    await show(QUEUE);
    const held = host.querySelector<HTMLElement>(
      '.jp-hpc-queue-row[data-job-id="11"]'
    )!;
    expect(held.dataset.state).toBe('held');
    expect(held.querySelector('.jp-hpc-state-pill')?.textContent).toBe('Held');
    // Nodes / reason shows the reason of a held job.
    expect(held.querySelector('[data-column="where"]')?.textContent).toBe(
      'JobHeldUser'
    );
  });

  it('marks the job that runs this Jupyter server, in its Name cell', async () => {
    await show(QUEUE);
    expect(host.querySelector('.jp-hpc-session-badge')).toBeNull();
    await act(() => {
      model.sessionJobId = '11';
    });
    const row = host.querySelector<HTMLElement>(
      '.jp-hpc-queue-row[data-job-id="11"]'
    )!;
    expect(row.classList.contains('jp-mod-session')).toBe(true);
    const badges = host.querySelectorAll('.jp-hpc-session-badge');
    expect(badges).toHaveLength(1);
    expect(
      row.querySelector('[data-column="name"] .jp-hpc-session-badge')
        ?.textContent
    ).toBe('this session');
  });

  it('selects with clicks and enables the actions', async () => {
    await show(QUEUE);
    const cancel = () =>
      host.querySelector<HTMLButtonElement>('.jp-hpc-queue-cancel')!;
    expect(cancel().disabled).toBe(true);
    expect(cancel().textContent).toBe('Cancel');

    const row = (id: string) =>
      host.querySelector<HTMLElement>(
        `.jp-hpc-queue-row[data-job-id="${id}"]`
      )!;
    await act(async () => row('9').click());
    expect([...model.selection]).toEqual(['9']);
    expect(row('9').getAttribute('aria-selected')).toBe('true');
    expect(cancel().disabled).toBe(false);

    await act(async () =>
      row('11').dispatchEvent(
        new MouseEvent('click', { bubbles: true, shiftKey: true })
      )
    );
    expect(model.selectedIds).toEqual(['9', '10_4', '10_[5-9]', '10_12', '11']);

    await act(async () =>
      row('10_4').dispatchEvent(
        new MouseEvent('click', { bubbles: true, ctrlKey: true })
      )
    );
    expect(model.selectedIds).toEqual(['9', '10_[5-9]', '10_12', '11']);

    const all = host.querySelector<HTMLInputElement>(
      '.jp-hpc-queue-select-all'
    )!;
    await act(async () => all.click());
    expect(model.selectedIds).toHaveLength(QUEUE.length);
  });

  it('moves and extends the selection with the keyboard', async () => {
    await show(QUEUE);
    const table = host.querySelector<HTMLElement>('.jp-hpc-queue-table')!;
    const key = (k: string, shiftKey = false) =>
      act(async () => {
        table.dispatchEvent(
          new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true })
        );
      });
    await key('ArrowDown');
    expect(model.selectedIds).toEqual(['9']);
    await key('ArrowDown');
    await key('ArrowDown', true);
    await key('ArrowDown', true);
    expect(model.selectedIds).toEqual(['10_4', '10_[5-9]', '10_12']);
    await key('End');
    expect(model.selectedIds).toEqual(['100']);
    await key('Escape');
    expect(model.selectedIds).toEqual([]);
  });

  it('sorts when a header is clicked', async () => {
    await show(QUEUE);
    const header = host.querySelector<HTMLElement>(
      '.jp-hpc-queue-colhead[data-column="id"]'
    )!;
    expect(header.getAttribute('aria-sort')).toBe('ascending');
    await act(async () => header.click());
    expect(header.getAttribute('aria-sort')).toBe('descending');
    expect(header.textContent).toContain('▼');
    expect(rows()[0].dataset.jobId).toBe('100');
  });

  it('filters, and says when nothing matches', async () => {
    await show(QUEUE);
    await act(async () => {
      model.filterText = 'sweep';
    });
    expect(rows().map(r => r.dataset.jobId)).toEqual([
      '10_4',
      '10_[5-9]',
      '10_12'
    ]);
    expect(
      host.querySelector('.jp-hpc-queue-status-text')?.textContent
    ).toMatch(/^3 of 6 jobs/);
    await act(async () => {
      model.filterText = 'zzz';
    });
    expect(host.querySelector('.jp-hpc-queue-empty')?.textContent).toContain(
      'No job matches the filter'
    );
  });

  it('says what to do when the user has no jobs', async () => {
    await show([]);
    expect(host.querySelector('.jp-hpc-queue-empty')?.textContent).toBe(
      'You have no jobs in the queue. Submit one with sbatch, then it appears here.'
    );
  });

  it('names the PBS flavour, its version and server', async () => {
    const pbsJobs = [
      makeJob({
        id: '3[1].pbs01',
        array_job_id: '3[].pbs01',
        array_task_id: '1',
        user: 'alice'
      }),
      makeJob({
        id: '3[2-3].pbs01',
        array_job_id: '3[].pbs01',
        array_task_id: '[2-3]',
        user: 'alice'
      })
    ];
    await show(pbsJobs, {
      ...CAPS,
      scheduler: {
        kind: 'pbs',
        flavour: 'OpenPBS',
        version: '23.06.06',
        available: true,
        message: '',
        cluster: 'pbs01'
      }
    });
    expect(
      host.querySelector('.jp-hpc-queue-status-scheduler')?.textContent
    ).toBe('OpenPBS 23.06.06 on pbs01');
    expect(rows().map(r => r.dataset.jobId)).toEqual([
      '3[1].pbs01',
      '3[2-3].pbs01'
    ]);
    const cancel = host.querySelector<HTMLElement>('button[title*="qdel"]');
    expect(cancel).not.toBeNull();
  });

  it('says when there is no batch system', async () => {
    await show([], {
      ...CAPS,
      scheduler: {
        kind: null,
        version: null,
        available: false,
        message: 'No batch system found: looked for squeue on PATH.',
        cluster: null
      }
    });
    const empty = host.querySelector<HTMLElement>('.jp-hpc-queue-empty')!;
    expect(empty.dataset.empty).toBe('no-scheduler');
    expect(empty.textContent).toContain(
      'No batch system found on this server.'
    );
    expect(empty.textContent).toContain('looked for squeue');
  });

  it('shows a banner when the scheduler does not answer', async () => {
    const failing = {
      ok: false,
      fetched_at: 1000,
      error: 'squeue timed out',
      error_since: 1010,
      now: 1012
    };
    await show(QUEUE);
    // The scheduler fails now; the server keeps the old rows.
    api.fetchJobs = async () => ({
      version: 1,
      unchanged: true,
      status: failing,
      jobs: null
    });
    await act(() => model.refresh());
    const banner = host.querySelector<HTMLElement>('[role="alert"]')!;
    expect(banner.textContent).toBe(
      'The scheduler did not answer: squeue timed out. Showing data from 12 s ago.'
    );
    expect(rows()).toHaveLength(QUEUE.length);
  });

  it('says in All jobs when Torque shows each user only their own jobs', async () => {
    const torque: Capabilities = {
      ...CAPS,
      scheduler: {
        kind: 'torque',
        flavour: 'Torque',
        version: '6.1-dev',
        available: true,
        message: '',
        cluster: 'torque01',
        own_jobs_only: true
      }
    };
    const mine = [makeJob({ id: '6.torque01' }), makeJob({ id: '9.torque01' })];
    const note = () =>
      host.querySelector<HTMLElement>('.jp-hpc-queue-note')?.textContent;
    await show(mine, torque, 'all');
    expect(note()).toBe(
      'Torque shows each user only their own jobs (its query_other_jobs ' +
        'setting is off): All jobs lists yours alone.'
    );
    expect(host.querySelector('.jp-hpc-queue-note')?.getAttribute('role')).toBe(
      'note'
    );
    expect(rows()).toHaveLength(2);
    await act(async () => {
      model.scope = 'mine';
    });
    expect(note()).toBeUndefined();
  });

  it('says nothing of the kind where every user sees every job', async () => {
    await show(QUEUE, CAPS, 'all');
    expect(host.querySelector('.jp-hpc-queue-note')).toBeNull();
  });
});
