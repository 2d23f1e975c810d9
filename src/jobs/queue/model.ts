/**
 * The state of the job queue panel: what the server listed, how the user
 * filters, sorts and selects it, and the poll that keeps it fresh.
 *
 * The listing is the whole queue (about 100 ms of slurmctld's time per call at
 * 50,000 jobs), so it is asked for only while the panel is shown and the
 * browser tab visible; what watches jobs in the background (the end-of-job
 * notifications) asks about those jobs alone (`details/watcher.ts`).
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import * as api from '../api';
import { HPCApiError } from '../../common/request';
import { CadencePoll, baseInterval } from './cadence';
import { IRowMark, RowMarks } from './marks';
import type {
  ActionResult,
  Capabilities,
  Job,
  JobAction,
  JobState,
  JobsQuery,
  JobsResult,
  PendingResult,
  QueueStatus
} from '../api';
import { PendingModel } from './pending';
import { isWaiting } from './pendingWords';
import {
  ColumnId,
  DEFAULT_COLUMNS,
  SortDirection,
  filterJobs,
  normalizeColumns,
  sortJobs
} from './jobs';

export type Scope = 'mine' | 'all';

/** The server calls the model makes; tests pass fakes. */
export interface IQueueApi {
  fetchCapabilities(): Promise<Capabilities>;
  fetchJobs(query: JobsQuery): Promise<JobsResult>;
  jobAction(action: JobAction, jobIds: string[]): Promise<ActionResult[]>;
  /** Why the user's waiting jobs wait; absent: not asked. */
  fetchPending?(): Promise<PendingResult>;
}

const DEFAULT_API: IQueueApi = {
  fetchCapabilities: api.fetchCapabilities,
  fetchJobs: api.fetchJobs,
  jobAction: api.jobAction,
  fetchPending: () => api.fetchPending()
};

/** How long `selectJob` waits for a job to appear in the listing. */
const SELECT_WAIT_MS = 2 * 60 * 1000;

export namespace QueueModel {
  /** An action the model ran, and what the scheduler answered per job. */
  export interface IActionDone {
    action: JobAction;
    results: ActionResult[];
  }

  export interface IOptions {
    api?: IQueueApi;
    /** Seconds between polls; the server's floor wins when larger. */
    refreshInterval?: number;
    scope?: Scope;
    /** Whether the panel is shown; a hidden panel does not poll. */
    visible?: boolean;
    /** Start polling at once (default true). */
    autoStart?: boolean;
    /** For tests: the jitter's random numbers in [0, 1). */
    random?: () => number;
  }
}

export class QueueModel implements IDisposable {
  constructor(options: QueueModel.IOptions = {}) {
    this._api = options.api ?? DEFAULT_API;
    this._refreshInterval = options.refreshInterval ?? 10;
    this._scope = options.scope ?? 'mine';
    this._visible = options.visible ?? true;
    this._poll = new CadencePoll({
      name: 'jupyterlab-hpc:queue',
      task: () => this._pollOnce(),
      cadence: () => this._cadence(),
      // Only a shown panel lists the queue, and only while the tab is visible.
      active: () => this._visible,
      random: options.random
    });
    const fetchPending = this._api.fetchPending;
    this.pending = fetchPending
      ? new PendingModel({ fetchPending: () => fetchPending() })
      : null;
    this.pending?.changed.connect(this._emit, this);
    if (options.autoStart ?? true) {
      void this._poll.start();
    }
  }

  /** Why the user's waiting jobs wait; null when the api has no such call. */
  readonly pending: PendingModel | null;

  /** Emitted whenever anything the view shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** True until the first answer (or failure) about the jobs. */
  get loading(): boolean {
    return this._loading;
  }

  /** What the server said about this machine; null until known. */
  get capabilities(): Capabilities | null {
    return this._capabilities;
  }

  /** False when the server found no batch system: nothing to poll. */
  get schedulerAvailable(): boolean {
    return this._capabilities?.scheduler.available ?? true;
  }

