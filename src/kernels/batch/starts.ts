/**
 * Watches notebooks' (and consoles') kernels for kernels in batch jobs: while
 * one starts, what its job does (submitted, pending and why, starting), with
 * Cancel; once the job ended it, why. Reads the server's `batch-kernels`
 * only while a kernel starts, and once when a kernel dies.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  IBatchKernelStatus,
  cancelBatchKernel,
  fetchBatchKernel,
  listBatchKernels
} from './api';
import { STARTING_PHASES } from './words';

/** What is read of a notebook's session context (`ISessionContext`). */
export interface IWatchedSession {
  /** The document's path, relative to the server's root. */
  readonly path: string;
  readonly kernelDisplayStatus: string;
  readonly statusChanged: ISignal<unknown, string>;
  readonly disposed: ISignal<unknown, void>;
  readonly session: { readonly kernel: { readonly id: string } | null } | null;
}

/** The server calls; tests pass their own. */
export interface IBatchKernelsApi {
  list(): Promise<IBatchKernelStatus[]>;
  get(kernelId: string): Promise<IBatchKernelStatus>;
  cancel(kernelId: string): Promise<void>;
}

const DEFAULT_API: IBatchKernelsApi = {
  list: listBatchKernels,
  get: fetchBatchKernel,
  cancel: cancelBatchKernel
};

/** How one start, or one end, is shown (notifications in the Lab). */
export interface IBatchKernelView {
  /** The start under way, shown or updated; `cancel` ends it. */
  starting(status: IBatchKernelStatus, cancel: () => void): void;
  /** The kernel runs: the start is over. */
  running(status: IBatchKernelStatus): void;
  /** The start is over without a kernel (JupyterLab shows why) or was not a batch kernel's. */
  close(): void;
  /** The job ended the kernel: why. */
  ended(status: IBatchKernelStatus): void;
  /** Cancel could not be done. */
  failed(message: string): void;
}

/** Statuses of a session context while a kernel starts. */
const STARTING_STATUSES = ['starting', 'restarting', 'initializing'];

export interface IBatchKernelStartsOptions {
  view: () => IBatchKernelView;
  api?: IBatchKernelsApi;
  /** Milliseconds between two looks while a kernel starts. */
  interval?: number;
  /** Looks without a batch kernel for the document before a start is taken for a local kernel's. */
  patience?: number;
}

export class BatchKernelStarts implements IDisposable {
  constructor(options: IBatchKernelStartsOptions) {
    this._view = options.view;
    this._api = options.api ?? DEFAULT_API;
    this._interval = options.interval ?? 1500;
    this._patience = options.patience ?? 3;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Follow a session context (once; a second call does nothing). */
  watch(session: IWatchedSession): void {
    if (this._isDisposed || this._watched.has(session)) {
      return;
    }
    const watch = new SessionWatch(session, this);
    this._watched.set(session, watch);
    session.disposed.connect(() => {
      watch.dispose();
      this._watched.delete(session);
    });
  }

  /** Emitted when a followed batch kernel starts running or ends. */
  get kernelsChanged(): ISignal<this, void> {
    return this._kernelsChanged;
  }

  /** @internal */
  _noteChange(): void {
    this._kernelsChanged.emit();
  }

  /** How many session contexts are followed. */
  get watching(): number {
    return this._watched.size;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const watch of this._watched.values()) {
      watch.dispose();
    }
    this._watched.clear();
  }

  /** @internal */
  readonly _view: () => IBatchKernelView;
  /** @internal */
  readonly _api: IBatchKernelsApi;
  /** @internal */
  readonly _interval: number;
  /** @internal */
  readonly _patience: number;
  private _isDisposed = false;
  private _watched = new Map<IWatchedSession, SessionWatch>();
  private _kernelsChanged = new Signal<this, void>(this);
}

