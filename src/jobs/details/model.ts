/**
 * One job's details: the record the server sends for `GET jobs/{id}`, kept
 * fresh by a Poll while the job is live (backing off on errors, stopping once
 * the job is final), and its output streams. Actions go through the queue
 * model (see plugin.ts), so the panel and the notifications hear of them.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import * as api from '../api';
import { HPCApiError } from '../../common/request';
import type {
  JobDetail,
  OutputStream,
  PendingExplanation,
  PendingResult
} from '../api';
import { IOutputApi, OutputModel } from './output';
import { isLive } from './timeline';

/** The server calls the model makes; tests pass fakes. */
export interface IDetailsApi extends IOutputApi {
  fetchJobDetail(jobId: string): Promise<JobDetail>;
  /** Why a waiting job waits; absent: not asked. */
  fetchPending?(jobId: string): Promise<PendingResult>;
}

const DEFAULT_API: IDetailsApi = {
  fetchJobDetail: api.fetchJobDetail,
  fetchJobOutput: api.fetchJobOutput,
  fetchPending: api.fetchPending
};

/** One tab of the output section: a stream, or both when they share a file. */
export interface IOutputTab {
  id: OutputStream;
  label: string;
  model: OutputModel;
}

export namespace JobDetailsModel {
  export interface IOptions {
    jobId: string;
    api?: IDetailsApi;
    /** Milliseconds between refreshes of a live job (default 5000). */
    interval?: number;
    /** Options passed to each output stream's model. */
    output?: Partial<OutputModel.IOptions>;
    /** Start at once (default true). */
    autoStart?: boolean;
  }
}

export class JobDetailsModel implements IDisposable {
  constructor(options: JobDetailsModel.IOptions) {
    this.jobId = options.jobId;
    this._api = options.api ?? DEFAULT_API;
    this._outputOptions = options.output ?? {};
    const interval = options.interval ?? 5000;
    this._poll = new Poll({
      auto: false,
      factory: () => this._tick(),
      frequency: { interval, backoff: true, max: 2 * 60 * 1000 },
      name: 'jupyterlab-hpc:job-details',
      // A hidden browser tab asks nothing, not even one more time.
      linger: 0,
      standby: () => (this._visible ? 'when-hidden' : true)
    });
    if (options.autoStart ?? true) {
      void this._poll.start();
    }
  }

  readonly jobId: string;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The last answer; kept while a refresh fails. */
  get detail(): JobDetail | null {
    return this._detail;
  }

  /** True until the first answer (or failure). */
  get loading(): boolean {
    return this._detail === null && this._error === null;
  }

  /** The last failure; null after a success. */
  get error(): HPCApiError | null {
    return this._error;
  }

  /** Whether the job may still change (so the model keeps polling). */
  get live(): boolean {
    return this._detail ? isLive(this._detail.job.state) : true;
  }

  /**
   * Why the job waits and when it is expected to start, while it is pending
   * or held (asked at most once per the server's interval); null otherwise.
   */
  get pending(): PendingExplanation | null {
    return this._pending;
  }

  /** When the shown record was fetched (ms since the epoch). */
  get fetchedAt(): number | null {
    return this._fetchedAt;
  }

  /**
   * The output tabs: stdout and stderr, or one tab when both go to the same
   * file (Slurm's default). Empty until the job's record is known.
   */
  get outputs(): readonly IOutputTab[] {
    return this._outputs;
  }

  /** Tell the model whether its widget is shown; a hidden one does not poll. */
  setVisible(visible: boolean): void {
    if (visible === this._visible) {
      return;
    }
    this._visible = visible;
    for (const tab of this._outputs) {
      tab.model.setActive(visible && tab.id === this._activeTab);
    }
    if (visible && this.live && !this._isDisposed) {
      void this._poll.refresh();
    }
  }

  /** The output tab shown. */
  get activeTab(): OutputStream {
    return this._activeTab;
  }
  set activeTab(id: OutputStream) {
    if (id === this._activeTab) {
      return;
    }
    this._activeTab = id;
    for (const tab of this._outputs) {
      tab.model.setActive(this._visible && tab.id === id);
    }
    this._emit();
  }

