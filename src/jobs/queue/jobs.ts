/**
 * Pure functions over jobs: the column table, filtering, sorting and
 * formatting. No DOM, no network: the model and the view build on these.
 */
import type { Job, JobState, PendingExplanation } from '../api';
import type { SchedulerFamily } from '../../common/scheduler';

export type ColumnId =
  | 'id'
  | 'name'
  | 'user'
  | 'account'
  | 'partition'
  | 'qos'
  | 'state'
  | 'reason'
  | 'where'
  | 'nodelist'
  | 'nodes'
  | 'cpus'
  | 'memory'
  | 'gres'
  | 'time_used'
  | 'time_limit'
  | 'submit_time'
  | 'start_time'
  | 'why'
  | 'expected_start';

export type SortDirection = 'ascending' | 'descending';

/** How a column's values compare. */
type ColumnKind = 'id' | 'text' | 'int' | 'duration' | 'time';

export interface IColumn {
  id: ColumnId;
  /** The header a person reads. */
  label: string;
  /** The header's tooltip. */
  title: string;
  kind: ColumnKind;
  /** Width in pixels; the name column also takes the space left over. */
  width: number;
  align: 'left' | 'right';
}

/** Every column the queue table can show, in table order. */
export const COLUMNS: readonly IColumn[] = [
  // State right after the id: in a narrow sidebar these two are what a user scans for.
  col('id', 'Job ID', 'The id to give scancel, scontrol...', 'id', 96),
  col('state', 'State', 'Job state', 'text', 92),
  col('name', 'Name', 'Job name', 'text', 140),
  col('user', 'User', 'Who submitted the job', 'text', 84),
  col('account', 'Account', 'Account charged for the job', 'text', 84),
  col('partition', 'Partition', 'Partition (queue) of the job', 'text', 84),
  col('qos', 'QOS', 'Quality of service', 'text', 70),
  col('reason', 'Reason', 'Why the job waits', 'text', 130),
  col(
    'where',
    'Nodes / reason',
    'The nodes a job runs on, or why a pending job waits',
    'text',
    140
  ),
  col('nodelist', 'Node list', 'The nodes of the job', 'text', 120),
  col('nodes', 'Nodes', 'Number of nodes', 'int', 60, 'right'),
  col('cpus', 'CPUs', 'Number of CPUs', 'int', 60, 'right'),
  col('memory', 'Memory', 'Memory requested', 'text', 70, 'right'),
  col('gres', 'GRES', 'Generic resources, e.g. GPUs', 'text', 80),
  col('time_used', 'Time used', 'Elapsed run time', 'duration', 92, 'right'),
  col('time_limit', 'Time limit', 'Wall-time limit', 'duration', 92, 'right'),
  col('submit_time', 'Submitted', 'When the job was submitted', 'time', 130),
  col(
    'start_time',
    'Start',
    'When the job started, or is expected to start',
    'time',
    130
  ),
  col(
    'why',
    'Why pending',
    'Why your waiting job waits, with the facts and what you can do (hover the row)',
    'text',
    280
  ),
  col(
    'expected_start',
    'Expected start',
    'When the batch system expects your waiting job to start, where it says',
    'time',
    130
  )
];

function col(
  id: ColumnId,
  label: string,
  title: string,
  kind: ColumnKind,
  width: number,
  align: 'left' | 'right' = 'left'
): IColumn {
  return { id, label, title, kind, width, align };
}

export const COLUMN_IDS: readonly ColumnId[] = COLUMNS.map(c => c.id);

const COLUMN_BY_ID = new Map<string, IColumn>(COLUMNS.map(c => [c.id, c]));

/** Headers PBS (and Torque) say differently: a Slurm partition is a PBS queue. */
const PBS_WORDS: Partial<
  Record<ColumnId, Pick<IColumn, 'label' | 'title'> & Partial<IColumn>>
> = {
  // PBS ids carry the server's name (`17[1].torque01`): a wider column.
  id: { label: 'Job ID', title: 'The id to give qdel, qstat...', width: 132 },
  partition: { label: 'Queue', title: 'Queue of the job' }
};

/**
 * The column of an id, or undefined for an unknown id; its header in the words
 * of the batch system's family (`pbs` for OpenPBS and Torque) when given.
 */
export function getColumn(
  id: string,
  scheduler: SchedulerFamily = 'slurm'
): IColumn | undefined {
  const column = COLUMN_BY_ID.get(id);
  const words = scheduler === 'pbs' ? PBS_WORDS[id as ColumnId] : undefined;
  return column && words ? { ...column, ...words } : column;
}

