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
