/**
 * The session job's state: a Poll of `GET session` (every `refresh` seconds
 * the server names, 30 by default; the server shares one batch-system query
 * per interval among all tabs), a countdown between answers, and the warnings
 * due (each once), emitted as `warning` for the plugin to announce.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { SessionAnswer, SessionJob, fetchSession } from './api';
import { dueTimeWarning, memoryWarningDue } from './figures';

export type SessionWarning =
  | { kind: 'time'; minutes: number; secondsLeft: number; job: SessionJob }
  | { kind: 'memory'; threshold: number; job: SessionJob };

export interface ISessionModelOptions {
  fetch?: () => Promise<SessionAnswer>;
  /** Milliseconds since the epoch; `Date.now` by default. */
  now?: () => number;
  /** Seconds between two redraws of the countdown. */
  tick?: number;
}

/** The longest wait between two requests while they fail. */
const MAX_BACKOFF = 300;

export class SessionModel {
  constructor(options: ISessionModelOptions = {}) {
    this._fetch = options.fetch ?? fetchSession;
    this._now = options.now ?? Date.now;
    this._poll = new Poll({
      auto: false,
      factory: () => this.refresh(),
      frequency: {
        interval: 30 * 1000,
        backoff: true,
        max: MAX_BACKOFF * 1000
      },
      standby: 'never'
    });
    this._tick = new Poll({
      auto: false,
      factory: async () => this._update(),
      frequency: { interval: (options.tick ?? 15) * 1000, backoff: false },
      standby: 'never'
    });
  }

  /** The session job; null when the server runs in none (or not known yet). */
  get job(): SessionJob | null {
    return this._job;
  }

  /** Why there is no session job, from the server. */
  get message(): string {
    return this._message;
  }

  /** The last request's error, '' after a good answer. */
  get error(): string {
    return this._error;
  }

  /** Emitted on every new answer and every tick of the countdown. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** A warning that is due, once each. */
  get warning(): ISignal<this, SessionWarning> {
    return this._warning;
  }

  /** Minutes before the end at which to warn (the setting). */
  get timeThresholds(): number[] {
    return this._thresholds;
  }
  set timeThresholds(minutes: number[]) {
    this._thresholds = [...minutes];
    this._update();
  }

  /** The share of the memory limit (0..1) past which to warn (the setting). */
  get memoryThreshold(): number {
    return this._memoryThreshold;
  }
  set memoryThreshold(share: number) {
    this._memoryThreshold = share;
    this._update();
  }

  /** Seconds left now: the last answer's, counted down since. */
  secondsLeft(): number | null {
    const left = this._job?.seconds_left;
    if (left === null || left === undefined) {
      return null;
    }
    return Math.max(0, left - (this._now() - this._receivedAt) / 1000);
  }

  /** The server's clock now (epoch seconds), for the age of a measure. */
  serverNow(): number {
    return this._serverNow + (this._now() - this._receivedAt) / 1000;
  }

  /** Start asking; the first answer at once. */
  start(): void {
    void this._poll.start();
    void this._tick.start();
  }

  async refresh(): Promise<void> {
    let answer: SessionAnswer;
    try {
      answer = await this._fetch();
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
      this._changed.emit();
      throw e; // the Poll backs off
    }
    this._error = '';
    this._receivedAt = this._now();
    this._serverNow = answer.now ?? this._receivedAt / 1000;
    this._job = answer.job;
    this._message = answer.message ?? '';
    if (answer.job === null) {
      // No job now means none later: the environment does not change.
      this.dispose();
      this._changed.emit();
      return;
    }
    if (
      answer.refresh &&
      answer.refresh * 1000 !== this._poll.frequency.interval
    ) {
      this._poll.frequency = {
        ...this._poll.frequency,
        interval: answer.refresh * 1000
      };
    }
    this._update();
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  dispose(): void {
    this._poll.dispose();
    this._tick.dispose();
  }

  private _update(): void {
    const job = this._job;
    if (job) {
      const left = this.secondsLeft();
      const minutes = dueTimeWarning(left, this._thresholds, this._announced);
      if (minutes !== null && left !== null) {
        this._warning.emit({ kind: 'time', minutes, secondsLeft: left, job });
      }
      if (
        !this._memoryAnnounced &&
        memoryWarningDue(job, this._memoryThreshold)
      ) {
        this._memoryAnnounced = true;
        this._warning.emit({
          kind: 'memory',
          threshold: this._memoryThreshold,
          job
        });
      }
    }
    this._changed.emit();
  }

  private _fetch: () => Promise<SessionAnswer>;
  private _now: () => number;
  private _poll: Poll;
  private _tick: Poll;
  private _job: SessionJob | null = null;
  private _message = '';
  private _error = '';
  private _receivedAt = 0;
  private _serverNow = 0;
  private _thresholds: number[] = [15, 5];
  private _memoryThreshold = 0.9;
  private _announced = new Set<number>();
  private _memoryAnnounced = false;
  private _changed = new Signal<this, void>(this);
  private _warning = new Signal<this, SessionWarning>(this);
}