/** One session context: at most one start followed at a time. */
class SessionWatch {
  constructor(
    readonly session: IWatchedSession,
    readonly owner: BatchKernelStarts
  ) {
    session.statusChanged.connect(this._onStatus, this);
    this._noteKernel();
    if (STARTING_STATUSES.includes(session.kernelDisplayStatus)) {
      this._begin();
    }
  }

  dispose(): void {
    this._disposed = true;
    this.session.statusChanged.disconnect(this._onStatus, this);
    this._stop();
  }

  private _noteKernel(): void {
    const id = this.session.session?.kernel?.id;
    if (id) {
      this._kernelId = id;
    }
  }

  private _onStatus(_: unknown, status: string): void {
    this._noteKernel();
    if (STARTING_STATUSES.includes(status)) {
      this._begin();
    } else if (status === 'dead') {
      void this._ended(this._kernelId);
    }
  }

  private _begin(): void {
    if (this._timer !== null || this._busy || this._disposed) {
      return;
    }
    this._began = Date.now() / 1000;
    this._misses = 0;
    this._shown = '';
    this._view = null;
    this._schedule(this.owner._interval / 3);
  }

  private _schedule(delay: number): void {
    this._timer = setTimeout(() => {
      this._timer = null;
      void this._look();
    }, delay);
  }

  private _stop(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /** The batch kernel of this document started since the start began, if any. */
  private _mine(all: IBatchKernelStatus[]): IBatchKernelStatus | null {
    const since = this._began - 5;
    const found = all
      .filter(
        k => k.path === this.session.path && (k.submitted ?? k.updated) >= since
      )
      .sort((a, b) => b.updated - a.updated);
    return found[0] ?? null;
  }

  private async _look(): Promise<void> {
    if (this._disposed) {
      return;
    }
    this._busy = true;
    let status: IBatchKernelStatus | null = null;
    let reached = true;
    try {
      status = this._mine(await this.owner._api.list());
    } catch {
      reached = false; // the server did not answer: look again
    } finally {
      this._busy = false;
    }
    if (this._disposed) {
      return;
    }
    if (status === null) {
      this._misses += reached ? 1 : 0;
      const starting = STARTING_STATUSES.includes(
        this.session.kernelDisplayStatus
      );
      if (!starting && this._misses >= this.owner._patience) {
        this._view?.close();
        this._view = null;
        return; // a local kernel's start, or it is over
      }
      this._schedule(this.owner._interval);
      return;
    }
    const view = (this._view ??= this.owner._view());
    if (STARTING_PHASES.includes(status.phase)) {
      const key = JSON.stringify([
        status.phase,
        status.job_id,
        status.reason,
        status.expected_start,
        status.node
      ]);
      if (key !== this._shown) {
        this._shown = key;
        const kernelId = status.kernel_id;
        view.starting(status, () => void this._cancel(kernelId, view));
      }
      this._schedule(this.owner._interval);
      return;
    }
    this._kernelId = status.kernel_id;
    if (status.phase === 'running') {
      view.running(status);
      this.owner._noteChange();
    } else {
      view.close();
    }
    this._view = null;
  }

  private async _cancel(
    kernelId: string,
    view: IBatchKernelView
  ): Promise<void> {
    try {
      await this.owner._api.cancel(kernelId);
    } catch (error) {
      view.failed(error instanceof Error ? error.message : String(error));
    }
  }

  private async _ended(kernelId: string): Promise<void> {
    if (!kernelId) {
      return;
    }
    let status: IBatchKernelStatus;
    try {
      status = await this.owner._api.get(kernelId);
    } catch {
      return; // not a batch kernel (404), or the server is gone
    }
    this.owner._noteChange();
    if (
      !this._disposed &&
      status.phase === 'ended' &&
      status.unexpected &&
      status.message
    ) {
      this.owner._view().ended(status);
    }
  }

  private _disposed = false;
  private _busy = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _began = 0;
  private _misses = 0;
  private _shown = '';
  private _kernelId = '';
  private _view: IBatchKernelView | null = null;
}