/** The columns shown until the settings say otherwise. */
export const DEFAULT_COLUMNS: readonly ColumnId[] = [
  'id',
  'state',
  'name',
  'user',
  'partition',
  'time_used',
  'time_limit',
  'nodes',
  'where'
];

/** Keep known column ids, once each, in table order; fall back to defaults. */
export function normalizeColumns(
  ids: readonly string[] | undefined
): ColumnId[] {
  if (!ids) {
    return [...DEFAULT_COLUMNS];
  }
  const wanted = new Set(ids);
  const cols = COLUMN_IDS.filter(id => wanted.has(id));
  return cols.length ? cols : [...DEFAULT_COLUMNS];
}

/** Human labels of the states, for the state filter and the pills. */
export const STATE_LABELS: Record<JobState, string> = {
  pending: 'Pending',
  held: 'Held',
  running: 'Running',
  suspended: 'Suspended',
  completing: 'Completing',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  timeout: 'Timed out',
  unknown: 'Unknown'
};

/** The "Nodes / reason" column: why a waiting job waits, else where it runs. */
export function whereText(job: Job): string {
  if (job.state === 'pending' || job.state === 'held') {
    return job.reason || job.nodelist;
  }
  return job.nodelist || job.reason;
}

/** The raw value a column sorts by. */
function sortValue(job: Job, column: ColumnId): string | number | null {
  if (column === 'where') {
    return whereText(job);
  }
  // Sorted by what the listing has (the explanations come later, for a few jobs).
  if (column === 'why') {
    return isWaiting(job) ? job.reason : '';
  }
  if (column === 'expected_start') {
    return isWaiting(job) ? job.start_time : null;
  }
  return job[column];
}

/** Whether a job waits (pending or held): the jobs `jobs/pending` explains. */
export function isWaiting(job: Pick<Job, 'state'>): boolean {
  return job.state === 'pending' || job.state === 'held';
}

/**
 * The text a cell shows; `explanation` (from `jobs/pending`) fills the
 * "Why pending" and "Expected start" cells of a waiting job.
 */
export function cellText(
  job: Job,
  column: ColumnId,
  explanation?: PendingExplanation
): string {
  switch (column) {
    case 'where':
      return isWaiting(job) && explanation?.summary
        ? explanation.summary
        : whereText(job);
    case 'why':
      return isWaiting(job) ? explanation?.summary || job.reason : '';
    case 'expected_start':
      return isWaiting(job)
        ? formatTime(explanation?.expected_start ?? null)
        : '';
    case 'state':
      return STATE_LABELS[job.state] ?? job.state;
    case 'time_used':
      return job.time_used === null ? '' : formatDuration(job.time_used);
    case 'time_limit':
      return formatDuration(job.time_limit);
    case 'submit_time':
    case 'start_time':
      return formatTime(job[column]);
    case 'nodes':
    case 'cpus': {
      const v = job[column];
      return v === null ? '' : String(v);
    }
    default:
      return job[column] ?? '';
  }
}

// ---------------------------------------------------------------------------
// Filtering

export interface IJobFilter {
  /** Case-insensitive substring of id, name, user, account, partition, state, reason or node list. */
  text?: string;
  /** One state, or '' / undefined for all. */
  state?: JobState | '';
}

// The lower-cased text a filter searches, built once per job object: jobs are
// replaced wholesale by each listing, so a WeakMap never goes stale.
const searchTextCache = new WeakMap<Job, string>();

function searchText(job: Job): string {
  let text = searchTextCache.get(job);
  if (text === undefined) {
    text = [
      job.id,
      job.name,
      job.user,
      job.account,
      job.partition,
      job.state,
      job.raw_state,
      job.reason,
      job.nodelist
    ]
      .join('\u001f')
      .toLowerCase();
    searchTextCache.set(job, text);
  }
  return text;
}

