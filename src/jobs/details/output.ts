/**
 * One output stream of a job (stdout or stderr) as the view shows it: a
 * window of the file's bytes, kept under a size cap, that follows the file
 * like `tail -f` (each read starts at the last answer's `end`) and grows
 * backwards on "Load earlier" (a read of the bytes `before` the window).
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import * as api from '../api';
import { HPCApiError } from '../../common/request';
import type { JobOutputChunk, OutputRange, OutputStream } from '../api';

/** The server call the model makes; tests pass fakes. */
export interface IOutputApi {
  fetchJobOutput(
    jobId: string,
    stream: OutputStream,
    range: OutputRange
  ): Promise<JobOutputChunk>;
}

const DEFAULT_API: IOutputApi = { fetchJobOutput: api.fetchJobOutput };

/**
 * - `loading`: nothing read yet
 * - `ready`: the window holds the file's bytes `[start, end)`
 * - `missing`: the file does not exist (yet: a pending job has not opened it)
 * - `forbidden`: another user's job (403)
 * - `gone`: the scheduler does not know the job (404)
 * - `error`: the last read failed; the window keeps what it had
 */
export type OutputStatus =
  'loading' | 'ready' | 'missing' | 'forbidden' | 'gone' | 'error';

interface IChunk {
  start: number;
  end: number;
  data: string;
}

/** Adjacent reads smaller than this are merged into one chunk. */
const MERGE_BELOW = 64 * 1024;

export namespace OutputModel {
  export interface IOptions {
    jobId: string;
    stream: OutputStream;
    api?: IOutputApi;
    /** Bytes the window holds at most (default 1 MiB). */
    cap?: number;
    /** Bytes read first and by each "Load earlier" (default 64 KiB). */
    pageSize?: number;
    /** Bytes asked for by each follow read (default 256 KiB, the server's cap). */
    readSize?: number;
    /** Milliseconds between follow reads (default 2000). */
    interval?: number;
    /** Whether the job may still write (default true). */
    jobLive?: boolean;
    /** Start reading at once (default true). */
    autoStart?: boolean;
  }
}

export class OutputModel implements IDisposable {
  constructor(options: OutputModel.IOptions) {
    this.jobId = options.jobId;
    this.stream = options.stream;
    this._api = options.api ?? DEFAULT_API;
    this.cap = options.cap ?? 1024 * 1024;
    this.pageSize = Math.min(options.pageSize ?? 64 * 1024, this.cap);
    this._readSize = options.readSize ?? 256 * 1024;
    this._jobLive = options.jobLive ?? true;
    const interval = options.interval ?? 2000;
    this._poll = new Poll({
      auto: false,
      factory: () => this._tick(),
      frequency: { interval, backoff: true, max: 30 * 1000 },
      name: `jupyterlab-hpc:output:${options.stream}`,
      // A hidden browser tab asks nothing, not even one more time.
      linger: 0,
      standby: () => (this._active ? 'when-hidden' : true)
    });
    if (options.autoStart ?? true) {
      void this._poll.start();
    }
  }

  readonly jobId: string;
  readonly stream: OutputStream;
  readonly cap: number;
  readonly pageSize: number;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  get status(): OutputStatus {
    return this._status;
  }

  /** The last failure's message (status `error`, `forbidden`, `gone`). */
  get message(): string {
    return this._message;
  }

  /**
   * Whether the file existed at the last answer; null before the first one.
   * A failed read keeps what the last answer said.
   */
  get exists(): boolean | null {
    return this._exists;
  }

  /** The file as the server named it; '' until the first answer. */
  get path(): string {
    return this._path;
  }

  /** The file's size in bytes at the last read. */
  get size(): number {
    return this._size;
  }

  /** Byte offset of the window's first byte. */
  get start(): number {
    return this._chunks.length ? this._chunks[0].start : 0;
  }

  /** Byte offset just past the window; the next follow read starts here. */
  get end(): number {
    return this._chunks.length ? this._chunks[this._chunks.length - 1].end : 0;
  }

  /** The window's text. */
  get text(): string {
    if (this._text === null) {
      this._text = this._chunks.map(c => c.data).join('');
    }
    return this._text;
  }

