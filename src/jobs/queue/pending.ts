/**
 * The explanations of the user's waiting jobs for the queue panel. It asks
 * `GET jobs/pending` only when the panel's listing shows the user has waiting
 * jobs, at most once per the server's `refresh_interval` (60 s by default),
 * or sooner (not under `minGap`) when a waiting job appears that it has no
 * explanation of. It has no timer of its own: the queue model calls `update`
 * after each listing, and the queue's Poll stands by while the panel or the
 * browser tab is hidden, so a hidden panel asks nothing.
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { PendingExplanation, PendingResult } from '../api';

export namespace PendingModel {
  export interface IOptions {
    fetchPending: () => Promise<PendingResult>;
    /** Milliseconds at least between two requests (default 10 s). */
    minGap?: number;
    /** For tests: the clock in milliseconds. */
    now?: () => number;
  }
}

export class PendingModel {
  constructor(options: PendingModel.IOptions) {
    this._fetch = options.fetchPending;
    this._minGap = options.minGap ?? 10_000;
    this._now = options.now ?? Date.now;
  }

  /** Emitted when the explanations change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The explanation of a job, if the last answer had one. */
  get(jobId: string): PendingExplanation | undefined {
    return this._byId.get(jobId);
  }

  /** How many requests it made (for tests). */
  get requests(): number {
    return this._requests;
  }

  /**
   * The listing shows these waiting jobs of the user: ask the server when it
   * is time. Resolves when the request (if any) is done.
   */
  async update(waitingIds: readonly string[]): Promise<void> {
    if (waitingIds.length === 0) {
      if (this._byId.size) {
        this._byId = new Map();
        this._changed.emit();
      }
      return;
    }
    if (this._inflight) {
      return;
    }
    const now = this._now();
    const since = this._last === null ? Infinity : now - this._last;
    const unexplained = waitingIds.some(id => !this._byId.has(id));
    const due =
      since >= this._interval * 1000 || (unexplained && since >= this._minGap);
    if (!due) {
      return;
    }
    this._last = now;
    this._requests += 1;
    this._inflight = true;
    try {
      const answer = await this._fetch();
      this._interval = Math.max(answer.refresh_interval, 5);
      this._byId = new Map(answer.jobs.map(j => [j.job_id, j]));
      this._changed.emit();
    } catch {
      // Keep the last explanations; the listing's reasons still show.
    } finally {
      this._inflight = false;
    }
  }

  private _fetch: () => Promise<PendingResult>;
  private _minGap: number;
  private _now: () => number;
  private _interval = 60;
  private _last: number | null = null;
  private _inflight = false;
  private _requests = 0;
  private _byId = new Map<string, PendingExplanation>();
  private _changed = new Signal<this, void>(this);
}