  /** Every job the server listed for the scope. */
  get jobs(): readonly Job[] {
    return this._jobs;
  }

  /** A job's marks from other features ("Kernel"...). */
  marksOf(jobId: string): readonly IRowMark[] {
    return this._marks.of(jobId);
  }

  /** Replace every mark `source` sets on rows (job id -> mark). */
  setMarks(
    source: string,
    marks: ReadonlyMap<string, Omit<IRowMark, 'source'>>
  ): void {
    if (this._marks.set(source, marks)) {
      this._emit();
    }
  }

  /** The server's report on its last scheduler listing. */
  get status(): QueueStatus | null {
    return this._status;
  }

  /** The last failed request (server unreachable, 5xx...); null after success. */
  get error(): HPCApiError | null {
    return this._error;
  }

  /** The version of the shown data; sent as `since` on the next poll. */
  get version(): number | null {
    return this._version;
  }

  /**
   * Seconds since the shown data was fetched from the scheduler, on the
   * server's clock; null when there is no data yet.
   */
  dataAge(nowMs: number = Date.now()): number | null {
    const fetchedAt = this._status?.fetched_at;
    if (fetchedAt === null || fetchedAt === undefined) {
      return null;
    }
    return Math.max(0, nowMs / 1000 + this._clockOffset - fetchedAt);
  }

  // -- Scope, filter, sort ---------------------------------------------------

  get scope(): Scope {
    return this._scope;
  }
  set scope(scope: Scope) {
    if (scope === this._scope) {
      return;
    }
    this._scope = scope;
    // Another scope is another listing: forget the data and its version, and
    // drop any answer still on its way for the old scope.
    this._generation++;
    this._inflight = null;
    this._jobs = [];
    this._version = null;
    this._loading = true;
    this._pruneSelection();
    this._emit();
    if (this._visible) {
      void this.refresh();
    }
  }

  get filterText(): string {
    return this._filterText;
  }
  set filterText(text: string) {
    if (text !== this._filterText) {
      this._filterText = text;
      this._emit();
    }
  }

  get stateFilter(): JobState | '' {
    return this._stateFilter;
  }
  set stateFilter(state: JobState | '') {
    if (state !== this._stateFilter) {
      this._stateFilter = state;
      this._emit();
    }
  }

  get sortColumn(): ColumnId {
    return this._sortColumn;
  }
  get sortDirection(): SortDirection {
    return this._sortDirection;
  }

  /** Sort by a column and direction. */
  setSort(column: ColumnId, direction: SortDirection): void {
    if (column !== this._sortColumn || direction !== this._sortDirection) {
      this._sortColumn = column;
      this._sortDirection = direction;
      this._emit();
    }
  }

  /** Sort by a column; the same column again flips the direction. */
  toggleSort(column: ColumnId): void {
    if (column === this._sortColumn) {
      this.setSort(
        column,
        this._sortDirection === 'ascending' ? 'descending' : 'ascending'
      );
    } else {
      this.setSort(column, 'ascending');
    }
  }

  /** Whether the filter hides some jobs. */
  get isFiltered(): boolean {
    return this._filterText.trim() !== '' || this._stateFilter !== '';
  }

  /**
   * The jobs the table shows. All jobs are sorted once per listing and sort
   * order, then filtered: filtering keeps the order, so a keystroke in the
   * filter box costs one pass over the jobs, never a sort.
   */
  get visibleJobs(): readonly Job[] {
    const sorted = this._sortedJobs();
    const memo = this._visibleMemo;
    if (
      memo &&
      memo.sorted === sorted &&
      memo.text === this._filterText &&
      memo.state === this._stateFilter
    ) {
      return memo.result;
    }
    const result = filterJobs(sorted, {
      text: this._filterText,
      state: this._stateFilter
    });
    this._visibleMemo = {
      sorted,
      text: this._filterText,
      state: this._stateFilter,
      result
    };
    return result;
  }