  /** Whether the file has bytes before the window. */
  get hasEarlier(): boolean {
    return this.start > 0;
  }

  /**
   * Whether the window reaches the end of the file as last read; false after
   * "Load earlier" pushed the latest bytes out of the window.
   */
  get atTail(): boolean {
    return this._atTail;
  }

  /** Bytes dropped after the window to keep it under the cap. */
  get hiddenAfter(): number {
    return this._atTail ? 0 : Math.max(0, this._size - this.end);
  }

  /** Whether a read is under way (for the view's "Load earlier" button). */
  get busy(): boolean {
    return this._busy;
  }

  /**
   * Follow mode: read what the job appends, like `tail -f`. Always false once
   * the output has `ended` (the wish comes back if the job is live again).
   */
  get follow(): boolean {
    return this._follow && !this.ended;
  }
  set follow(follow: boolean) {
    if (follow === this._follow || this.ended) {
      return;
    }
    this._follow = follow;
    this._emit();
    if (follow) {
      this._restart();
    }
  }

  /** Whether the job may still write. A final job is read to its end, then no more. */
  get jobLive(): boolean {
    return this._jobLive;
  }
  set jobLive(live: boolean) {
    if (live === this._jobLive) {
      return;
    }
    this._jobLive = live;
    // Reads begun before this change say nothing about the output after it.
    this._liveEpoch++;
    this._readSinceEnd = false;
    this._emit();
    // One more read picks up what the job wrote last.
    this._restart();
  }

  /**
   * Whether the output is complete: the job has ended and a read begun after
   * its end reached the end of the file (or found no file). Follow has nothing
   * left to read then, and makes no more reads.
   */
  get ended(): boolean {
    if (this._jobLive || !this._readSinceEnd) {
      return false;
    }
    return (
      this._status === 'missing' ||
      (this._status === 'ready' && this._atTail && this.end >= this._size)
    );
  }

  /** Whether the poll has stopped for good (job final and file read). */
  get finished(): boolean {
    return this._poll.state.phase === 'stopped' && this._status !== 'loading';
  }

  /** The stream's tab is shown (its poll stands by otherwise). */
  setActive(active: boolean): void {
    if (active === this._active) {
      return;
    }
    this._active = active;
    if (active) {
      this._restart();
    }
  }

  /** Read the bytes just before the window. */
  async loadEarlier(): Promise<void> {
    if (!this.hasEarlier || this._busy) {
      return;
    }
    await this._run(async () => {
      const before = this.start;
      const chunk = await this._api.fetchJobOutput(this.jobId, this.stream, {
        before,
        limit: this.pageSize
      });
      this._meta(chunk);
      if (chunk.end !== before) {
        // The file changed under us (rewritten or truncated): start over.
        this._replace(chunk);
        return;
      }
      this._chunks.unshift({
        start: chunk.start,
        end: chunk.end,
        data: chunk.data
      });
      // Over the cap: give up the latest bytes; follow waits for "Jump to end".
      while (this._chunks.length > 1 && this.end - this.start > this.cap) {
        this._chunks.pop();
        this._atTail = false;
        this._follow = false;
      }
      this._text = null;
    });
  }

  /** Back to the last bytes of the file, following them. */
  async jumpToEnd(): Promise<void> {
    this._follow = true;
    await this._run(() => this._loadTail());
    this._restart();
  }

