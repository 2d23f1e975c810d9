/**
 * Notices when one of the user's jobs ends, from the queue model's listings
 * (no poller of its own), and asks the server for the final state: the job's
 * detail, or the accounting history when the scheduler already forgot it.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import * as api from '../api';
import { HPCApiError } from '../../common/request';
import type {
  ActionResult,
  Capabilities,
  HistoryQuery,
  HistoryResult,
  Job,
  JobAction,
  JobDetail,
  JobState
} from '../api';
import { isLive, localIso } from './timeline';

/** What the watcher reads of the queue model. */
export interface IWatchedQueue {
  readonly changed: ISignal<unknown, void>;
  readonly jobs: readonly Job[];
  /** True while a listing is on its way after a scope change. */
  readonly loading: boolean;
  readonly capabilities: Capabilities | null;
  /** Actions run from this window: a job cancelled here is not announced again. */
  readonly actionPerformed?: ISignal<
    unknown,
    { action: JobAction; results: ActionResult[] }
  >;
}

/** The server calls the watcher makes; tests pass fakes. */
export interface IWatcherApi {
  fetchJobDetail(jobId: string): Promise<JobDetail>;
  fetchHistory(query: HistoryQuery): Promise<HistoryResult>;
}

const DEFAULT_API: IWatcherApi = {
  fetchJobDetail: api.fetchJobDetail,
  fetchHistory: api.fetchHistory
};

/** A job that ended, as the notification tells it. */
export interface IJobEnding {
  /** The job to open: the array's id for an array job. */
  jobId: string;
  name: string;
  state: JobState;
  exitCode: number | null;
  exitSignal: number | null;
  /** Seconds it ran, when known. */
  elapsed: number | null;
  /** For an array job: how many tasks, and how many did not complete. */
  tasks: number;
  tasksFailed: number;
  /** Where the final state came from. */
  source: 'detail' | 'history' | 'queue';
}

export namespace JobEndWatcher {
  export interface IOptions {
    queue: IWatchedQueue;
    notify: (ending: IJobEnding) => void;
    api?: IWatcherApi;
    enabled?: boolean;
  }
}

