/**
 * When the job feature's next request goes: one rule for the queue listing and
 * for the background job watcher (issue 17).
 *
 * - The base is the user's setting, never under the server's floor: the
 *   admin's `poll_interval_floor`, raised by the server when a listing is slow
 *   (`min_interval`, twenty times the last listing's duration).
 * - Jitter spreads the polls of many users instead of letting them hit the
 *   scheduler together. When the setting governs it takes up to 10 % off it
 *   (never under the floor): nothing gets less fresh than the setting says.
 *   When a floor governs it adds up to 10 % above the floor.
 * - Each consecutive failure doubles the base, up to 2 minutes (or the base
 *   when that is longer), drawn from the upper quarter of that range.
 * - Nothing runs while the browser tab is hidden (`linger: 0`: not even one
 *   more round), and a tab shown again after longer than one interval asks at
 *   once.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';

/** The share of the interval the jitter may move a poll by. */
export const JITTER = 0.1;

/** Backing off after errors stops growing here (seconds). */
export const MAX_BACKOFF = 120;

export interface ICadence {
  /** Seconds between polls that the user's setting asks for. */
  setting: number;
  /** Seconds the server holds to at least (the admin's floor, a slow listing). */
  floor: number;
  /** Consecutive failed rounds. */
  errors: number;
}

/** The interval before jitter and backoff: the setting, never under the floor. */
export function baseInterval(cadence: Omit<ICadence, 'errors'>): number {
  return Math.max(cadence.setting, cadence.floor);
}

/**
 * Milliseconds until the next round. `random` gives numbers in [0, 1).
 */
export function nextDelay(
  cadence: ICadence,
  random: () => number = Math.random
): number {
  const { setting, floor, errors } = cadence;
  const base = baseInterval(cadence);
  let seconds: number;
  if (errors > 0) {
    const cap = Math.max(MAX_BACKOFF, base);
    const grown = Math.min(cap, base * 2 ** Math.min(errors, 20));
    seconds = Math.max(base, grown * (1 - 0.25 * random()));
  } else if (setting > floor) {
    seconds = Math.max(floor, setting * (1 - JITTER * random()));
  } else {
    seconds = floor * (1 + JITTER * random());
  }
  return Math.max(1, Math.round(seconds * 1000));
}

export namespace CadencePoll {
  export interface IOptions {
    /** The Poll's name (for debugging). */
    name: string;
    /** One round; resolves false (or rejects) when it failed: the next waits longer. */
    task: () => Promise<boolean>;
    /** The setting and the floor now, in seconds. */
    cadence: () => Omit<ICadence, 'errors'>;
    /** Whether anything needs the rounds now; otherwise the poll stands by. */
    active: () => boolean;
    /** For tests: numbers in [0, 1). */
    random?: () => number;
  }
}

/**
 * A `@lumino/polling` Poll whose every interval is `nextDelay`'s, and which
 * stands by while it is not active or the browser tab is hidden.
 */
export class CadencePoll implements IDisposable {
  constructor(options: CadencePoll.IOptions) {
    this._task = options.task;
    this._cadence = options.cadence;
    this._active = options.active;
    this._random = options.random ?? Math.random;
    const first = nextDelay({ ...this._cadence(), errors: 0 }, this._random);
    this._delay = first;
    this._poll = new Poll({
      auto: false,
      factory: () => this._round(),
      frequency: { interval: first, backoff: false, max: first },
      // A hidden tab stands by at once, without one more round.
      linger: 0,
      name: options.name,
      standby: () => (this._active() ? 'when-hidden' : true)
    });
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', this._onVisibility);
    }
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Milliseconds chosen after the last round. */
  get delay(): number {
    return this._delay;
  }

  /** Consecutive failed rounds. */
  get errors(): number {
    return this._errors;
  }

  /** Whether the poll is stopped (not standing by: stopped until started). */
  get stopped(): boolean {
    return this._poll.state.phase === 'stopped';
  }

  /** Start (a round at once when active and shown). */
  start(): Promise<void> {
    return this._poll.start();
  }

  /** A round now, whatever the interval (a person asked, a panel opened). */
  refresh(): Promise<void> {
    return this._poll.refresh();
  }

  /** No more rounds until `start`. */
  stop(): Promise<void> {
    return this._poll.stop();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    if (typeof document !== 'undefined') {
      document.removeEventListener('visibilitychange', this._onVisibility);
    }
    this._poll.dispose();
  }

  private async _round(): Promise<void> {
    this._lastRound = Date.now();
    let ok: boolean;
    try {
      ok = await this._task();
    } catch {
      ok = false;
    }
    this._errors = ok ? 0 : this._errors + 1;
    if (this.isDisposed) {
      return;
    }
    this._delay = nextDelay(
      { ...this._cadence(), errors: this._errors },
      this._random
    );
    // The Poll schedules the next tick with this interval once this resolves.
    this._poll.frequency = {
      interval: this._delay,
      backoff: false,
      max: this._delay
    };
  }

  /** Shown again after more than one interval: the data is stale, ask now. */
  private _onVisibility = (): void => {
    if (
      document.visibilityState === 'visible' &&
      !this.isDisposed &&
      !this.stopped &&
      this._active() &&
      Date.now() - this._lastRound >= this._delay
    ) {
      void this._poll.refresh();
    }
  };

  private _task: () => Promise<boolean>;
  private _cadence: () => Omit<ICadence, 'errors'>;
  private _active: () => boolean;
  private _random: () => number;
  private _poll: Poll;
  private _delay: number;
  private _errors = 0;
  private _lastRound = 0;
}