  private _sortedJobs(): Job[] {
    const memo = this._sortMemo;
    if (
      memo &&
      memo.jobs === this._jobs &&
      memo.column === this._sortColumn &&
      memo.direction === this._sortDirection
    ) {
      return memo.result;
    }
    const result = sortJobs(this._jobs, this._sortColumn, this._sortDirection);
    this._sortMemo = {
      jobs: this._jobs,
      column: this._sortColumn,
      direction: this._sortDirection,
      result
    };
    return result;
  }

  /** How many of all the jobs are in each state (for the state filter). */
  get stateCounts(): ReadonlyMap<JobState, number> {
    if (this._countsMemo?.jobs !== this._jobs) {
      const counts = new Map<JobState, number>();
      for (const job of this._jobs) {
        counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
      }
      this._countsMemo = { jobs: this._jobs, counts };
    }
    return this._countsMemo.counts;
  }

  // -- Columns and settings --------------------------------------------------

  /** The column ids the table shows, in table order. */
  get columns(): readonly ColumnId[] {
    return this._columns;
  }
  set columns(ids: readonly string[]) {
    const next = normalizeColumns(ids);
    if (next.join() !== this._columns.join()) {
      this._columns = next;
      this._emit();
    }
  }

  /** Whether actions ask for confirmation first. */
  confirmActions = true;

  /**
   * The job this Jupyter server runs in (the session plugin tells): its row is
   * marked, and cancelling it asks twice.
   */
  get sessionJobId(): string | null {
    return this._sessionJobId;
  }
  set sessionJobId(jobId: string | null) {
    if (jobId !== this._sessionJobId) {
      this._sessionJobId = jobId;
      this._emit();
    }
  }

  /** The poll interval the settings ask for, in seconds. */
  get refreshInterval(): number {
    return this._refreshInterval;
  }
  set refreshInterval(seconds: number) {
    if (!(seconds > 0) || seconds === this._refreshInterval) {
      return;
    }
    this._refreshInterval = seconds;
    if (this._visible && !this._isDisposed && this.schedulerAvailable) {
      void this._poll.refresh(); // then the new cadence
    }
  }

  /**
   * The interval actually used (before jitter): the setting, never under the
   * server's floor, nor under the interval the server keeps between listings
   * when they are slow (`status.min_interval`).
   */
  get effectiveInterval(): number {
    return baseInterval(this._cadence());
  }

  /** Milliseconds until the next poll, as last chosen (jitter and backoff in). */
  get nextDelay(): number {
    return this._poll.delay;
  }

  // -- Selection -------------------------------------------------------------

  /** The selected job ids (kept while the jobs exist). */
  get selection(): ReadonlySet<string> {
    return this._selection;
  }

  /** Replace the selection. */
  select(ids: Iterable<string>): void {
    const next = new Set<string>();
    const known = this._jobIds();
    for (const id of ids) {
      if (known.has(id)) {
        next.add(id);
      }
    }
    if (!sameSet(next, this._selection)) {
      this._selection = next;
      this._emit();
    }
  }

  /** Add or remove one job from the selection. */
  toggleSelected(id: string): void {
    const next = new Set(this._selection);
    if (next.has(id)) {
      next.delete(id);
    } else {
      next.add(id);
    }
    this.select(next);
  }

  clearSelection(): void {
    this.select([]);
  }

  /**
   * Select a job (e.g. one just submitted) and ask the view to scroll it into
   * view. A job the listing does not have yet is selected when a later poll
   * brings it (for `SELECT_WAIT_MS`); a filter that hides it is cleared.
   *
   * @returns whether the job is selected now.
   */
  async selectJob(jobId: string): Promise<boolean> {
    this._wanted = { jobId, until: Date.now() + SELECT_WAIT_MS };
    if (this._revealWanted()) {
      return true;
    }
    await this.refresh();
    return this._revealWanted();
  }

  /** The last job `selectJob` revealed; `token` changes with each request. */
  get revealRequest(): { jobId: string; token: number } | null {
    return this._reveal;
  }

