/**
 * What the notebook says of a kernel in a batch job (pure): "Starting on
 * debug: job 123 pending (waiting for jobs of higher priority to start
 * first), expected start 14:05…".
 */
import type { BatchPhase, IBatchKernelStatus } from './api';

/** The phases of a start still under way. */
export const STARTING_PHASES: readonly BatchPhase[] = [
  'submitting',
  'pending',
  'starting'
];

/** "on debug", "in the queue workq", or the default's words. */
export function placeWords(status: IBatchKernelStatus): string {
  const pbs = status.kind === 'pbs' || status.kind === 'torque';
  if (!status.partition) {
    return pbs ? 'in the default queue' : 'on the default partition';
  }
  return pbs ? `in the queue ${status.partition}` : `on ${status.partition}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * "14:05" when `iso` is today, "2026-12-05 14:05" on another day; null when
 * there is no time (Slurm's "Unknown", or none given).
 */
export function startTimeWords(
  iso: string | null,
  now: Date = new Date()
): string | null {
  if (!iso) {
    return null;
  }
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) {
    return null;
  }
  const time = `${pad(when.getHours())}:${pad(when.getMinutes())}`;
  const sameDay =
    when.getFullYear() === now.getFullYear() &&
    when.getMonth() === now.getMonth() &&
    when.getDate() === now.getDate();
  if (sameDay) {
    return time;
  }
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${time}`;
}

/** The line shown while the kernel's job is submitted, waits, or starts. */
export function startingWords(
  status: IBatchKernelStatus,
  now: Date = new Date()
): string {
  const head = `Starting ${placeWords(status)}`;
  const job = status.job_id ? `job ${status.job_id}` : 'the job';
  switch (status.phase) {
    case 'submitting':
      return `${head}: submitting the job…`;
    case 'pending': {
      const held = status.state === 'H' || /held/i.test(status.reason);
      const state = held ? 'held' : 'pending';
      const reason = status.reason ? ` (${status.reason})` : '';
      const start = startTimeWords(status.expected_start, now);
      const expected = start ? `, expected start ${start}` : '';
      return `${head}: ${job} ${state}${reason}${expected}…`;
    }
    case 'starting':
      return `${head}: ${job} running${status.node ? ` on ${status.node}` : ''}, starting the kernel…`;
    default:
      return `${head}: ${job}…`;
  }
}

/** Once it runs: "Kernel running on vm in job 123 (debug, 2 CPUs)." */
export function runningWords(status: IBatchKernelStatus): string {
  const where = status.node ? ` on ${status.node}` : '';
  const resources = status.resources ? ` (${status.resources})` : '';
  return `Kernel running${where} in job ${status.job_id ?? '?'}${resources}.`;
}
