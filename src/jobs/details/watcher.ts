/**
 * Notices when one of the user's jobs ends and tells its final state.
 *
 * While the queue panel is shown, its listings tell (the watcher makes no
 * request of its own). Otherwise the watcher asks about the jobs it watches,
 * and only those, with `POST jobs/states` (per-job queries on the server, one
 * cache for every tab; never a listing of the whole queue): the jobs submitted
 * from the Lab (this tab's, and, asked once at start and then with each round,
 * the server's), and the user's live jobs the panel listed while it was open.
 * A job submitted elsewhere is found when the panel is next open. Nothing is
 * asked while nothing is watched or the browser tab is hidden.
 *
 * The final state comes from the same per-job answer, else (the batch system
 * forgot the job) from the accounting history, else from the last listing.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import * as api from '../api';
import type {
  ActionResult,
  Capabilities,
  HistoryQuery,
  HistoryResult,
  Job,
  JobAction,
  JobState,
  JobStatesResult,
  JobStatusAnswer
} from '../api';
import { MAX_STATE_IDS } from '../api';
import { CadencePoll } from '../queue/cadence';
import { isLive, localIso } from './timeline';

/** What the watcher reads of the queue model. */
export interface IWatchedQueue {
  readonly changed: ISignal<unknown, void>;
  readonly jobs: readonly Job[];
  /** True while a listing is on its way after a scope change. */
  readonly loading: boolean;
  readonly capabilities: Capabilities | null;
  /** Whether the queue panel is shown: its listings then tell what ended. */
  readonly isVisible: boolean;
  /** The queue's refresh setting (seconds): the watcher asks as often. */
  readonly refreshInterval: number;
  /** Actions run from this window: a job cancelled here is not announced again. */
  readonly actionPerformed?: ISignal<
    unknown,
    { action: JobAction; results: ActionResult[] }
  >;
}

/** The server calls the watcher makes; tests pass fakes. */
export interface IWatcherApi {
  fetchJobStates(
    ids: string[],
    maxAge: number,
    submitted: boolean
  ): Promise<JobStatesResult>;
  fetchHistory(query: HistoryQuery): Promise<HistoryResult>;
}

const DEFAULT_API: IWatcherApi = {
  fetchJobStates: api.fetchJobStates,
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
    /** For tests: the jitter's random numbers in [0, 1). */
    random?: () => number;
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
    this._poll = new CadencePoll({
      name: 'jupyterlab-hpc:job-end-watcher',
      task: () => this._round(),
      cadence: () => this._cadence(),
      active: () =>
        this._enabled &&
        !this._isDisposed &&
        !this._queue.isVisible &&
        (!this._askedSubmitted || this._watched().size > 0),
      random: options.random
    });
    void this._poll.start();
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
    this._askedSubmitted = false;
    if (enabled) {
      this._onChanged();
      void this._poll.refresh();
    }
  }

  /** The ids the watcher would ask about now (an array by its array id). */
  get watchedIds(): string[] {
    return [...this._watched().keys()];
  }

  /** Milliseconds until the watcher's next round, as last chosen. */
  get nextDelay(): number {
    return this._poll.delay;
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

  /** Ask about the watched jobs now (for tests and after a setting change). */
  refresh(): Promise<void> {
    return this._poll.refresh();
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
    this._poll.dispose();
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

  // -- The rounds while the panel is closed ----------------------------------

  private _cadence(): { setting: number; floor: number } {
    return {
      setting: this._queue.refreshInterval,
      floor: this._queue.capabilities?.poll_interval_floor ?? 0
    };
  }

  /** The watched jobs by the id asked about: an array's rows by the array's id. */
  private _watched(): Map<string, Job> {
    const out = new Map<string, Job>();
    for (const job of (this._live ?? this._expected).values()) {
      const key = job.array_job_id ?? job.id;
      if (!out.has(key)) {
        out.set(key, job);
      }
    }
    return out;
  }

  private _unwatch(key: string): void {
    const map = this._live ?? this._expected;
    for (const [id, job] of [...map]) {
      if ((job.array_job_id ?? job.id) === key) {
        map.delete(id);
      }
    }
  }

  /**
   * One round: the states of the watched jobs (at most MAX_STATE_IDS, taken
   * in turns when there are more) and of the jobs submitted through the
   * server. False when the server or the batch system failed (back off).
   */
  private async _round(): Promise<boolean> {
    const watched = this._watched();
    const keys = [...watched.keys()];
    let ids = keys;
    if (keys.length > MAX_STATE_IDS) {
      const start = this._turn % keys.length;
      ids = [...keys.slice(start), ...keys.slice(0, start)].slice(
        0,
        MAX_STATE_IDS
      );
      this._turn = start + MAX_STATE_IDS;
    }
    // As fresh as the server's floor allows (the listing's rule too): tabs that
    // ask within the floor share one query.
    const result = await this._api.fetchJobStates(ids, 0, true);
    this._askedSubmitted = true;
    if (!this._enabled || this._isDisposed) {
      return true;
    }
    const now = this._watched();
    for (const [id, answer] of Object.entries(result.jobs)) {
      const seen = now.get(id);
      if (seen === undefined) {
        this._adopt(id, answer);
      } else if (!answer.found || answer.final) {
        this._unwatch(id);
        this._resolve(id, seen, seen.array_job_id !== null, answer);
      }
    }
    return result.status.ok;
  }

  /** A live job submitted through the server that this tab did not know yet. */
  private _adopt(id: string, answer: JobStatusAnswer): void {
    if (
      !answer.found ||
      answer.final ||
      !answer.job ||
      this._notified.has(id)
    ) {
      return;
    }
    const job = submittedJob(id, answer.job.name, answer.job.user);
    if (this._live === null) {
      this._expected.set(id, job);
    } else if (!this._known.has(id)) {
      this._live.set(id, job);
    }
  }

  private _resolve(
    jobId: string,
    seen: Job,
    array: boolean,
    answer?: JobStatusAnswer
  ): void {
    if (this._notified.has(jobId)) {
      return;
    }
    this._notified.add(jobId);
    const pending = this._finalState(jobId, seen, array, answer)
      .then(ending => {
        if (ending === null) {
          // Still live for the scheduler (the listing was ahead): next time.
          this._notified.delete(jobId);
          (this._live ?? this._expected).set(seen.id, seen);
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

  /**
   * The job's final state (from `answer` when the round already has it);
   * null when the scheduler says it still runs.
   */
  private async _finalState(
    jobId: string,
    seen: Job,
    array: boolean,
    answer?: JobStatusAnswer
  ): Promise<IJobEnding | null> {
    if (answer === undefined) {
      try {
        answer = (await this._api.fetchJobStates([jobId], 0, false)).jobs[
          jobId
        ];
      } catch {
        return fromQueue(jobId, seen);
      }
      if (answer === undefined) {
        // The batch system did not answer: say what the queue last showed.
        return fromQueue(jobId, seen);
      }
    }
    if (answer.found && answer.job) {
      const records = [answer.job, ...(answer.tasks ?? [])];
      if (records.some(r => isLive(r.state))) {
        return null;
      }
      return endingOf(jobId, answer.job, records, 'detail');
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
  private _poll: CadencePoll;
  /** Whether a round asked for the jobs submitted through the server yet. */
  private _askedSubmitted = false;
  /** Where the next round starts when more jobs are watched than one asks. */
  private _turn = 0;
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