  /** Fetch now. Never throws: failures land in `error`. */
  async refresh(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    try {
      const detail = await this._api.fetchJobDetail(this.jobId);
      if (this._isDisposed) {
        return;
      }
      this._apply(detail);
    } catch (error) {
      if (this._isDisposed) {
        return;
      }
      this._error =
        error instanceof HPCApiError
          ? error
          : new HPCApiError(String(error), 0);
      this._emit();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    for (const tab of this._outputs) {
      tab.model.dispose();
    }
    Signal.clearData(this);
  }

  // -- Private ---------------------------------------------------------------

  private async _tick(): Promise<void> {
    await this.refresh();
    if (this._error) {
      // Gone, a bad id, or another user's job the batch system will not show
      // (403, Torque's query_other_jobs off): asking again changes nothing.
      if ([400, 403, 404].includes(this._error.status)) {
        void this._poll.stop();
        return;
      }
      throw this._error; // back off
    }
    if (!this.live) {
      void this._poll.stop();
    }
  }

  private _apply(detail: JobDetail): void {
    this._detail = detail;
    this._error = null;
    this._fetchedAt = Date.now();
    this._ensureOutputs(detail);
    const live = isLive(detail.job.state);
    for (const tab of this._outputs) {
      tab.model.jobLive = live;
    }
    this._emit();
    void this._updatePending(detail);
  }

  /** Ask why a waiting job waits, once per the server's interval. */
  private async _updatePending(detail: JobDetail): Promise<void> {
    const state = detail.job.state;
    const fetchPending = this._api.fetchPending;
    if ((state !== 'pending' && state !== 'held') || !fetchPending) {
      if (this._pending) {
        this._pending = null;
        this._emit();
      }
      return;
    }
    const now = Date.now();
    if (
      this._pendingInflight ||
      (this._pendingAt !== null &&
        now - this._pendingAt < this._pendingInterval * 1000)
    ) {
      return;
    }
    this._pendingAt = now;
    this._pendingInflight = true;
    try {
      const answer = await fetchPending(this.jobId);
      if (this._isDisposed) {
        return;
      }
      this._pendingInterval = Math.max(answer.refresh_interval, 5);
      this._pending = answer.jobs.find(j => j.job_id === this.jobId) ?? null;
      this._emit();
    } catch {
      // Keep what was shown; the record's reason stays in the timeline.
    } finally {
      this._pendingInflight = false;
    }
  }

  /** Create the stream models once the paths are known. */
  private _ensureOutputs(detail: JobDetail): void {
    if (this._outputs.length > 0) {
      return;
    }
    const { stdout_path: out, stderr_path: err } = detail.job;
    const make = (stream: OutputStream) =>
      new OutputModel({
        ...this._outputOptions,
        jobId: this.jobId,
        stream,
        api: this._api,
        jobLive: isLive(detail.job.state)
      });
    const tabs: IOutputTab[] = [];
    if (!err || err === out) {
      tabs.push({ id: 'stdout', label: 'Output', model: make('stdout') });
    } else {
      tabs.push({ id: 'stdout', label: 'stdout', model: make('stdout') });
      tabs.push({ id: 'stderr', label: 'stderr', model: make('stderr') });
    }
    this._outputs = tabs;
    for (const tab of tabs) {
      tab.model.setActive(this._visible && tab.id === this._activeTab);
      tab.model.changed.connect(this._emit, this);
    }
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _api: IDetailsApi;
  private _outputOptions: Partial<OutputModel.IOptions>;
  private _poll: Poll;
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _visible = true;
  private _detail: JobDetail | null = null;
  private _error: HPCApiError | null = null;
  private _fetchedAt: number | null = null;
  private _outputs: IOutputTab[] = [];
  private _activeTab: OutputStream = 'stdout';
  private _pending: PendingExplanation | null = null;
  private _pendingAt: number | null = null;
  private _pendingInterval = 60;
  private _pendingInflight = false;
}
