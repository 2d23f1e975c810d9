/**
 * Pure functions of the history view: the time range of a query, sorting and
 * formatting of accounting records.
 */
import type { HistoryQuery, HistoryRecord, JobState } from '../api';
import { localIso } from '../details/timeline';
import { efficiency } from '../rightsize/rightsize';

export type RangePreset = '24h' | '7d' | '30d' | 'custom';

export const RANGE_LABELS: Record<RangePreset, string> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom range'
};

const PRESET_HOURS: Record<Exclude<RangePreset, 'custom'>, number> = {
  '24h': 24,
  '7d': 7 * 24,
  '30d': 30 * 24
};

/** The states a finished job can be filtered by. */
export const HISTORY_STATES: readonly JobState[] = [
  'completed',
  'failed',
  'timeout',
  'cancelled',
  'running',
  'pending'
];

/** `2026-11-21T10:00` (a datetime-local input) as `2026-11-21T10:00:00`. */
export function withSeconds(value: string): string {
  return /T\d\d:\d\d$/.test(value) ? `${value}:00` : value;
}

/**
 * The query for a range. A custom range needs a start; its end is optional
 * (up to now). Returns a sentence instead when the range cannot be asked.
 */
export function historyQuery(
  preset: RangePreset,
  custom: { start: string; end: string },
  state: JobState | '',
  now: Date = new Date()
): HistoryQuery | string {
  const states = state ? [state] : undefined;
  if (preset !== 'custom') {
    const start = new Date(now.getTime() - PRESET_HOURS[preset] * 3600 * 1000);
    return { start: localIso(start), states };
  }
  if (!custom.start) {
    return 'Choose when the range starts.';
  }
  const start = withSeconds(custom.start);
  const end = custom.end ? withSeconds(custom.end) : null;
  if (end !== null && Date.parse(end) <= Date.parse(start)) {
    return 'The end of the range must come after its start.';
  }
  return { start, end, states };
}

export type HistoryColumn =
  | 'id'
  | 'name'
  | 'state'
  | 'partition'
  | 'submit_time'
  | 'end_time'
  | 'elapsed'
  | 'exit_code'
  | 'cpu_efficiency'
  | 'memory_use'
  | 'time_use'
  | 'max_rss';

/** The value a column sorts by; nulls sort last. */
function sortValue(
  record: HistoryRecord,
  column: HistoryColumn,
  family: 'slurm' | 'pbs'
): string | number | null {
  switch (column) {
    case 'memory_use':
      return efficiency(record.usage, family)?.memory?.ratio ?? null;
    case 'time_use':
      return efficiency(record.usage, family)?.time?.ratio ?? null;
    case 'id': {
      const n = Number.parseInt(record.array_job_id ?? record.id, 10);
      return Number.isFinite(n) ? n : record.id;
    }
    case 'max_rss':
      return parseSize(record.max_rss);
    default:
      return (record as unknown as Record<string, string | number | null>)[
        column
      ];
  }
}

/** Sort records by a column; the array order breaks ties (stable). */
export function sortRecords(
  records: readonly HistoryRecord[],
  column: HistoryColumn,
  descending: boolean,
  family: 'slurm' | 'pbs' = 'slurm'
): HistoryRecord[] {
  const sign = descending ? -1 : 1;
  return records
    .map((record, index) => ({
      record,
      index,
      key: sortValue(record, column, family)
    }))
    .sort((a, b) => {
      if (a.key === null || a.key === '') {
        return b.key === null || b.key === '' ? a.index - b.index : 1;
      }
      if (b.key === null || b.key === '') {
        return -1;
      }
      const cmp =
        typeof a.key === 'number' && typeof b.key === 'number'
          ? a.key - b.key
          : String(a.key).localeCompare(String(b.key), undefined, {
              numeric: true
            });
      return cmp !== 0 ? sign * cmp : a.index - b.index;
    })
    .map(entry => entry.record);
}

const UNITS: Record<string, number> = {
  '': 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4
};

/** `1.5G` / `2048K` / `512` (bytes) in bytes; null when not a size. */
export function parseSize(text: string): number | null {
  const m = /^\s*([0-9.]+)\s*([KMGT]?)i?B?\s*$/i.exec(text ?? '');
  if (!m) {
    return null;
  }
  return Number.parseFloat(m[1]) * UNITS[m[2].toUpperCase()];
}

/** A byte count for people: `1.5 GiB`, `812 MiB`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) {
    return '';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 || unit === 0 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/**
 * An ISO local time, short: `11-22 03:21` in the current year, else
 * `2025-11-22 03:21`; '' for null.
 */
export function shortTime(iso: string | null, now: Date = new Date()): string {
  const match = /^(\d{4})-(\d\d-\d\d)T(\d\d:\d\d)/.exec(iso ?? '');
  if (!match) {
    return iso ?? '';
  }
  return Number(match[1]) === now.getFullYear()
    ? `${match[2]} ${match[3]}`
    : `${match[1]}-${match[2]} ${match[3]}`;
}

/** CPU efficiency 0..1 as `87 %`; '' when unknown. */
export function formatEfficiency(value: number | null): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '';
  }
  return `${Math.round(value * 100)} %`;
}
