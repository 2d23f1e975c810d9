/**
 * The job history view's state: the time range and state filter, the last
 * answer of `GET history`, and the sort order. History changes slowly: it is
 * fetched when the filter changes and on Refresh, never polled.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import * as api from '../api';
import type {
  HistoryQuery,
  HistoryRecord,
  HistoryResult,
  JobState
} from '../api';
import { HistoryColumn, RangePreset, historyQuery, sortRecords } from './range';

export interface IHistoryApi {
  fetchHistory(query: HistoryQuery): Promise<HistoryResult>;
}

const DEFAULT_API: IHistoryApi = { fetchHistory: api.fetchHistory };

export namespace HistoryModel {
  export interface IOptions {
    api?: IHistoryApi;
    preset?: RangePreset;
    /** Rows asked for at most (default 5000). */
    limit?: number;
    /** The clock, for tests. */
    now?: () => Date;
    /** The batch system's family: PBS's peak memory is the whole job's. */
    family?: () => 'slurm' | 'pbs';
  }
}

export class HistoryModel implements IDisposable {
  constructor(options: HistoryModel.IOptions = {}) {
    this._api = options.api ?? DEFAULT_API;
    this._preset = options.preset ?? '24h';
    this._limit = options.limit ?? 5000;
    this._now = options.now ?? (() => new Date());
    this._family = options.family ?? (() => 'slurm');
  }

  get family(): 'slurm' | 'pbs' {
    return this._family();
  }

  /** The job whose use and next request show under the table. */
  get selectedId(): string | null {
    return this._selectedId;
  }
  get selected(): HistoryRecord | null {
    const id = this._selectedId;
    return this._result?.jobs.find(r => r.id === id) ?? null;
  }
  select(id: string | null): void {
    if (id !== this._selectedId) {
      this._selectedId = id;
      this._emit();
    }
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  get preset(): RangePreset {
    return this._preset;
  }
  set preset(preset: RangePreset) {
    if (preset !== this._preset) {
      this._preset = preset;
      this._emit();
      void this.refresh();
    }
  }

  /** The custom range as `datetime-local` values; used when preset is `custom`. */
  get customStart(): string {
    return this._customStart;
  }
  get customEnd(): string {
    return this._customEnd;
  }
  setCustomRange(start: string, end: string): void {
    if (start === this._customStart && end === this._customEnd) {
      return;
    }
    this._customStart = start;
    this._customEnd = end;
    this._emit();
    if (this._preset === 'custom') {
      void this.refresh();
    }
  }

  get stateFilter(): JobState | '' {
    return this._state;
  }
  set stateFilter(state: JobState | '') {
    if (state !== this._state) {
      this._state = state;
      this._emit();
      void this.refresh();
    }
  }

  get sortColumn(): HistoryColumn {
    return this._sortColumn;
  }
  get sortDescending(): boolean {
    return this._sortDescending;
  }
  /** Sort by a column; the same column again flips the direction. */
  toggleSort(column: HistoryColumn): void {
    if (column === this._sortColumn) {
      this._sortDescending = !this._sortDescending;
    } else {
      this._sortColumn = column;
      this._sortDescending = column !== 'id' && column !== 'name';
    }
    this._emit();
  }

  get loading(): boolean {
    return this._loading;
  }

  /** The last answer; null before the first. */
  get result(): HistoryResult | null {
    return this._result;
  }

  /** Why the last request failed, or why the range cannot be asked. */
  get error(): string {
    return this._error;
  }

  /** Whether the answer stopped at the limit (there may be more). */
  get truncated(): boolean {
    return (this._result?.jobs.length ?? 0) >= this._limit;
  }

  /** The records in the table's order. */
  get records(): readonly HistoryRecord[] {
    const jobs = this._result?.jobs ?? [];
    const memo = this._sortMemo;
    if (
      memo &&
      memo.jobs === jobs &&
      memo.column === this._sortColumn &&
      memo.descending === this._sortDescending &&
      memo.family === this.family
    ) {
      return memo.result;
    }
    const family = this.family;
    const result = sortRecords(
      jobs,
      this._sortColumn,
      this._sortDescending,
      family
    );
    this._sortMemo = {
      family,
      jobs,
      column: this._sortColumn,
      descending: this._sortDescending,
      result
    };
    return result;
  }

  /** Fetch now. Never throws; a newer request wins over an older one. */
  async refresh(): Promise<void> {
    const query = historyQuery(
      this._preset,
      { start: this._customStart, end: this._customEnd },
      this._state,
      this._now()
    );
    const generation = ++this._generation;
    if (typeof query === 'string') {
      this._error = query;
      this._loading = false;
      this._emit();
      return;
    }
    this._loading = true;
    this._emit();
    try {
      const result = await this._api.fetchHistory({
        ...query,
        limit: this._limit
      });
      if (generation !== this._generation || this._isDisposed) {
        return;
      }
      this._result = result;
      this._error = '';
    } catch (error) {
      if (generation !== this._generation || this._isDisposed) {
        return;
      }
      this._error = error instanceof Error ? error.message : String(error);
    }
    this._loading = false;
    this._emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _api: IHistoryApi;
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _preset: RangePreset;
  private _customStart = '';
  private _customEnd = '';
  private _state: JobState | '' = '';
  private _sortColumn: HistoryColumn = 'end_time';
  private _sortDescending = true;
  private _loading = false;
  private _result: HistoryResult | null = null;
  private _error = '';
  private _limit: number;
  private _now: () => Date;
  private _generation = 0;
  private _family: () => 'slurm' | 'pbs';
  private _selectedId: string | null = null;
  private _sortMemo: {
    family: 'slurm' | 'pbs';
    jobs: HistoryRecord[];
    column: HistoryColumn;
    descending: boolean;
    result: HistoryRecord[];
  } | null = null;
}