  private _revealWanted(): boolean {
    const wanted = this._wanted;
    if (!wanted) {
      return false;
    }
    if (Date.now() > wanted.until) {
      this._wanted = null;
      return false;
    }
    // An array job is listed by task: select them all.
    const ids = this._jobs
      .filter(
        job => job.id === wanted.jobId || job.array_job_id === wanted.jobId
      )
      .map(job => job.id);
    if (ids.length === 0) {
      return false;
    }
    this._wanted = null;
    const shown = new Set(this.visibleJobs.map(job => job.id));
    if (!ids.some(id => shown.has(id))) {
      this._filterText = '';
      this._stateFilter = '';
    }
    this._selection = new Set(ids);
    this._reveal = { jobId: ids[0], token: (this._reveal?.token ?? 0) + 1 };
    this._emit();
    return true;
  }

  /**
   * The selected jobs the table shows, in table order: what the actions act
   * on, so a filter never lets an action hit a job the user cannot see.
   */
  get selectedIds(): string[] {
    if (this._selection.size === 0) {
      return [];
    }
    return this.visibleJobs
      .filter(job => this._selection.has(job.id))
      .map(job => job.id);
  }

  // -- Server calls ----------------------------------------------------------

  /** Fetch now. Never throws: failures land in `error`. */
  refresh(): Promise<void> {
    if (this._capabilities && !this._capabilities.scheduler.available) {
      // Asked by a person: look for a batch system again.
      this._capabilities = null;
    }
    return this._update();
  }

  /**
   * Run an action on jobs and refresh the listing.
   *
   * @returns one result per job; throws `HPCApiError` when the server refused
   * the whole request (bad id, no batch system...).
   */
  async performAction(
    action: JobAction,
    ids: string[]
  ): Promise<ActionResult[]> {
    const results = await this._api.jobAction(action, ids);
    this._actionPerformed.emit({ action, results });
    void this.refresh();
    return results;
  }

  /** Emitted after each action with the scheduler's answers (whoever asked). */
  get actionPerformed(): ISignal<this, QueueModel.IActionDone> {
    return this._actionPerformed;
  }

  /** Tell the model whether its panel is shown; a hidden panel does not poll. */
  setVisible(visible: boolean): void {
    if (visible === this._visible) {
      return;
    }
    this._visible = visible;
    if (visible && !this._isDisposed && this.schedulerAvailable) {
      // Fresh data as soon as the panel opens, then the usual cadence.
      void this._poll.refresh();
    }
  }