export class JobEndWatcher implements IDisposable {
  constructor(options: JobEndWatcher.IOptions) {
    this._queue = options.queue;
    this._notify = options.notify;
    this._api = options.api ?? DEFAULT_API;
    this._enabled = options.enabled ?? true;
    this._queue.changed.connect(this._onChanged, this);
    this._queue.actionPerformed?.connect(this._onAction, this);
    this._onChanged();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Turned off, the watcher forgets what it saw: no stale notifications later. */
  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(enabled: boolean) {
    if (enabled === this._enabled) {
      return;
    }
    this._enabled = enabled;
    this._live = null;
    this._known = new Set();
    this._expected = new Map();
    this._lastJobs = null;
    if (enabled) {
      this._onChanged();
    }
  }

  /**
   * A job just submitted from this window: announced when it ends even if no
   * listing ever shows it (a short PBS job leaves qstat's listing the moment
   * it ends, possibly before the next refresh). Until a listing shows it, it
   * counts as live; when one does, that listing's rows take over.
   */
  expect(jobId: string, name: string): void {
    if (!this._enabled || this._isDisposed || !jobId) {
      return;
    }
    const job = submittedJob(jobId, name, this._queue.capabilities?.user ?? '');
    if (this._live === null) {
      this._expected.set(jobId, job);
    } else if (!this._known.has(jobId)) {
      this._live.set(jobId, job);
    }
  }

  /** Resolves when the final states being looked up are known (for tests). */
  async settled(): Promise<void> {
    while (this._pending.size > 0) {
      await Promise.all([...this._pending]);
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._queue.changed.disconnect(this._onChanged, this);
    this._queue.actionPerformed?.disconnect(this._onAction, this);
  }

  // -- Private ---------------------------------------------------------------

  /** The person already saw "Cancelled N jobs": no second notice for those. */
  private _onAction(
    _: unknown,
    done: { action: JobAction; results: ActionResult[] }
  ): void {
    if (done.action === 'cancel') {
      for (const r of done.results) {
        if (r.ok) {
          this._cancelledHere.add(r.job_id);
        }
      }
    }
  }

  private _onChanged(): void {
    const jobs = this._queue.jobs;
    const user = this._queue.capabilities?.user;
    if (
      !this._enabled ||
      this._isDisposed ||
      this._queue.loading ||
      !user ||
      jobs === this._lastJobs
    ) {
      return;
    }
    this._lastJobs = jobs;
    const mine = jobs.filter(job => job.user === user);
    const live = new Map<string, Job>();
    for (const job of mine) {
      if (isLive(job.state)) {
        live.set(job.id, job);
      }
    }
    const previous = this._live;
    const known = this._known;
    this._live = live;
    this._known = new Set(mine.map(job => job.id));
    if (previous === null) {
      // The first listing is the baseline: nothing ended yet. Jobs submitted
      // before it are watched from here on.
      for (const [id, job] of this._expected) {
        if (!this._known.has(id)) {
          live.set(id, job);
        }
      }
      this._expected.clear();
      return;
    }

    const current = new Map(mine.map(job => [job.id, job]));
    const ended: Job[] = [];
    for (const [id, before] of previous) {
      const now = current.get(id);
      if (!now) {
        // A range of pending array tasks leaves when its tasks start.
        if (!isPendingRange(before)) {
          ended.push(before);
        }
      } else if (!isLive(now.state)) {
        ended.push(now);
      }
    }
    // Ran and ended between two listings: first seen already final.
    for (const job of mine) {
      if (!known.has(job.id) && !isLive(job.state)) {
        ended.push(job);
      }
    }

    const arrays = new Set<string>();
    for (const job of ended) {
      if (job.array_job_id) {
        // One notification per array, once none of its tasks is left running.
        const parent = job.array_job_id;
        const running = mine.some(
          j => j.array_job_id === parent && isLive(j.state)
        );
        if (!running && !arrays.has(parent)) {
          arrays.add(parent);
          this._resolve(parent, job, true);
        }
      } else {
        this._resolve(job.id, job, false);
      }
    }
  }

  private _resolve(jobId: string, seen: Job, array: boolean): void {
    if (this._notified.has(jobId)) {
      return;
    }
    this._notified.add(jobId);
    const pending = this._finalState(jobId, seen, array)
      .then(ending => {
        if (ending === null) {
          // Still live for the scheduler (the listing was ahead): next time.
          this._notified.delete(jobId);
          this._live?.set(seen.id, seen);
        } else if (
          this._enabled &&
          !this._isDisposed &&
          !(
            ending.state === 'cancelled' &&
            (this._cancelledHere.has(jobId) || this._cancelledHere.has(seen.id))
          )
        ) {
          this._notify(ending);
        }
      })
      .finally(() => this._pending.delete(pending));
    this._pending.add(pending);
  }

  /** The job's final state; null when the scheduler says it still runs. */
  private async _finalState(
    jobId: string,
    seen: Job,
    array: boolean
  ): Promise<IJobEnding | null> {
    try {
      const detail = await this._api.fetchJobDetail(jobId);
      const records =
        array && detail.tasks.length ? detail.tasks : [detail.job];
      if (records.some(r => isLive(r.state))) {
        return null;
      }
      return endingOf(jobId, detail.job, records, 'detail');
    } catch (error) {
      if (!(error instanceof HPCApiError) || error.status !== 404) {
        return fromQueue(jobId, seen);
      }
    }
    // Forgotten by the scheduler: ask its accounting.
    try {
      const since = seen.submit_time ?? localIso(new Date(Date.now() - 864e5));
      const history = await this._api.fetchHistory({ start: since });
      const records = history.jobs.filter(r =>
        array ? r.array_job_id === jobId || r.id === jobId : r.id === jobId
      );
      if (records.length > 0) {
        const main = records.find(r => r.id === jobId) ?? records[0];
        return endingOf(jobId, main, records, 'history');
      }
    } catch {
      // no accounting: say what the queue last showed
    }
    return fromQueue(jobId, seen);
  }

  private _queue: IWatchedQueue;
  private _notify: (ending: IJobEnding) => void;
  private _api: IWatcherApi;
  private _enabled: boolean;
  private _isDisposed = false;
  private _lastJobs: readonly Job[] | null = null;
  /** The user's live jobs in the last listing; null before the first one. */
  private _live: Map<string, Job> | null = null;
  /** Every id of the user's jobs in the last listing. */
  private _known = new Set<string>();
  private _notified = new Set<string>();
  /** Submitted before the first listing: watched once it arrives. */
  private _expected = new Map<string, Job>();
  private _cancelledHere = new Set<string>();
  private _pending = new Set<Promise<void>>();
}

/**
 * What the watcher knows of a job it has not seen listed yet. It stands as an
 * array of itself: while any listed row of that array is live (an sbatch
 * `--array` job is listed as `123_[1-5]`), it is not taken for ended.
 */
function submittedJob(id: string, name: string, user: string): Job {
  return {
    id,
    array_job_id: id,
    array_task_id: null,
    name,
    user,
    account: '',
    partition: '',
    qos: '',
    state: 'pending',
    raw_state: '',
    reason: '',
    nodelist: '',
    nodes: null,
    cpus: null,
    memory: '',
    gres: '',
    time_used: null,
    time_limit: null,
    // Unknown here: the browser's clock may not be the cluster's.
    submit_time: null,
    start_time: null
  };
}

/** `123_[5-9]`: array tasks that have not started, listed as one row. */
function isPendingRange(job: Job): boolean {
  return job.array_task_id !== null && job.array_task_id.includes('[');
}

/** The worst state among records: one failed task makes the array failed. */
const SEVERITY: JobState[] = ['failed', 'timeout', 'cancelled', 'completed'];

function endingOf(
  jobId: string,
  main: Job & { exit_code?: number | null; exit_signal?: number | null },
  records: Job[],
  source: IJobEnding['source']
): IJobEnding {
  const states = records.map(r => r.state);
  const state =
    records.length > 1
      ? (SEVERITY.find(s => states.includes(s)) ?? main.state)
      : main.state;
  return {
    jobId,
    name: main.name,
    state,
    exitCode: main.exit_code ?? null,
    exitSignal: main.exit_signal ?? null,
    elapsed: main.time_used,
    tasks: records.length > 1 ? records.length : 0,
    tasksFailed:
      records.length > 1
        ? records.filter(r => r.state !== 'completed').length
        : 0,
    source
  };
}

function fromQueue(jobId: string, seen: Job): IJobEnding {
  return {
    jobId,
    name: seen.name,
    state: isLive(seen.state) ? 'unknown' : seen.state,
    exitCode: null,
    exitSignal: null,
    elapsed: seen.time_used,
    tasks: 0,
    tasksFailed: 0,
    source: 'queue'
  };
}
