import {
  ActionResult,
  Capabilities,
  JobsQuery,
  JobsResult,
  decodeJobsResponse
} from '../jobs/api';
import { HPCApiError } from '../common/request';
import { IQueueApi, QueueModel } from '../jobs/queue/model';
import { QUEUE, jobsResponse, makeJob, okStatus } from './fixtures';

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

const NO_SCHEDULER: Capabilities = {
  scheduler: {
    kind: null,
    version: null,
    available: false,
    message:
      'No batch system found: looked for squeue, sbatch (Slurm) and qstat, qsub (PBS) on PATH.',
    cluster: null
  },
  user: 'alice',
  poll_interval_floor: 2
};

/** A fake server: answers from a queue of results, records the queries. */
class FakeApi implements IQueueApi {
  caps: Capabilities = CAPS;
  answers: (JobsResult | Error)[] = [];
  queries: JobsQuery[] = [];
  actions: [string, string[]][] = [];
  fetchCapabilities = jest.fn(async () => this.caps);
  fetchJobs = jest.fn(async (query: JobsQuery) => {
    this.queries.push({ ...query });
    const next =
      this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    if (next instanceof Error) {
      throw next;
    }
    return next;
  });
  jobAction = jest.fn(
    async (action: string, ids: string[]): Promise<ActionResult[]> => {
      this.actions.push([action, ids]);
      return ids.map(id => ({ job_id: id, ok: id !== '11', message: '' }));
    }
  );
}

const full = (version: number, jobs = QUEUE) =>
  decodeJobsResponse(jobsResponse(version, jobs));

const unchanged = (version: number): JobsResult => ({
  version,
  unchanged: true,
  status: okStatus(),
  jobs: null
});

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Wait until `check` holds, polling every 10 ms, for at most `ms`. */
async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('Timed out waiting for a condition.');
    }
    await sleep(10);
  }
}

