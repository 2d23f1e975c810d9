/**
 * The cluster view's state: the server's shared summary, the partitions the
 * person opened and their nodes, and a slow Poll.
 *
 * The Poll asks every `refreshInterval` seconds (the setting), never more often
 * than the server refreshes its shared summary (`refresh_interval` in each
 * answer), stands by while the tab is hidden or the browser tab is in the
 * background, and backs off while requests fail. It sends the version it has,
 * so an unchanged summary costs a few bytes. The nodes of a partition are
 * asked for when it is opened, and again when the summary changes while open.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  CLUSTER_API,
  ClusterStatus,
  ClusterSummary,
  IClusterApi,
  MyShareAnswer,
  NodeInfo
} from './api';

export namespace ClusterModel {
  export interface IOptions {
    api?: IClusterApi;
    /** Seconds between two looks while shown (the setting; default 60). */
    refreshInterval?: number;
    /** Whether the view is shown at first (default true). */
    visible?: boolean;
    /** Start polling at once (default true). */
    autoStart?: boolean;
  }
}

const errorText = (e: unknown): string =>
  e instanceof Error ? e.message : String(e);

/** The longest the Poll waits while requests fail. */
const MAX_BACKOFF_MS = 10 * 60 * 1000;

export class ClusterModel implements IDisposable {
  constructor(options: ClusterModel.IOptions = {}) {
    this._api = options.api ?? CLUSTER_API;
    this._setting = options.refreshInterval ?? 60;
    this._visible = options.visible ?? true;
    this._poll = new Poll({
      auto: false,
      factory: () => this._refresh(),
      frequency: {
        interval: this.interval * 1000,
        backoff: true,
        max: MAX_BACKOFF_MS
      },
      name: 'jupyterlab-hpc:cluster',
      standby: () => (this._visible ? 'when-hidden' : true)
    });
    if (options.autoStart ?? true) {
      void this._poll.start();
    }
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The last summary; null before the first answer. */
  get summary(): ClusterSummary | null {
    return this._summary;
  }

  /** The server's word on its last look at the batch system. */
  get status(): ClusterStatus | null {
    return this._status;
  }

  /** Why the last request failed (the server's sentence); null when it did not. */
  get error(): string | null {
    return this._error;
  }

  /** True until the first answer (or failure). */
  get loading(): boolean {
    return this._loading;
  }

  /** The batch system's kind (`slurm`, `pbs`, `torque`), once known. */
  get kind(): string | null {
    return this._kind;
  }

  /** The setting, in seconds. */
  get refreshInterval(): number {
    return this._setting;
  }
  set refreshInterval(seconds: number) {
    if (seconds > 0 && seconds !== this._setting) {
      this._setting = seconds;
      this._applyInterval();
    }
  }

  /** Seconds between two requests: the setting, never under the server's. */
  get interval(): number {
    return Math.max(this._setting, this._serverInterval);
  }

  /** The view tells the model whether it is shown; hidden means no requests. */
  setVisible(visible: boolean): void {
    if (visible === this._visible) {
      return;
    }
    this._visible = visible;
    if (visible) {
      void this.refresh();
    }
  }

  /**
   * Ask now (the Refresh button, the tab shown again); the server still
   * answers from its shared copy. A failure is kept in `error`, not thrown.
   */
  async refresh(): Promise<void> {
    try {
      await this._refresh();
    } catch {
      // this.error says why; the Poll's own requests back off on it.
    }
  }

  /** The partitions whose nodes are shown. */
  get expanded(): ReadonlySet<string> {
    return this._expanded;
  }

  isExpanded(name: string): boolean {
    return this._expanded.has(name);
  }

  /** Open or close a partition's nodes; opening asks for them. */
  toggle(name: string): Promise<void> {
    if (this._expanded.has(name)) {
      this._expanded.delete(name);
      this._emit();
      return Promise.resolve();
    }
    this._expanded.add(name);
    this._emit();
    return this._loadNodes(name);
  }

  /** The nodes of an open partition; null while they are being asked for. */
  nodes(name: string): NodeInfo[] | null {
    return this._nodes.get(name) ?? null;
  }

  /** Why a partition's nodes could not be had; null when they could. */
  nodesError(name: string): string | null {
    return this._nodesErrors.get(name) ?? null;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _refresh(): Promise<void> {
    const since = this._summary?.version;
    try {
      const answer = await this._api.fetchCluster(since);
      this._error = null;
      this._status = answer.status;
      this._kind = answer.kind;
      if (answer.refresh_interval !== this._serverInterval) {
        this._serverInterval = answer.refresh_interval;
        this._applyInterval();
      }
      if (!answer.unchanged) {
        this._summary = answer;
        const names = new Set(answer.partitions.map(p => p.name));
        for (const name of [...this._expanded]) {
          if (!names.has(name)) {
            this._expanded.delete(name);
            this._nodes.delete(name);
          }
        }
        // The open partitions' nodes follow the summary they belong to.
        void Promise.all([...this._expanded].map(n => this._loadNodes(n)));
      }
      void this._loadShare();
    } catch (e) {
      this._error = errorText(e);
      throw e; // the Poll backs off
    } finally {
      this._loading = false;
      this._emit();
    }
  }

  /**
   * *My share*, at most once per the server's interval for it (5 min): it
   * changes slowly, and the server caches it for every tab.
   */
  private async _loadShare(): Promise<void> {
    const fetchShare = this._api.fetchShare;
    const now = Date.now();
    const every = (this._share?.refresh_interval ?? 300) * 1000;
    if (
      !fetchShare ||
      (this._shareAt !== null && now - this._shareAt < every)
    ) {
      return;
    }
    this._shareAt = now;
    try {
      this._share = await fetchShare();
      this._emit();
    } catch {
      // Keep what was shown; My share is not the tab's main content.
    }
  }

  /** The user's fair-share and allocation; null before the first answer. */
  get share(): MyShareAnswer | null {
    return this._share;
  }

  private async _loadNodes(name: string): Promise<void> {
    try {
      const answer = await this._api.fetchPartitionNodes(name);
      if (this._expanded.has(name)) {
        this._nodes.set(name, answer.nodes);
        this._nodesErrors.delete(name);
      }
    } catch (e) {
      this._nodesErrors.set(name, errorText(e));
    }
    this._emit();
  }

  private _applyInterval(): void {
    this._poll.frequency = {
      ...this._poll.frequency,
      interval: this.interval * 1000
    };
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _api: IClusterApi;
  private _share: MyShareAnswer | null = null;
  private _shareAt: number | null = null;
  private _changed = new Signal<this, void>(this);
  private _error: string | null = null;
  private _expanded = new Set<string>();
  private _isDisposed = false;
  private _kind: string | null = null;
  private _loading = true;
  private _nodes = new Map<string, NodeInfo[]>();
  private _nodesErrors = new Map<string, string>();
  private _poll: Poll;
  private _serverInterval = 0;
  private _setting: number;
  private _status: ClusterStatus | null = null;
  private _summary: ClusterSummary | null = null;
  private _visible: boolean;
}