/** The jobs that match the filter; the same array when nothing filters. */
export function filterJobs(jobs: readonly Job[], filter: IJobFilter): Job[] {
  const needle = (filter.text ?? '').trim().toLowerCase();
  const state = filter.state || '';
  if (!needle && !state) {
    return jobs as Job[];
  }
  const out: Job[] = [];
  for (const job of jobs) {
    if (state && job.state !== state) {
      continue;
    }
    if (needle && !searchText(job).includes(needle)) {
      continue;
    }
    out.push(job);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Sorting

const collator = new Intl.Collator(undefined, {
  numeric: true,
  sensitivity: 'base'
});

/**
 * The sort key of a job id: [job number, task number, rank, id].
 *
 * - The job number is the array parent's (`array_job_id`) when there is one,
 *   else the leading number of the id, so `9 < 10 < 100` and array tasks sit
 *   directly under their parent whatever their own raw job ids are.
 * - A job that is not an array task comes first in its group (task -1).
 * - Tasks follow by task number; a pending range like `[5-9]` or `[5,7]`
 *   sorts at its first number, after a single task with the same number
 *   (rank 1 against 0), so `123_4 < 123_[5-9]` and `123_5 < 123_[5-9]`.
 * - Ids without a leading number (other batch systems' oddities) sort after
 *   the numbered ones, by text.
 */
export function idSortKey(job: Job): [number, number, number, string] {
  const parent = leadingNumber(job.array_job_id ?? job.id);
  let task = -1;
  let rank = 0;
  const taskId = job.array_task_id;
  if (taskId !== null && taskId !== '') {
    task = leadingNumber(taskId.replace(/^\[/, ''));
    rank = taskId.startsWith('[') ? 1 : 0;
  }
  return [parent, task, rank, job.id];
}

function leadingNumber(text: string): number {
  const match = /^\d+/.exec(text);
  return match ? Number(match[0]) : Number.POSITIVE_INFINITY;
}

function compareIdKeys(
  a: [number, number, number, string],
  b: [number, number, number, string]
): number {
  // Infinity - Infinity (two ids without a number) is NaN, which is falsy,
  // so such ids fall through to the text comparison.
  return (
    a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || collator.compare(a[3], b[3])
  );
}

/**
 * Sort jobs by a column, returning a new array.
 *
 * Ids sort as described at `idSortKey`. Numbers and durations sort
 * numerically, times chronologically, text with a locale-aware natural order
 * (`node2 < node10`). Empty values (null, '') go last in both directions,
 * except a null time limit, which means UNLIMITED and so is the largest.
 * Ties keep the id order, so the table does not jump between polls.
 */
export function sortJobs(
  jobs: readonly Job[],
  column: ColumnId,
  direction: SortDirection = 'ascending'
): Job[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const kind = getColumn(column)?.kind ?? 'text';
  // Decorate once, sort, undecorate: keys are not recomputed per comparison.
  const decorated = jobs.map((job, index) => ({
    job,
    index,
    id: idSortKey(job),
    value: kind === 'id' ? null : sortValue(job, column)
  }));

  let compareValues: (a: string | number, b: string | number) => number;
  if (kind === 'int' || kind === 'duration') {
    compareValues = (a, b) => (a as number) - (b as number);
  } else if (kind === 'time') {
    // ISO 8601 times in one format compare as plain strings.
    compareValues = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  } else {
    compareValues = (a, b) => collator.compare(a as string, b as string);
  }
  const unlimited = column === 'time_limit';

  decorated.sort((a, b) => {
    if (kind !== 'id') {
      let va = a.value;
      let vb = b.value;
      if (unlimited) {
        va = va ?? Number.POSITIVE_INFINITY;
        vb = vb ?? Number.POSITIVE_INFINITY;
      }
      const emptyA = va === null || va === '';
      const emptyB = vb === null || vb === '';
      if (emptyA !== emptyB) {
        return emptyA ? 1 : -1; // empty last whatever the direction
      }
      if (!emptyA) {
        let c = compareValues(va as string | number, vb as string | number);
        if (Number.isNaN(c)) {
          c = 0; // Infinity - Infinity: two unlimited jobs
        }
        if (c !== 0) {
          return sign * c;
        }
      }
    }
    const c = compareIdKeys(a.id, b.id);
    if (c !== 0) {
      return kind === 'id' ? sign * c : c;
    }
    return a.index - b.index;
  });
  return decorated.map(d => d.job);
}

// ---------------------------------------------------------------------------
// Formatting

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * A duration the way Slurm prints it: `1-02:03:04`, `2:03:04`, `3:04`.
 * Null is a time limit with no limit: `UNLIMITED`.
 */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || seconds === undefined) {
    return 'UNLIMITED';
  }
  let s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  s -= minutes * 60;
  if (days > 0) {
    return `${days}-${pad2(hours)}:${pad2(minutes)}:${pad2(s)}`;
  }
  if (hours > 0) {
    return `${hours}:${pad2(minutes)}:${pad2(s)}`;
  }
  return `${minutes}:${pad2(s)}`;
}

/** How long ago something happened: `12 s ago`, `3 min ago`, `2 h ago`. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) {
    return `${s} s ago`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ago`;
  }
  if (s < 86400) {
    return `${Math.floor(s / 3600)} h ago`;
  }
  return `${Math.floor(s / 86400)} d ago`;
}

/** An ISO 8601 local time as `2026-11-22 00:18`; '' for null. */
export function formatTime(iso: string | null): string {
  if (!iso) {
    return '';
  }
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return match ? `${match[1]} ${match[2]}` : iso;
}
