/**
 * Right-size: how much of what an ended job asked for it used (CPU, memory,
 * time), and the request its next run should make. Pure: numbers in, numbers
 * and words out; the history and the details tabs show them.
 *
 * Memory is compared per node, the unit of Slurm's `--mem`, PBS's select
 * chunk and the submit API's `memory`. On Slurm the peak is one task's
 * (`MaxRSS`) times the tasks its step ran per node, an upper bound; on PBS
 * and Torque `resources_used.mem` is the whole job's, shared out over its
 * nodes.
 */
import type { JobState, JobUsage } from '../api';

/** The site's or the person's margins and floors (the settings editor). */
export interface IRightsizeSettings {
  /** Added to the peak memory, in percent (default 20). */
  memoryMargin: number;
  /** Added to the run time, in percent (default 20). */
  timeMargin: number;
  /** No suggestion asks for less memory per node, in MiB (default 256). */
  minMemoryMiB: number;
  /** No suggestion asks for less time, in minutes (default 10). */
  minTimeMinutes: number;
  /** CPU efficiency below which fewer CPUs are suggested, in percent (default 50). */
  cpuThreshold: number;
}

export const DEFAULT_RIGHTSIZE: IRightsizeSettings = {
  memoryMargin: 20,
  timeMargin: 20,
  minMemoryMiB: 256,
  minTimeMinutes: 10,
  cpuThreshold: 50
};

/** After running out of memory or time, the next run asks for this much more. */
export const GROWTH = 2;

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** The job as right-sizing sees it. */
export interface IRightsizeJob {
  state: JobState;
  /** The batch system's own word (`OUT_OF_MEMORY`, `TIMEOUT`...). */
  raw_state: string;
  usage: JobUsage | null | undefined;
}

/** One resource: used against asked (both in its unit), and the share. */
export interface IUse {
  used: number;
  asked: number;
  /** used / asked, 0.. (may pass 1 when a job used more than asked). */
  ratio: number;
}

export interface IEfficiency {
  /** CPUs busy on average against CPUs given. */
  cpu: IUse | null;
  /** Bytes per node: peak against asked. */
  memory: IUse | null;
  /** Seconds: elapsed against the time limit. */
  time: IUse | null;
}

/** What the next run should ask for; null fields keep the old request. */
export interface ISuggestion {
  /** Per node, in the submit API's form (`1536M`, `2G`). */
  memory: string | null;
  /** Whole minutes. */
  timeMinutes: number | null;
  /** CPUs per node. */
  cpus: number | null;
  /** Sentences: why each figure, and why one is kept. */
  notes: string[];
}

function positive(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}

/** The memory asked per node, in bytes; null when the job asked none. */
export function askedMemoryPerNode(usage: JobUsage): number | null {
  const asked = usage.memory_requested;
  if (!positive(asked)) {
    return null;
  }
  const nodes = positive(usage.nodes) ? usage.nodes : 1;
  switch (usage.memory_per) {
    case 'node':
      return asked;
    case 'cpu':
      return positive(usage.cpus) ? (asked * usage.cpus) / nodes : null;
    case 'job':
      return asked / nodes;
    default:
      return null;
  }
}

/** The peak memory of one node, in bytes; null when none was recorded. */
export function peakMemoryPerNode(
  usage: JobUsage,
  family: 'slurm' | 'pbs'
): number | null {
  if (!positive(usage.max_rss)) {
    return null;
  }
  if (family === 'pbs') {
    return usage.max_rss / (positive(usage.nodes) ? usage.nodes : 1);
  }
  return usage.max_rss * Math.max(1, usage.rss_tasks_per_node || 1);
}

function use(used: number, asked: number): IUse {
  return { used, asked, ratio: used / asked };
}

/** Used against asked, for an ended job; null figures where not known. */
export function efficiency(
  usage: JobUsage | null | undefined,
  family: 'slurm' | 'pbs'
): IEfficiency | null {
  if (!usage || !usage.ended) {
    return null;
  }
  const { elapsed, cpus, total_cpu, time_limit } = usage;
  const cpu =
    positive(elapsed) && positive(cpus) && typeof total_cpu === 'number'
      ? use(total_cpu / elapsed, cpus)
      : null;
  const peak = peakMemoryPerNode(usage, family);
  const asked = askedMemoryPerNode(usage);
  const memory = peak !== null && asked !== null ? use(peak, asked) : null;
  // A job that never ran (cancelled while pending) used nothing to compare.
  const time =
    positive(elapsed) && positive(time_limit) ? use(elapsed, time_limit) : null;
  return { cpu, memory, time };
}

/**
 * Memory rounded up to a unit a person would write: 128 MiB steps below
 * 1 GiB, 512 MiB steps below 16 GiB, whole GiB above. `M` unless whole `G`.
 */
export function roundMemory(bytes: number): string {
  const step = bytes < GIB ? 128 * MIB : bytes < 16 * GIB ? 512 * MIB : GIB;
  // (less a hair: 10.000000001 minutes of float arithmetic is 10)
  const rounded = Math.max(step, Math.ceil(bytes / step - 1e-9) * step);
  return rounded % GIB === 0
    ? `${rounded / GIB}G`
    : `${Math.round(rounded / MIB)}M`;
}

/** Minutes rounded up: 5-minute steps below an hour, 15 below a day, then hours. */
export function roundMinutes(minutes: number): number {
  const step = minutes <= 60 ? 5 : minutes <= 24 * 60 ? 15 : 60;
  return Math.max(step, Math.ceil(minutes / step - 1e-9) * step);
}

/** `1536M` or `2G` as bytes (the forms roundMemory writes). */
export function memoryBytes(text: string): number | null {
  const m = /^(\d+)([MG])$/.exec(text);
  return m ? Number(m[1]) * (m[2] === 'G' ? GIB : MIB) : null;
}

