/**
 * Pure: the status bar item's words ("Job 123 · 1:42 left · 2.1/4 GiB ·
 * 4 CPUs"), its tooltip, and which warnings are due.
 */
import type { SessionJob } from './api';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** 1:42 (h:mm) from an hour on, "42 min" below, "30 s" in the last minute. */
export function formatLeft(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const clock = `${hours}:${pad(minutes % 60)}`;
  return days > 0 ? `${days} d ${clock}` : clock;
}

/** A duration as h:mm:ss (a time limit). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

function trim(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.0+$/, '');
}

/** "2.1/4 GiB", "310/512 MiB", "2.1 GiB" without a limit. */
export function formatMemory(
  used: number | null,
  limit: number | null
): string {
  const scale = Math.max(used ?? 0, limit ?? 0) >= GiB ? GiB : MiB;
  const unit = scale === GiB ? 'GiB' : 'MiB';
  const digits = scale === GiB ? 1 : 0;
  const u = used === null ? '?' : trim(used / scale, digits);
  return limit === null
    ? `${u} ${unit}`
    : `${u}/${trim(limit / scale, digits)} ${unit}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The item's text; `secondsLeft` is now's (counted down since the answer). */
export function sessionLabel(
  job: SessionJob,
  secondsLeft: number | null
): string {
  const parts = [`Job ${job.id}`];
  if (secondsLeft !== null) {
    parts.push(`${formatLeft(secondsLeft)} left`);
  }
  const memory = job.memory;
  if (memory && (memory.used !== null || memory.limit !== null)) {
    parts.push(formatMemory(memory.used, memory.limit));
  }
  if (job.cpus) {
    parts.push(plural(job.cpus, 'CPU'));
  }
  if (job.gpus) {
    parts.push(plural(job.gpus, 'GPU'));
  }
  return parts.join(' · ');
}

/** The share of the limit in use, 0..1+; null when either is unknown. */
export function memoryShare(job: SessionJob): number | null {
  const m = job.memory;
  if (!m || m.used === null || !m.limit) {
    return null;
  }
  return m.used / m.limit;
}

function clock(epoch: number): string {
  const d = new Date(epoch * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const SOURCES: Record<string, string> = {
  sstat: 'measured by Slurm (sstat)',
  qstat: 'as the batch system last measured it (qstat)',
  'cgroup v1': "read from the job's cgroup",
  'cgroup v2': "read from the job's cgroup"
};

/** The tooltip: every figure in words, and what a click does. */
export function sessionTooltip(
  job: SessionJob,
  secondsLeft: number | null,
  now: number
): string {
  const lines: string[] = [];
  const where = [
    job.partition ? `partition ${job.partition}` : '',
    job.node ? `node ${job.node}` : ''
  ]
    .filter(Boolean)
    .join(', ');
  lines.push(
    `This Jupyter server runs in job ${job.id}${job.name ? ` (${job.name})` : ''}${where ? ` on ${where}` : ''}.`
  );
  if (job.end && secondsLeft !== null) {
    const limit = job.time_limit
      ? `, time limit ${formatDuration(job.time_limit)}`
      : '';
    lines.push(
      `It ends at ${clock(job.end)} (${formatLeft(secondsLeft)} left${limit}); the server stops with it.`
    );
  }
  const m = job.memory;
  if (m && m.used !== null) {
    const share = memoryShare(job);
    const of = m.limit !== null ? ` of ${formatMemory(m.limit, null)}` : '';
    const pct = share !== null ? ` (${Math.round(share * 100)} %)` : '';
    const age =
      m.measured_at !== null
        ? `, ${Math.max(0, Math.round(now - m.measured_at))} s ago`
        : '';
    lines.push(
      `Memory: ${formatMemory(m.used, null)}${of}${pct}, ${SOURCES[m.source] ?? m.source}${age}.`
    );
  } else if (m?.error) {
    lines.push(`Memory: not known (${m.error}).`);
  }
  const held = [
    job.cpus ? plural(job.cpus, 'CPU') : '',
    job.gpus ? plural(job.gpus, 'GPU') : ''
  ].filter(Boolean);
  if (held.length) {
    lines.push(`It holds ${held.join(' and ')}.`);
  }
  if (job.error) {
    lines.push(`The batch system did not answer: ${job.error}`);
  }
  lines.push("Click to open the job's details.");
  return lines.join('\n');
}

/**
 * The time warnings due now: of the thresholds (minutes before the end) that
 * `secondsLeft` has passed and were not announced, the smallest one (a later
 * one says more than an earlier one). Every passed threshold is added to
 * `announced`, so each is announced once, and none after a late start.
 */
export function dueTimeWarning(
  secondsLeft: number | null,
  thresholds: number[],
  announced: Set<number>
): number | null {
  if (secondsLeft === null) {
    return null;
  }
  let due: number | null = null;
  for (const minutes of thresholds) {
    if (secondsLeft <= minutes * 60 && !announced.has(minutes)) {
      announced.add(minutes);
      due = due === null ? minutes : Math.min(due, minutes);
    }
  }
  return due;
}

/** The memory warning is due once the share passes `threshold` (0..1). */
export function memoryWarningDue(job: SessionJob, threshold: number): boolean {
  const share = memoryShare(job);
  return share !== null && share >= threshold;
}

/** Settings as numbers: the minutes list (positive, sorted, unique), 0..1 share. */
export function readThresholds(
  minutes: unknown,
  percent: unknown
): {
  minutes: number[];
  memory: number;
} {
  const list = Array.isArray(minutes) ? minutes : [15, 5];
  const clean = [
    ...new Set(
      list.filter(
        (m): m is number => typeof m === 'number' && isFinite(m) && m > 0
      )
    )
  ].sort((a, b) => b - a);
  const pct = typeof percent === 'number' && percent > 0 ? percent : 90;
  return { minutes: clean, memory: pct / 100 };
}