  /** Read now (what the poll does). */
  refresh(): Promise<void> {
    return this._run(() => this._read());
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

  /** One poll tick: read, then stop for good once nothing more can come. */
  private async _tick(): Promise<void> {
    await this._run(() => this._read());
    if (this._status === 'error') {
      throw new Error(this._message); // back off
    }
    const done =
      this._status === 'forbidden' ||
      this._status === 'gone' ||
      (!this._jobLive &&
        (this._status === 'missing' || this.end >= this._size)) ||
      (!this._follow && this._status === 'ready');
    if (done) {
      void this._poll.stop();
    }
  }

  private async _read(): Promise<void> {
    if (this.ended) {
      return; // everything the job wrote is here
    }
    if (this._status === 'loading' || this._status === 'missing') {
      await this._loadTail();
      return;
    }
    if (!this.follow || !this._atTail) {
      return;
    }
    // Catch up in a few reads at most when the job wrote a lot at once.
    for (let i = 0; i < 8; i++) {
      const offset = this.end;
      const chunk = await this._api.fetchJobOutput(this.jobId, this.stream, {
        offset,
        limit: this._readSize
      });
      this._meta(chunk);
      if (!chunk.exists) {
        this._replace(chunk); // removed
        return;
      }
      if (chunk.size < offset || chunk.start !== offset) {
        // Truncated or rewritten: show its end again.
        await this._loadTail();
        return;
      }
      this._append(chunk);
      if (chunk.end >= chunk.size || chunk.end === chunk.start) {
        return;
      }
    }
  }

  private async _loadTail(): Promise<void> {
    const chunk = await this._api.fetchJobOutput(this.jobId, this.stream, {
      limit: this.pageSize
    });
    this._meta(chunk);
    this._replace(chunk);
  }

  private _replace(chunk: JobOutputChunk): void {
    this._chunks = chunk.exists
      ? [{ start: chunk.start, end: chunk.end, data: chunk.data }]
      : [];
    this._text = null;
    this._atTail = true;
    this._status = chunk.exists ? 'ready' : 'missing';
  }

  private _append(chunk: JobOutputChunk): void {
    if (chunk.end === chunk.start) {
      return;
    }
    const last = this._chunks[this._chunks.length - 1];
    // Small chunks merge (fewer strings to join), but stay small next to the
    // cap so the cap can drop them one by one.
    const mergeBelow = Math.min(MERGE_BELOW, Math.floor(this.cap / 4));
    if (last && last.end - last.start + chunk.end - chunk.start <= mergeBelow) {
      last.data += chunk.data;
      last.end = chunk.end;
    } else {
      this._chunks.push({
        start: chunk.start,
        end: chunk.end,
        data: chunk.data
      });
    }
    // Over the cap: drop the oldest bytes; "Load earlier" brings them back.
    while (this._chunks.length > 1 && this.end - this.start > this.cap) {
      this._chunks.shift();
    }
    this._text = null;
  }

  private _meta(chunk: JobOutputChunk): void {
    this._exists = chunk.exists;
    this._path = chunk.path;
    this._size = chunk.size;
  }

  /** Run one read at a time; failures land in `status` and `message`. */
  private async _run(read: () => Promise<void>): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    while (this._inflight) {
      await this._inflight;
    }
    this._busy = true;
    this._emit();
    const epoch = this._liveEpoch;
    const afterEnd = !this._jobLive;
    const pending = (async () => {
      try {
        await read();
        if (afterEnd && epoch === this._liveEpoch) {
          this._readSinceEnd = true;
        }
        if (this._status === 'error') {
          this._status = this._chunks.length ? 'ready' : 'loading';
        }
        this._message = '';
      } catch (error) {
        const status = error instanceof HPCApiError ? error.status : 0;
        this._message = error instanceof Error ? error.message : String(error);
        this._status =
          status === 403 ? 'forbidden' : status === 404 ? 'gone' : 'error';
      }
    })();
    this._inflight = pending;
    await pending;
    this._inflight = null;
    this._busy = false;
    this._emit();
  }

  /** Poll again now, from wherever it stood (stopped after the end, or waiting). */
  private _restart(): void {
    if (this._isDisposed) {
      return;
    }
    if (this._poll.state.phase === 'stopped') {
      void this._poll.start();
    } else {
      void this._poll.refresh();
    }
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _api: IOutputApi;
  private _poll: Poll;
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _status: OutputStatus = 'loading';
  private _message = '';
  private _path = '';
  private _size = 0;
  private _chunks: IChunk[] = [];
  private _text: string | null = null;
  private _atTail = true;
  private _follow = true;
  private _jobLive: boolean;
  /** Bumped by each change of `jobLive`. */
  private _liveEpoch = 0;
  /** A read begun after the job's end has succeeded. */
  private _readSinceEnd = false;
  private _exists: boolean | null = null;
  private _active = true;
  private _busy = false;
  private _readSize: number;
  private _inflight: Promise<void> | null = null;
}