/** Bytes as a person reads them: `200 MiB`, `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB) {
    return `${trim(bytes / GIB)} GiB`;
  }
  if (bytes >= MIB) {
    return `${trim(bytes / MIB)} MiB`;
  }
  return `${trim(bytes / 1024)} KiB`;
}

function trim(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Number(n.toFixed(1)));
}

/** Seconds as `1:05:00`, `12:30` or `45 s`; days as `2-03:00:00`. */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) {
    return `${s} s`;
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (days > 0) {
    return `${days}-${pad(h)}:${pad(m)}:${pad(rest)}`;
  }
  return h > 0 ? `${h}:${pad(m)}:${pad(rest)}` : `${m}:${pad(rest)}`;
}

/** Whole minutes as the submit form shows them: `30 min`, `2 h`, `1 h 15 min`. */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) {
    return `${m} min`;
  }
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Whether the batch system ended the job for its memory. */
export function ranOutOfMemory(job: IRightsizeJob): boolean {
  return /OUT_OF_MEMORY|OOM/i.test(job.raw_state);
}

/**
 * The next run's request. Only a job that completed, or that the batch
 * system stopped at its memory or time limit, says how big a full run is:
 * a failed or cancelled one may have stopped anywhere, so nothing is
 * suggested for it. Each figure has a floor; a figure that cannot be known
 * (no peak memory recorded, no time limit) keeps the old request.
 */
export function suggest(
  job: IRightsizeJob,
  family: 'slurm' | 'pbs',
  settings: IRightsizeSettings = DEFAULT_RIGHTSIZE
): ISuggestion | null {
  const usage = job.usage;
  const eff = efficiency(usage, family);
  if (!usage || !eff) {
    return null;
  }
  const oom = ranOutOfMemory(job);
  const timeout = job.state === 'timeout';
  if (job.state !== 'completed' && !oom && !timeout) {
    return null;
  }
  const notes: string[] = [];
  const floorMemory = settings.minMemoryMiB * MIB;

  // Memory per node.
  let memory: string | null = null;
  const asked = askedMemoryPerNode(usage);
  const peak = peakMemoryPerNode(usage, family);
  const margin = 1 + settings.memoryMargin / 100;
  if (oom) {
    const base = Math.max(asked ?? 0, peak ?? 0);
    if (base > 0) {
      memory = roundMemory(Math.max(base * GROWTH, floorMemory));
      notes.push(
        `It ran out of memory at ${formatBytes(base)} per node: ask for ${GROWTH} times that.`
      );
    } else {
      notes.push('It ran out of memory, but how much it had is not known.');
    }
  } else if (peak !== null) {
    memory = roundMemory(Math.max(peak * margin, floorMemory));
    notes.push(
      `Memory: the peak of ${formatBytes(peak)} per node plus ${settings.memoryMargin}%.`
    );
  } else {
    notes.push(
      'Memory is kept: the batch system recorded no peak memory for this job.'
    );
  }
  if (memory !== null && asked !== null && !oom) {
    // Within one rounding step of what it asked: not worth a change.
    const bytes = memoryBytes(memory);
    if (bytes !== null && Math.abs(bytes - asked) < 128 * MIB) {
      memory = null;
    }
  }

  // Time.
  let timeMinutes: number | null = null;
  const limit = usage.time_limit;
  const elapsed = usage.elapsed;
  if (timeout) {
    if (positive(limit)) {
      timeMinutes = roundMinutes(
        Math.max((limit * GROWTH) / 60, settings.minTimeMinutes)
      );
      notes.push(
        `It reached its time limit of ${formatSeconds(limit)}: ask for ${GROWTH} times that.`
      );
    }
  } else if (typeof elapsed === 'number' && elapsed >= 0) {
    const wanted = roundMinutes(
      Math.max(
        ((elapsed / 60) * (100 + settings.timeMargin)) / 100,
        settings.minTimeMinutes
      )
    );
    if (!positive(limit) || Math.abs(wanted * 60 - limit) >= 60) {
      timeMinutes = wanted;
      notes.push(
        `Time: ${formatSeconds(elapsed)} plus ${settings.timeMargin}%, rounded up.`
      );
    }
  }

  // CPUs per node: only lowered, and only for a job that ran to its end.
  let cpus: number | null = null;
  if (
    !oom &&
    !timeout &&
    eff.cpu &&
    positive(usage.cpus) &&
    eff.cpu.ratio * 100 < settings.cpuThreshold
  ) {
    const nodes = positive(usage.nodes) ? usage.nodes : 1;
    const perNode = Math.max(1, Math.ceil(eff.cpu.used / nodes));
    if (perNode < usage.cpus / nodes) {
      cpus = perNode;
      notes.push(
        `CPUs: on average ${trim(eff.cpu.used)} of ${usage.cpus} were busy.`
      );
    }
  }
  return { memory, timeMinutes, cpus, notes };
}

/** Whether a suggestion changes anything. */
export function changesRequest(s: ISuggestion | null): boolean {
  return (
    s !== null &&
    (s.memory !== null || s.timeMinutes !== null || s.cpus !== null)
  );
}

/** `42 %`, as the history's CPU efficiency. */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

/** The settings from the settings editor's values, unknown ones defaulted. */
export function rightsizeSettings(
  values: Partial<Record<keyof IRightsizeSettings, unknown>>
): IRightsizeSettings {
  const out = { ...DEFAULT_RIGHTSIZE };
  for (const key of Object.keys(DEFAULT_RIGHTSIZE) as Array<
    keyof IRightsizeSettings
  >) {
    const v = values[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
      out[key] = v;
    }
  }
  return out;
}
