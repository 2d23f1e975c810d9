/**
 * The typed client of `GET session` (server: `jupyterlab_hpc/session/`): the
 * batch job this Jupyter server runs in, or none.
 */
import { requestAPI } from '../common/request';

/** The job's memory now: bytes, and where the figure came from. */
export interface SessionMemory {
  used: number | null;
  limit: number | null;
  /** `cgroup v1`, `cgroup v2`, `sstat` (Slurm) or `qstat` (PBS, Torque). */
  source: string;
  /** Epoch seconds of the measure. */
  measured_at: number | null;
  error: string | null;
}

/**
 * The session job. Times are epoch seconds; `seconds_left` is at the answer's
 * `now`. The figures from the job's record are missing until the batch system
 * answered once (`error` says why).
 */
export interface SessionJob {
  id: string;
  kind: string;
  node: string;
  step: string;
  record_at: number | null;
  error: string | null;
  memory: SessionMemory | null;
  name?: string;
  partition?: string;
  state?: string;
  raw_state?: string;
  nodes?: string;
  start?: number | null;
  end?: number | null;
  time_limit?: number | null;
  seconds_left?: number | null;
  cpus?: number | null;
  gpus?: number | null;
}

export interface SessionAnswer {
  job: SessionJob | null;
  /** Why there is no session job. */
  message?: string;
  now?: number;
  /** Seconds between two measures of the memory on the server. */
  refresh?: number;
}

export function fetchSession(): Promise<SessionAnswer> {
  return requestAPI<SessionAnswer>('session');
}
