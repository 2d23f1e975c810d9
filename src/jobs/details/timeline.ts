/**
 * Pure functions over one job's record: whether it is still live, its state
 * timeline (submitted, started, ended) and the waits between the steps.
 */
import type { JobRecord, JobState } from '../api';

/** States a job never leaves. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set<JobState>([
  'completed',
  'failed',
  'cancelled',
  'timeout'
]);

/** Whether a job in this state may still change (so it is worth polling). */
export function isLive(state: JobState): boolean {
  return !FINAL_STATES.has(state);
}

export type StepStatus = 'done' | 'current' | 'future' | 'skipped';

export interface ITimelineStep {
  id: 'submitted' | 'started' | 'ended';
  label: string;
  /** ISO local time, or null when not (yet) known. */
  time: string | null;
  status: StepStatus;
  /** A short note: "expected", "never started", the final state... */
  note: string;
}

/** Seconds between two ISO local times; null when either is missing. */
export function secondsBetween(
  from: string | null,
  to: string | null
): number | null {
  if (!from || !to) {
    return null;
  }
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b)) {
    return null;
  }
  return Math.max(0, Math.round((b - a) / 1000));
}

const ENDED_WORDS: Record<JobState, string> = {
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  timeout: 'timed out',
  pending: '',
  held: '',
  running: '',
  suspended: '',
  completing: 'completing',
  unknown: ''
};

/** Whether the job was cancelled before it ran (so it wrote no output). */
export function endedBeforeStart(
  job: Pick<JobRecord, 'state' | 'start_time' | 'end_time' | 'time_used'>
): boolean {
  // Slurm reports the cancel time as the start of a job that never ran.
  return (
    job.state === 'cancelled' &&
    (!job.start_time ||
      (job.end_time !== null &&
        job.start_time === job.end_time &&
        (job.time_used ?? 0) === 0))
  );
}

/**
 * The three steps of a job's life. A pending job's start time, when the
 * scheduler gives one, is an estimate ("expected"); a job cancelled before it
 * ran skips the start.
 */
export function jobTimeline(job: JobRecord): ITimelineStep[] {
  const waiting = job.state === 'pending' || job.state === 'held';
  const final = FINAL_STATES.has(job.state);
  const neverRan = endedBeforeStart(job);

  const submitted: ITimelineStep = {
    id: 'submitted',
    label: 'Submitted',
    time: job.submit_time,
    status: 'done',
    note: ''
  };

  let started: ITimelineStep;
  if (waiting) {
    started = {
      id: 'started',
      label: 'Started',
      time: job.start_time,
      status: 'future',
      note: job.start_time
        ? 'expected'
        : job.reason
          ? `waiting: ${job.reason}`
          : 'waiting'
    };
  } else if (neverRan) {
    started = {
      id: 'started',
      label: 'Started',
      time: null,
      status: 'skipped',
      note: 'never started'
    };
  } else {
    started = {
      id: 'started',
      label: 'Started',
      time: job.start_time,
      status: final ? 'done' : 'current',
      note: final ? '' : job.state === 'suspended' ? 'suspended' : 'running'
    };
  }

  const ended: ITimelineStep = {
    id: 'ended',
    label: 'Ended',
    time: final ? job.end_time : null,
    status: final ? 'done' : 'future',
    note: final
      ? ENDED_WORDS[job.state] + exitNote(job)
      : ENDED_WORDS[job.state]
  };
  return [submitted, started, ended];
}

function exitNote(job: JobRecord): string {
  if (job.exit_signal) {
    return ` (signal ${job.exit_signal})`;
  }
  if (job.exit_code !== null && job.exit_code !== undefined) {
    return ` (exit ${job.exit_code})`;
  }
  return '';
}

/** How long the job waited in the queue and how long it ran, in seconds. */
export function jobDurations(
  job: JobRecord,
  nowIso: string | null = null
): { waited: number | null; ran: number | null } {
  const waiting = job.state === 'pending' || job.state === 'held';
  const final = FINAL_STATES.has(job.state);
  const waited = waiting
    ? secondsBetween(job.submit_time, nowIso)
    : secondsBetween(job.submit_time, job.start_time);
  let ran: number | null = null;
  if (!waiting) {
    ran = final
      ? secondsBetween(job.start_time, job.end_time)
      : (job.time_used ?? null);
  }
  return { waited, ran };
}

/** `Date` as an ISO local time without a zone, the server's format. */
export function localIso(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
