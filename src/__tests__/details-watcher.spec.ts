/**
 * End-of-job notifications: which listing transitions count as "ended", and
 * where the final state comes from (the job's state, then history, then the
 * queue); with the panel closed, rounds of per-job states (never a listing).
 */
import { Signal } from '@lumino/signaling';

import {
  ActionResult,
  Capabilities,
  HistoryQuery,
  HistoryResult,
  Job,
  JobAction,
  JobDetail,
  JobStatesResult,
  JobStatusAnswer
} from '../jobs/api';
import { isLive } from '../jobs/details/timeline';
import { endingKind, endingMessage } from '../jobs/details/notify';
import {
  IJobEnding,
  IWatchedQueue,
  IWatcherApi,
  JobEndWatcher
} from '../jobs/details/watcher';
import { makeJob, makeRecord } from './fixtures';

const CAPS = {
  scheduler: {
    kind: 'slurm',
    version: '22.05.8',
    available: true,
    message: '',
    cluster: 'local'
  },
  user: 'alice',
  poll_interval_floor: 0
} as Capabilities;

/** Stands in for the queue model: a listing replaced by each `list`. */
class FakeQueue implements IWatchedQueue {
  changed = new Signal<this, void>(this);
  actionPerformed = new Signal<
    this,
    { action: JobAction; results: ActionResult[] }
  >(this);
  jobs: readonly Job[] = [];
  /** Like the queue model: loading until the first listing arrives. */
  loading = true;
  capabilities: Capabilities | null = CAPS;
  /** The panel is shown: listings tell, the watcher asks nothing itself. */
  isVisible = true;
  refreshInterval = 10;
  list(jobs: Job[], loading = false): void {
    this.jobs = jobs;
    this.loading = loading;
    this.changed.emit();
  }
}

/** Answers `jobs/states` from `details` (a job without one is not known). */
class FakeApi implements IWatcherApi {
  details = new Map<string, JobDetail>();
  /** Jobs submitted through the server (answered to `submitted` rounds). */
  submitted: string[] = [];
  history: HistoryResult = { available: true, message: '', jobs: [] };
  historyQueries: HistoryQuery[] = [];
  /** Ids asked about one at a time, to tell a final state. */
  detailCalls: string[] = [];
  /** The rounds: what each asked. */
  rounds: { ids: string[]; maxAge: number }[] = [];
  failing: Error | null = null;
  async fetchJobStates(
    ids: string[],
    maxAge: number,
    submitted: boolean
  ): Promise<JobStatesResult> {
    if (submitted) {
      this.rounds.push({ ids: [...ids], maxAge });
    } else {
      this.detailCalls.push(...ids);
    }
    if (this.failing) {
      throw this.failing;
    }
    const jobs: Record<string, JobStatusAnswer> = {};
    for (const id of submitted ? [...ids, ...this.submitted] : ids) {
      const d = this.details.get(id);
      const base = { source: 'scheduler' as const, fetched_at: 0 };
      jobs[id] = d
        ? {
            ...base,
            found: true,
            final: [d.job, ...d.tasks].every(r => !isLive(r.state)),
            job: d.job,
            tasks: d.tasks
          }
        : { ...base, found: false, final: false, message: 'not known' };
    }
    return { jobs, status: { ok: true, error: null, now: 0 } };
  }
  async fetchHistory(query: HistoryQuery): Promise<HistoryResult> {
    this.historyQueries.push(query);
    return this.history;
  }
}

const detailOf = (
  fields: Parameters<typeof makeRecord>[0],
  tasks: JobDetail['tasks'] = []
): JobDetail => ({
  job: makeRecord(fields),
  fields: [],
  tasks,
  script: null,
  requested: {},
  used: {}
});

function setup() {
  const queue = new FakeQueue();
  const api = new FakeApi();
  const endings: IJobEnding[] = [];
  const watcher = new JobEndWatcher({
    queue,
    api,
    notify: e => endings.push(e)
  });
  return { queue, api, endings, watcher };
}