  get isVisible(): boolean {
    return this._visible;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  // -- Private ---------------------------------------------------------------

  /** The setting and the server's floors, in seconds. */
  private _cadence(): { setting: number; floor: number } {
    return {
      setting: this._refreshInterval,
      floor: Math.max(
        this._capabilities?.poll_interval_floor ?? 0,
        this._status?.min_interval ?? 0
      )
    };
  }

  /**
   * One round of the poll: false on failure so the next waits longer, both
   * when the server cannot be reached and when it reports that the scheduler
   * is failing (then it answers 200 with the last good jobs and the error,
   * which stay on screen; backing off spares a scheduler that is struggling).
   */
  private async _pollOnce(): Promise<boolean> {
    await this._update();
    if (!this.schedulerAvailable) {
      // Nothing to watch; the view says why. No more requests.
      void this._poll.stop();
    }
    return !this._error && (this._status?.ok ?? true);
  }

  /** One update at a time: concurrent callers share the request in flight. */
  private _update(): Promise<void> {
    if (this._isDisposed) {
      return Promise.resolve();
    }
    if (!this._inflight) {
      const pending = this._fetch().finally(() => {
        if (this._inflight === pending) {
          this._inflight = null;
        }
      });
      this._inflight = pending;
    }
    return this._inflight;
  }

  private async _fetch(): Promise<void> {
    const generation = this._generation;
    const stale = () => this._isDisposed || generation !== this._generation;
    try {
      if (!this._capabilities) {
        const capabilities = await this._api.fetchCapabilities();
        if (stale()) {
          return;
        }
        this._capabilities = capabilities;
        if (!capabilities.scheduler.available) {
          this._loading = false;
          this._error = null;
          this._emit();
          return;
        }
        if (this._poll.stopped) {
          void this._poll.start(); // a batch system appeared since
        }
      } else if (!this._capabilities.scheduler.available) {
        return;
      }
      const requestedAt = Date.now();
      const result = await this._api.fetchJobs({
        scope: this._scope,
        since: this._version
      });
      if (stale()) {
        return;
      }
      this._apply(result, requestedAt);
    } catch (error) {
      if (stale()) {
        return;
      }
      // Keep the last good data; the view shows the error and the data's age.
      this._error =
        error instanceof HPCApiError
          ? error
          : new HPCApiError(String(error), 0);
      this._loading = false;
      this._emit();
    }
  }

  private _apply(result: JobsResult, requestedAt: number): void {
    this._error = null;
    this._loading = false;
    this._status = result.status;
    // The server's clock against ours (half the round trip is close enough),
    // so the data's age is right even when the clocks differ.
    const midpoint = (requestedAt + Date.now()) / 2000;
    this._clockOffset = result.status.now - midpoint;
    if (!result.unchanged && result.jobs) {
      this._jobs = result.jobs;
      this._version = result.version;
      this._jobIdsMemo = null;
      this._pruneSelection();
      this._revealWanted();
    } else if (result.unchanged) {
      this._version = result.version;
    }
    this._emit();
    void this.pending?.update(this._waitingOwnIds());
  }

  /** The user's pending and held jobs in the listing. */
  private _waitingOwnIds(): string[] {
    const user = this._capabilities?.user;
    return this._jobs
      .filter(j => isWaiting(j) && (!user || j.user === user))
      .map(j => j.id);
  }

  private _jobIds(): Set<string> {
    if (!this._jobIdsMemo || this._jobIdsMemo.jobs !== this._jobs) {
      this._jobIdsMemo = {
        jobs: this._jobs,
        ids: new Set(this._jobs.map(j => j.id))
      };
    }
    return this._jobIdsMemo.ids;
  }

  /** Forget selected ids whose jobs left the queue. */
  private _pruneSelection(): void {
    if (this._selection.size === 0) {
      return;
    }
    const known = this._jobIds();
    const next = new Set([...this._selection].filter(id => known.has(id)));
    if (next.size !== this._selection.size) {
      this._selection = next;
    }
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _api: IQueueApi;
  private _poll: CadencePoll;
  private _changed = new Signal<this, void>(this);
  private _marks = new RowMarks();
  private _actionPerformed = new Signal<this, QueueModel.IActionDone>(this);
  private _isDisposed = false;
  private _visible: boolean;
  private _loading = true;
  private _capabilities: Capabilities | null = null;
  private _jobs: Job[] = [];
  private _status: QueueStatus | null = null;
  private _error: HPCApiError | null = null;
  private _version: number | null = null;
  private _clockOffset = 0;
  private _scope: Scope;
  private _filterText = '';
  private _stateFilter: JobState | '' = '';
  private _sortColumn: ColumnId = 'id';
  private _sortDirection: SortDirection = 'ascending';
  private _columns: ColumnId[] = [...DEFAULT_COLUMNS];
  private _sessionJobId: string | null = null;
  private _refreshInterval: number;
  private _selection: Set<string> = new Set();
  private _inflight: Promise<void> | null = null;
  private _generation = 0;
  private _sortMemo: {
    jobs: Job[];
    column: ColumnId;
    direction: SortDirection;
    result: Job[];
  } | null = null;
  private _visibleMemo: {
    sorted: Job[];
    text: string;
    state: JobState | '';
    result: Job[];
  } | null = null;
  private _countsMemo: {
    jobs: Job[];
    counts: Map<JobState, number>;
  } | null = null;
  private _jobIdsMemo: { jobs: Job[]; ids: Set<string> } | null = null;
  private _wanted: { jobId: string; until: number } | null = null;
  private _reveal: { jobId: string; token: number } | null = null;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) {
    return false;
  }
  for (const x of a) {
    if (!b.has(x)) {
      return false;
    }
  }
  return true;
}
