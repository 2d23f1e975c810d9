/**
 * What the submit tab shows beside its partition field: what is free in the
 * chosen partition now, and, on Slurm, when the job would start
 * (`sbatch --test-only`, the request the tab's Check sends).
 *
 * The free figures come from `GET cluster`, the server's shared summary (no
 * new load at the batch system: the server asks it at most once per its
 * refresh interval for every tab together), read once per that interval while
 * the tab is shown. The estimate is asked again, after `delay` ms of quiet,
 * when the script, the options or the summary's version change, never while
 * a check or submission is on its way and never more often than `minGap`.
 * PBS and Torque have no test submission: free figures only.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import type {
  ClusterAnswer,
  ClusterSummary,
  PartitionSummary
} from '../../cluster/api';
import { HPCApiError } from '../../common/request';
import type { SubmitOptions, SubmitResult } from '../api';
import type { SubmitModel } from './model';

export interface IAvailabilityApi {
  fetchCluster(since?: number): Promise<ClusterAnswer>;
  submitJob(
    script: string,
    options: SubmitOptions,
    testOnly: boolean
  ): Promise<SubmitResult>;
}

export namespace SubmitAvailability {
  export interface IOptions {
    model: SubmitModel;
    api: IAvailabilityApi;
    /** Quiet time before an estimate, ms (default 1500). */
    delay?: number;
    /** At least this long between two estimates, ms (default 5000). */
    minGap?: number;
    /** Start reading the summary at once (default true). */
    autoStart?: boolean;
  }
}

export class SubmitAvailability {
  constructor(options: SubmitAvailability.IOptions) {
    this._model = options.model;
    this._api = options.api;
    this._delay = options.delay ?? 1500;
    this._minGap = options.minGap ?? 5000;
    this._poll = new Poll({
      auto: false,
      factory: () => this._readCluster(),
      frequency: { interval: 60_000, backoff: true, max: 10 * 60_000 },
      name: 'jupyterlab-hpc:submit-availability',
      linger: 0,
      standby: () => (this._visible ? 'when-hidden' : true)
    });
    this._model.changed.connect(this._onModelChanged, this);
    if (options.autoStart ?? true) {
      void this._poll.start();
    }
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The chosen partition (or the default one) in the shared summary. */
  get partition(): PartitionSummary | undefined {
    const name =
      this._model.fieldValue('partition') || this._model.defaultPartition;
    return this._summary?.partitions.find(p => p.name === name);
  }

  /** The last test submission's answer; null before one or after a change. */
  get estimate(): SubmitResult | null {
    return this._estimate;
  }

  /** Why the last test submission failed (the batch system's words). */
  get estimateError(): string | null {
    return this._estimateError;
  }

  /** An estimate is on its way or waiting for quiet. */
  get estimating(): boolean {
    return this._timer !== null || this._inflight;
  }

  /** How many test submissions it sent (for tests). */
  get estimates(): number {
    return this._count;
  }

  /** Whether there is a test submission at all (Slurm). */
  get canEstimate(): boolean {
    return this._model.kind === 'slurm';
  }

  setVisible(visible: boolean): void {
    if (visible === this._visible) {
      return;
    }
    this._visible = visible;
    if (visible && !this._disposed) {
      void this._poll.refresh();
      this._schedule();
    }
  }

  /** Read the summary now (the Poll does it once per refresh interval). */
  refresh(): Promise<void> {
    return this._readCluster();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll.dispose();
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    Signal.clearData(this);
  }

  private async _readCluster(): Promise<void> {
    const answer = await this._api.fetchCluster(this._summary?.version);
    if (this._disposed) {
      return;
    }
    const interval = Math.max(answer.refresh_interval, 5) * 1000;
    if (this._poll.frequency.interval !== interval) {
      this._poll.frequency = { ...this._poll.frequency, interval };
    }
    if (!answer.unchanged) {
      this._summary = answer;
      this._changed.emit();
      this._schedule(); // resources changed: the estimate may have too
    }
  }

  private _onModelChanged(): void {
    const key = this._requestKey();
    if (key !== this._lastKey) {
      this._estimate = null;
      this._estimateError = null;
      this._schedule();
      this._changed.emit();
    }
  }

  private _requestKey(): string {
    return JSON.stringify([this._model.script, this._model.requestOptions()]);
  }

  private _schedule(): void {
    if (this._disposed || !this._visible || !this.canEstimate) {
      return;
    }
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    const since = Date.now() - this._lastAt;
    const wait = Math.max(this._delay, this._minGap - since);
    this._timer = setTimeout(() => {
      this._timer = null;
      void this._estimateNow();
    }, wait);
  }

  private async _estimateNow(): Promise<void> {
    const key = this._requestKey();
    const version = this._summary?.version ?? null;
    if (
      this._inflight ||
      !this.canEstimate ||
      this._model.phase !== 'idle' ||
      !this._model.script.trim()
    ) {
      return;
    }
    if (key === this._lastKey && version === this._lastVersion) {
      return; // nothing changed since the last estimate
    }
    this._inflight = true;
    this._lastAt = Date.now();
    this._count += 1;
    this._changed.emit();
    try {
      const result = await this._api.submitJob(
        this._model.script,
        this._model.requestOptions(),
        true
      );
      this._estimate = result;
      this._estimateError = null;
    } catch (error) {
      this._estimate = null;
      this._estimateError =
        error instanceof HPCApiError ? error.message : String(error);
    } finally {
      this._inflight = false;
      this._lastKey = key;
      this._lastVersion = version;
    }
    if (!this._disposed) {
      this._changed.emit();
      if (this._requestKey() !== key) {
        this._schedule(); // edited while it was asked
      }
    }
  }

  private _model: SubmitModel;
  private _api: IAvailabilityApi;
  private _delay: number;
  private _minGap: number;
  private _poll: Poll;
  private _visible = true;
  private _disposed = false;
  private _summary: ClusterSummary | null = null;
  private _estimate: SubmitResult | null = null;
  private _estimateError: string | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _inflight = false;
  private _lastKey: string | null = null;
  private _lastVersion: number | null = null;
  private _lastAt = 0;
  private _count = 0;
  private _changed = new Signal<this, void>(this);
}