describe('JobEndWatcher', () => {
  it('the first listing is a baseline: jobs already ended are not announced', async () => {
    const { queue, endings, watcher } = setup();
    queue.list([
      makeJob({ id: '1', state: 'completed' }),
      makeJob({ id: '2', state: 'running' })
    ]);
    await watcher.settled();
    expect(endings).toEqual([]);
  });

  it('a job that leaves the queue is announced with the state from its detail', async () => {
    const { queue, api, endings, watcher } = setup();
    queue.list([makeJob({ id: '1', state: 'running', name: 'fit' })]);
    api.details.set(
      '1',
      detailOf({ id: '1', name: 'fit', state: 'failed', exit_code: 2 })
    );
    queue.list([]);
    await watcher.settled();
    expect(api.detailCalls).toEqual(['1']);
    expect(endings).toHaveLength(1);
    expect(endings[0]).toMatchObject({
      jobId: '1',
      state: 'failed',
      exitCode: 2,
      source: 'detail'
    });
    expect(endingKind(endings[0])).toBe('error');
    expect(endingMessage(endings[0])).toMatch(
      /^Job 1 “fit” failed \(exit code 2\)/
    );

    // Announced once, even if listed again.
    queue.list([]);
    await watcher.settled();
    expect(endings).toHaveLength(1);
  });

  it('a job listed in a final state is announced; completed is a success', async () => {
    const { queue, api, endings, watcher } = setup();
    queue.list([makeJob({ id: '3', state: 'running' })]);
    api.details.set(
      '3',
      detailOf({ id: '3', state: 'completed', time_used: 125 })
    );
    queue.list([makeJob({ id: '3', state: 'completed' })]);
    await watcher.settled();
    expect(endings.map(e => e.state)).toEqual(['completed']);
    expect(endingKind(endings[0])).toBe('success');
    expect(endingMessage(endings[0])).toBe(
      'Job 3 “job-3” completed after 2:05.'
    );
  });

  it('falls back to the history when the scheduler forgot the job', async () => {
    const { queue, api, endings, watcher } = setup();
    queue.list([
      makeJob({ id: '4', state: 'running', submit_time: '2026-11-22T00:00:00' })
    ]);
    api.history.jobs = [
      {
        ...makeRecord({ id: '4', state: 'timeout' }),
        elapsed: 60,
        total_cpu: 55,
        cpu_efficiency: 0.9,
        max_rss: '10M'
      }
    ];
    queue.list([]);
    await watcher.settled();
    expect(api.historyQueries[0].start).toBe('2026-11-22T00:00:00');
    expect(endings[0]).toMatchObject({ state: 'timeout', source: 'history' });
    expect(endingKind(endings[0])).toBe('error');
  });

  it('without detail or history, says the final state is not known', async () => {
    const { queue, api, endings, watcher } = setup();
    api.history = { available: false, message: 'No accounting.', jobs: [] };
    queue.list([makeJob({ id: '5', state: 'running' })]);
    queue.list([]);
    await watcher.settled();
    expect(endings[0]).toMatchObject({ state: 'unknown', source: 'queue' });
    expect(endingMessage(endings[0])).toMatch(/final state is not known/);
  });

  it("other users' jobs, pending array ranges and scope switches are not endings", async () => {
    const { queue, api, endings, watcher } = setup();
    queue.list([
      makeJob({ id: '6', state: 'running', user: 'bob' }),
      makeJob({
        id: '7_[2-5]',
        array_job_id: '7',
        array_task_id: '[2-5]',
        state: 'pending'
      }),
      makeJob({
        id: '7_1',
        array_job_id: '7',
        array_task_id: '1',
        state: 'running'
      }),
      makeJob({ id: '8', state: 'running' })
    ]);
    // A scope switch: the model empties its listing while it loads.
    queue.list([], true);
    // Task 2 started; bob's job left.
    queue.list([
      makeJob({
        id: '7_1',
        array_job_id: '7',
        array_task_id: '1',
        state: 'running'
      }),
      makeJob({
        id: '7_2',
        array_job_id: '7',
        array_task_id: '2',
        state: 'running'
      }),
      makeJob({ id: '8', state: 'running' })
    ]);
    await watcher.settled();
    expect(endings).toEqual([]);
    expect(api.detailCalls).toEqual([]);
  });

  it('an array job is announced once, when its last task ends', async () => {
    const { queue, api, endings, watcher } = setup();
    const task = (n: number, state: Job['state']) =>
      makeJob({
        id: `9_${n}`,
        array_job_id: '9',
        array_task_id: String(n),
        state
      });
    queue.list([task(1, 'running'), task(2, 'running')]);
    queue.list([task(2, 'running')]); // task 1 ended, task 2 still runs
    await watcher.settled();
    expect(endings).toEqual([]);
    api.details.set(
      '9',
      detailOf({ id: '9_1', state: 'completed' }, [
        makeRecord({ id: '9_2', state: 'failed' })
      ])
    );
    queue.list([]);
    await watcher.settled();
    expect(endings).toHaveLength(1);
    expect(endings[0]).toMatchObject({
      jobId: '9',
      state: 'failed',
      tasks: 2,
      tasksFailed: 1
    });
    expect(endingMessage(endings[0])).toMatch(
      /Array job 9 .*2 tasks, 1 did not complete/
    );
  });

  it('waits when the scheduler still calls the job live; turned off, says nothing', async () => {
    const { queue, api, endings, watcher } = setup();
    queue.list([makeJob({ id: '10', state: 'running' })]);
    api.details.set('10', detailOf({ id: '10', state: 'completing' }));
    queue.list([]);
    await watcher.settled();
    expect(endings).toEqual([]);
    api.details.set('10', detailOf({ id: '10', state: 'cancelled' }));
    queue.list([]);
    await watcher.settled();
    expect(endings.map(e => e.state)).toEqual(['cancelled']);
    expect(endingKind(endings[0])).toBe('warning');

    watcher.enabled = false;
    queue.list([makeJob({ id: '11', state: 'running' })]);
    queue.list([]);
    await watcher.settled();
    expect(endings).toHaveLength(1);
    watcher.dispose();
  });

  it('a job cancelled from this window is not announced again', async () => {
    const { queue, api, endings, watcher } = setup();
    queue.list([
      makeJob({ id: '12', state: 'running' }),
      makeJob({ id: '13', state: 'running' })
    ]);
    queue.actionPerformed.emit({
      action: 'cancel',
      results: [{ job_id: '12', ok: true, message: '' }]
    });
    api.details.set('12', detailOf({ id: '12', state: 'cancelled' }));
    api.details.set('13', detailOf({ id: '13', state: 'cancelled' }));
    queue.list([]);
    await watcher.settled();
    // 13 was cancelled elsewhere (scancel in a terminal): announced.
    expect(endings.map(e => e.jobId)).toEqual(['13']);
  });

  it('a job submitted here is announced even if no listing ever shows it', async () => {
    const { queue, api, endings, watcher } = setup();
    watcher.expect('20.pbs01', 'quick'); // before the first listing
    queue.list([makeJob({ id: '1', state: 'running' })]);
    // The next listing does not have it: a short job that came and went.
    api.details.set(
      '20.pbs01',
      detailOf({ id: '20.pbs01', state: 'completed' })
    );
    queue.list([makeJob({ id: '1', state: 'running' })]);
    await watcher.settled();
    expect(api.detailCalls).toEqual(['20.pbs01']);
    expect(endings).toHaveLength(1);
    expect(endings[0]).toMatchObject({
      jobId: '20.pbs01',
      state: 'completed',
      source: 'detail',
      tasks: 0
    });

    // After the baseline: a listing that is behind the submission waits.
    watcher.expect('21.pbs01', 'slow');
    api.details.set('21.pbs01', detailOf({ id: '21.pbs01', state: 'pending' }));
    queue.list([makeJob({ id: '1', state: 'running' })]);
    await watcher.settled();
    expect(endings).toHaveLength(1);
    // Then the listing shows it running: its rows take over, as for any job.
    const other = makeJob({ id: '1', state: 'running' });
    queue.list([makeJob({ id: '21.pbs01', state: 'running' }), other]);
    api.details.set('21.pbs01', detailOf({ id: '21.pbs01', state: 'failed' }));
    queue.list([other]);
    await watcher.settled();
    expect(endings.map(e => [e.jobId, e.state])).toEqual([
      ['20.pbs01', 'completed'],
      ['21.pbs01', 'failed']
    ]);
  });

  it('a submitted array is not taken for ended while its tasks are listed', async () => {
    const { queue, api, endings, watcher } = setup();
    queue.list([]);
    watcher.expect('30', 'sweep');
    const range = makeJob({
      id: '30_[1-3]',
      array_job_id: '30',
      array_task_id: '[1-3]',
      state: 'pending'
    });
    queue.list([range]);
    await watcher.settled();
    expect(api.detailCalls).toEqual([]);
    queue.list([
      makeJob({
        id: '30_1',
        array_job_id: '30',
        array_task_id: '1',
        state: 'running'
      })
    ]);
    api.details.set('30', detailOf({ id: '30_1', state: 'completed' }));
    queue.list([]);
    await watcher.settled();
    expect(endings.map(e => e.jobId)).toEqual(['30']);
    // Turned off, expected jobs are not watched.
    watcher.enabled = false;
    watcher.expect('31', 'off');
    watcher.enabled = true;
    queue.list([]);
    queue.list([]);
    await watcher.settled();
    expect(api.detailCalls).not.toContain('31');
  });
});
