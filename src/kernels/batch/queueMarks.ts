/**
 * The queue panel's "Kernel" mark on jobs that run this server's batch
 * kernels, with the notebook each one serves in its tooltip.
 *
 * This server's registry (`batch-kernels`, no scheduler command) is read only
 * when the listing shows a job named as the provisioner names its jobs
 * (`kernel-...`, or an allocation a kernel joined) that it has not read for.
 */
import type { ISignal } from '@lumino/signaling';

import { IBatchKernelStatus, listBatchKernels } from './api';

/** What this needs of the queue panel's model. */
export interface IMarkedQueue {
  readonly changed: ISignal<unknown, void>;
  readonly jobs: readonly { id: string; name: string }[];
  setMarks(
    source: string,
    marks: ReadonlyMap<string, { label: string; title: string }>
  ): void;
}

export const KERNEL_MARK = 'batch-kernel';

/** The marks of the kernels that hold a job (pure). */
export function kernelMarks(
  kernels: readonly IBatchKernelStatus[]
): Map<string, { label: string; title: string }> {
  const marks = new Map<string, { label: string; title: string }>();
  for (const k of kernels) {
    if (!k.job_id || k.phase === 'ended' || k.phase === 'failed') {
      continue;
    }
    const serves = k.path ? `the kernel of ${k.path}` : 'a kernel';
    const what = k.kernel_name ? ` (${k.kernel_name})` : '';
    const old = marks.get(k.job_id);
    const title = old
      ? `${old.title}; and ${serves}${what}`
      : `This job runs ${serves}${what}, started from this JupyterLab. Shutting the kernel down ends it.`;
    marks.set(k.job_id, { label: 'Kernel', title });
  }
  return marks;
}

/**
 * Keep the queue's kernel marks in step with its listing, and with
 * `kernelsChanged` (a kernel of this JupyterLab started or ended: one that
 * joined an allocation changes no job name).
 */
export function markKernelJobs(
  queue: IMarkedQueue,
  kernelsChanged: ISignal<unknown, void> | null,
  list: () => Promise<IBatchKernelStatus[]> = listBatchKernels
): () => void {
  let known = new Set<string>(); // job ids the last read covered
  let reading = false;
  let again = false;
  const update = async (force = false) => {
    const wanted = queue.jobs
      .filter(j => j.name.startsWith('kernel-') || known.has(j.id))
      .map(j => j.id);
    if (reading) {
      again = again || force;
      return;
    }
    if (!force && wanted.every(id => known.has(id))) {
      return;
    }
    reading = true;
    try {
      const kernels = await list();
      const marks = kernelMarks(kernels);
      known = new Set([...wanted, ...marks.keys()]);
      queue.setMarks(KERNEL_MARK, marks);
    } catch {
      // This server did not answer: the rows stay unmarked until the next change.
    } finally {
      reading = false;
    }
    if (again) {
      again = false;
      await update(true);
    }
  };
  const onListing = () => void update();
  const onKernels = () => void update(true);
  queue.changed.connect(onListing);
  kernelsChanged?.connect(onKernels);
  void update();
  return () => {
    queue.changed.disconnect(onListing);
    kernelsChanged?.disconnect(onKernels);
  };
}