describe('QueueModel', () => {
  let api: FakeApi;
  let model: QueueModel;

  beforeEach(() => {
    api = new FakeApi();
    api.answers = [full(1)];
  });
  afterEach(() => {
    model?.dispose();
  });

  const manual = (options: QueueModel.IOptions = {}) =>
    (model = new QueueModel({ api, autoStart: false, ...options }));

  it('is loading until the first answer, then holds the jobs', async () => {
    manual();
    expect(model.loading).toBe(true);
    expect(model.jobs).toEqual([]);
    const changed = jest.fn();
    model.changed.connect(changed);
    await model.refresh();
    expect(model.loading).toBe(false);
    expect(model.jobs).toEqual(QUEUE);
    expect(model.version).toBe(1);
    expect(model.status?.ok).toBe(true);
    expect(model.capabilities).toEqual(CAPS);
    expect(model.error).toBeNull();
    expect(changed).toHaveBeenCalled();
    expect(api.queries[0]).toEqual({ scope: 'mine', since: null });
  });

  it('polls on its own and sends the last version as `since`', async () => {
    api.answers = [full(1), unchanged(1)];
    model = new QueueModel({ api, refreshInterval: 0.05 });
    await until(() => api.fetchJobs.mock.calls.length >= 3);
    expect(api.queries[0].since).toBeNull();
    expect(api.queries[1].since).toBe(1);
    expect(api.queries[2].since).toBe(1);
    expect(model.jobs).toEqual(QUEUE);
    expect(api.fetchCapabilities).toHaveBeenCalledTimes(1);
  });

  it('keeps the same jobs on an unchanged answer', async () => {
    api.answers = [full(5), unchanged(5)];
    manual();
    await model.refresh();
    const jobs = model.jobs;
    const visible = model.visibleJobs;
    await model.refresh();
    expect(api.queries[1].since).toBe(5);
    expect(model.jobs).toBe(jobs);
    expect(model.visibleJobs).toBe(visible);
  });

  it('replaces the jobs when the version changes', async () => {
    const fewer = QUEUE.slice(0, 2);
    api.answers = [full(1), full(2, fewer)];
    manual();
    await model.refresh();
    await model.refresh();
    expect(model.version).toBe(2);
    expect(model.jobs).toEqual(fewer);
  });

  it('keeps the last good data when a request fails', async () => {
    api.answers = [full(1), new HPCApiError('Could not reach the server.', 0)];
    manual();
    await model.refresh();
    await model.refresh();
    expect(model.jobs).toEqual(QUEUE);
    expect(model.error?.status).toBe(0);
    expect(model.error?.message).toBe('Could not reach the server.');
    // The next success clears the error.
    api.answers = [unchanged(1)];
    await model.refresh();
    expect(model.error).toBeNull();
    expect(model.jobs).toEqual(QUEUE);
  });

  it('shows the scheduler failure the server reports, with old rows', async () => {
    const failing = {
      ok: false,
      fetched_at: 1000,
      error: 'squeue timed out after 10 s',
      error_since: 1010,
      now: 1030
    };
    api.answers = [full(1), { ...unchanged(1), status: failing }];
    manual();
    await model.refresh();
    await model.refresh();
    expect(model.status).toEqual(failing);
    expect(model.jobs).toEqual(QUEUE);
    // The age is measured on the server's clock: about 30 s.
    const age = model.dataAge();
    expect(age).toBeGreaterThanOrEqual(29);
    expect(age).toBeLessThan(32);
  });

  it('backs off while the server reports the scheduler failing', async () => {
    const failing = {
      ok: false,
      fetched_at: 1000,
      error: 'Unable to contact slurm controller',
      error_since: 1010,
      now: 1030
    };
    api.answers = [full(1), { ...unchanged(1), status: failing }];
    model = new QueueModel({ api, refreshInterval: 0.02 });
    await until(() => model.status?.ok === false);
    expect(model.error).toBeNull(); // the server answered; the banner shows the status
    expect(model.jobs).toEqual(QUEUE);
    const calls = api.fetchJobs.mock.calls.length;
    await sleep(100);
    // Unbacked, a 20 ms interval would poll about 5 times in 100 ms.
    expect(api.fetchJobs.mock.calls.length - calls).toBeLessThan(4);
  });

  it('backs off a failing poll without losing data', async () => {
    api.answers = [full(1), new HPCApiError('Server error.', 500)];
    model = new QueueModel({ api, refreshInterval: 0.02 });
    await until(() => model.error !== null);
    expect(model.jobs).toEqual(QUEUE);
    const calls = api.fetchJobs.mock.calls.length;
    // Backoff multiplies the interval, so few calls follow in 100 ms.
    await sleep(100);
    expect(api.fetchJobs.mock.calls.length - calls).toBeLessThan(4);
  });

  it('filters and sorts, recomputing only when inputs change', async () => {
    manual();
    await model.refresh();
    const first = model.visibleJobs;
    expect(model.visibleJobs).toBe(first);
    expect(first.map(j => j.id)).toEqual([
      '9',
      '10_4',
      '10_[5-9]',
      '10_12',
      '11',
      '100'
    ]);
    model.filterText = 'sweep';
    expect(model.isFiltered).toBe(true);
    expect(model.visibleJobs.map(j => j.id)).toEqual([
      '10_4',
      '10_[5-9]',
      '10_12'
    ]);
    model.stateFilter = 'pending';
    expect(model.visibleJobs.map(j => j.id)).toEqual(['10_[5-9]']);
    model.filterText = '';
    model.stateFilter = '';
    model.toggleSort('id');
    expect(model.sortDirection).toBe('descending');
    expect(model.visibleJobs[0].id).toBe('100');
    model.toggleSort('user');
    expect(model.sortColumn).toBe('user');
    expect(model.sortDirection).toBe('ascending');
    expect(model.visibleJobs[model.visibleJobs.length - 1].user).toBe('carol');
    expect(model.stateCounts.get('pending')).toBe(2);
  });

  it('prunes the selection when jobs leave the queue', async () => {
    api.answers = [full(1), full(2, QUEUE.slice(0, 3))];
    manual();
    await model.refresh();
    model.select(['100', '11', 'no-such-job']);
    expect([...model.selection].sort()).toEqual(['100', '11']);
    model.toggleSelected('9');
    expect(model.selection.size).toBe(3);
    await model.refresh();
    // Job 11 is gone.
    expect([...model.selection].sort()).toEqual(['100', '9']);
  });

  it('acts only on selected jobs that are shown', async () => {
    manual();
    await model.refresh();
    model.select(['100', '9']);
    model.filterText = 'train';
    expect(model.selectedIds).toEqual(['100']);
    model.filterText = '';
    expect(model.selectedIds).toEqual(['9', '100']);
  });

  it('refetches everything when the scope changes', async () => {
    api.answers = [full(1)];
    manual();
    await model.refresh();
    const everyone = [...QUEUE, makeJob({ id: '200', user: 'dave' })];
    api.answers = [full(7, everyone)];
    model.scope = 'all';
    expect(model.loading).toBe(true);
    expect(model.jobs).toEqual([]);
    await until(() => !model.loading);
    expect(api.queries[1]).toEqual({ scope: 'all', since: null });
    expect(model.jobs).toEqual(everyone);
  });

  it('drops an answer for the old scope', async () => {
    let release: (value: JobsResult) => void = () => undefined;
    manual();
    api.fetchJobs.mockImplementationOnce(
      (query: JobsQuery) =>
        new Promise<JobsResult>(resolve => {
          api.queries.push({ ...query });
          release = resolve;
        })
    );
    const slow = model.refresh();
    await until(() => api.queries.length === 1);
    const everyone = [makeJob({ id: '300', user: 'erin' })];
    api.answers = [full(2, everyone)];
    model.scope = 'all';
    await until(() => !model.loading);
    release(full(1)); // the old "mine" answer arrives late
    await slow;
    expect(model.scope).toBe('all');
    expect(model.jobs).toEqual(everyone);
  });

  it('says when there is no batch system, and does not poll', async () => {
    api.caps = NO_SCHEDULER;
    model = new QueueModel({ api, refreshInterval: 0.02 });
    await until(() => !model.loading);
    await sleep(80);
    expect(model.schedulerAvailable).toBe(false);
    expect(model.capabilities?.scheduler.message).toMatch(/No batch system/);
    expect(api.fetchJobs).not.toHaveBeenCalled();
    expect(api.fetchCapabilities).toHaveBeenCalledTimes(1);
    expect(model.error).toBeNull();
  });

  it('never polls faster than the server floor', async () => {
    api.caps = { ...CAPS, poll_interval_floor: 5 };
    manual({ refreshInterval: 1 });
    expect(model.effectiveInterval).toBe(1);
    await model.refresh();
    expect(model.effectiveInterval).toBe(5);
    model.refreshInterval = 30;
    expect(model.effectiveInterval).toBe(30);
  });

  it('does not poll while hidden, and refreshes when shown', async () => {
    model = new QueueModel({ api, refreshInterval: 0.02, visible: false });
    await sleep(80);
    expect(api.fetchJobs).not.toHaveBeenCalled();
    model.setVisible(true);
    await until(() => api.fetchJobs.mock.calls.length > 0);
    expect(model.jobs).toEqual(QUEUE);
  });

  it('runs actions and refreshes', async () => {
    api.answers = [full(1), full(2, QUEUE.slice(1))];
    manual();
    await model.refresh();
    const results = await model.performAction('cancel', ['100', '11']);
    expect(api.actions).toEqual([['cancel', ['100', '11']]]);
    expect(results.map(r => r.ok)).toEqual([true, false]);
    await until(() => model.version === 2);
    expect(model.jobs.map(j => j.id)).not.toContain('100');
  });

  it('normalizes the columns setting', () => {
    manual();
    model.columns = ['state', 'id', 'bogus'];
    expect(model.columns).toEqual(['id', 'state']);
  });

  it('stops emitting after dispose', async () => {
    manual();
    const changed = jest.fn();
    model.changed.connect(changed);
    model.dispose();
    await model.refresh();
    expect(changed).not.toHaveBeenCalled();
    expect(model.isDisposed).toBe(true);
  });

  describe('selectJob (Show in queue)', () => {
    it('selects a listed job and asks the view to reveal it', async () => {
      manual();
      await model.refresh();
      model.filterText = 'no such job';
      expect(await model.selectJob('100')).toBe(true);
      expect([...model.selection]).toEqual(['100']);
      // The filter hid it: cleared.
      expect(model.filterText).toBe('');
      expect(model.revealRequest).toEqual({ jobId: '100', token: 1 });
      await model.selectJob('100');
      expect(model.revealRequest?.token).toBe(2);
    });

    it('selects every task of an array job', async () => {
      manual();
      await model.refresh();
      expect(await model.selectJob('10')).toBe(true);
      expect([...model.selection].sort()).toEqual([
        '10_12',
        '10_4',
        '10_[5-9]'
      ]);
    });

    it('waits for a job the listing does not have yet', async () => {
      const newJob = makeJob({ id: '4242', name: 'just submitted' });
      manual();
      api.answers = [full(1), full(2, [...QUEUE, newJob])];
      expect(await model.selectJob('4242')).toBe(false);
      expect(model.selection.size).toBe(0);
      await model.refresh(); // the next poll brings it
      expect([...model.selection]).toEqual(['4242']);
      expect(model.revealRequest?.jobId).toBe('4242');
    });
  });
});
