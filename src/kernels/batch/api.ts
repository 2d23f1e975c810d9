/**
 * The typed client of `batch-kernels` (kernels/batch/handlers.py): this
 * server's kernels that run inside batch jobs, and Cancel for one whose job
 * still waits.
 */
import { requestAPI } from '../../common/request';

/** Where a batch kernel is: from its submission to its end. */
export type BatchPhase =
  'submitting' | 'pending' | 'starting' | 'running' | 'ended' | 'failed';

/** One kernel in a batch job, as the server's registry keeps it. */
export interface IBatchKernelStatus {
  kernel_id: string;
  /** The batch system: `slurm`, `pbs` or `torque`. */
  kind: string;
  phase: BatchPhase;
  job_id: string | null;
  kernel_name: string;
  /** The notebook (or console) it was started for, relative to the server's root. */
  path: string | null;
  partition: string;
  /** The resources in words: "debug, 4 CPUs, 8G". */
  resources: string;
  /** The batch system's own state word: PENDING, RUNNING, Q... */
  state: string;
  /** Why it waits, in words. */
  reason: string;
  /** When the batch system expects it to start (ISO local time), if it says. */
  expected_start: string | null;
  node: string;
  /** Why it ended or failed. */
  message: string;
  /** It ended without being asked to (its job ended, the kernel exited). */
  unexpected: boolean;
  /** When it was submitted, and last changed (seconds since the epoch). */
  submitted: number | null;
  updated: number;
}

export async function listBatchKernels(): Promise<IBatchKernelStatus[]> {
  const answer = await requestAPI<{ kernels: IBatchKernelStatus[] }>(
    'batch-kernels'
  );
  return answer.kernels;
}

export async function fetchBatchKernel(
  kernelId: string
): Promise<IBatchKernelStatus> {
  return requestAPI<IBatchKernelStatus>(
    `batch-kernels/${encodeURIComponent(kernelId)}`
  );
}

/** Cancel a kernel whose job still waits: its start then fails, and the job leaves the queue. */
export async function cancelBatchKernel(kernelId: string): Promise<void> {
  await requestAPI<{ cancelled: boolean }>(
    `batch-kernels/${encodeURIComponent(kernelId)}/cancel`,
    { method: 'POST', body: '{}' }
  );
}

/** A partition (a queue on PBS and Torque) the job may ask for. */
export interface IPartitionChoice {
  name: string;
  default: boolean;
  available: string;
  /** Its time limit in minutes, null when none. */
  time_limit: number | null;
}

/** The batch system's kind and its partitions, for the kernel editor. */
export async function fetchPlaces(): Promise<{
  kind: string | null;
  partitions: IPartitionChoice[];
}> {
  const caps = await requestAPI<{ scheduler: { kind: string | null } }>(
    'capabilities'
  );
  if (!caps.scheduler.kind) {
    return { kind: null, partitions: [] };
  }
  const answer = await requestAPI<{ partitions: IPartitionChoice[] }>(
    'partitions'
  );
  return { kind: caps.scheduler.kind, partitions: answer.partitions };
}

/** What Slurm said of a kernel's job it was asked about (sbatch --test-only). */
export interface IStartEstimate {
  /** ISO 8601 local time; null when Slurm gave none. */
  estimated_start: string | null;
  nodes: string | null;
  /** Slurm's own words. */
  message: string;
}

/**
 * Ask the batch system when a kernel's job with these options would start
 * (`POST jobs/submit` with `test_only`: nothing is submitted). The job
 * script is the kernel's: one command, the options are all in `options`.
 */
export async function estimateStart(
  options: Record<string, unknown>
): Promise<IStartEstimate> {
  return requestAPI<IStartEstimate>('jobs/submit', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      script: '#!/bin/bash\n# A Jupyter kernel\n',
      options,
      test_only: true
    })
  });
}
