/**
 * Pure: the line beside the submit tab's partition field: what is free there
 * now (from the cluster summary the Cluster tab shows) and what the batch
 * system's test submission says (Slurm's `sbatch --test-only`).
 */
import type { PartitionSummary } from '../../cluster/api';
import type { SubmitResult } from '../api';
import { formatTime } from '../queue/jobs';

function gib(mib: number): string {
  const g = mib / 1024;
  return `${g >= 10 ? Math.round(g) : Math.round(g * 10) / 10} GiB`;
}

/**
 * "Free now on debug: 6 of 8 CPUs, 2 of 4 GPUs, 10 of 12 GiB memory, 1 of 1
 * nodes idle"; `where` is "partition" or "queue". Parts the batch system does
 * not report are left out.
 */
export function freeNowText(
  p: PartitionSummary | undefined,
  where: string
): string {
  if (!p) {
    return '';
  }
  if (p.state !== 'up') {
    return `The ${where} ${p.name} is ${p.state}: it takes no new jobs now.`;
  }
  const parts: string[] = [];
  if (p.cpus.free !== null) {
    parts.push(`${p.cpus.free} of ${p.cpus.total} CPUs`);
  }
  if (p.gpus.total > 0 && p.gpus.free !== null) {
    parts.push(`${p.gpus.free} of ${p.gpus.total} GPUs`);
  }
  if (p.memory && p.memory.free !== null) {
    parts.push(`${gib(p.memory.free)} of ${gib(p.memory.total)} memory`);
  }
  if (p.nodes > 0) {
    parts.push(`${p.node_states.idle} of ${p.nodes} nodes idle`);
  }
  return parts.length ? `Free now on ${p.name}: ${parts.join(', ')}` : '';
}

/** "Would start at 2026-12-04 14:05 on vm", from a test submission. */
export function estimateText(result: SubmitResult): string {
  if (!result.estimated_start) {
    return result.message;
  }
  const on = result.nodes ? ` on ${result.nodes}` : '';
  return `Would start at ${formatTime(result.estimated_start)}${on}`;
}
