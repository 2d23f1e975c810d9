/**
 * The sentences of the Check / Submit outcome, per batch system. Slurm answers a check
 * itself (sbatch --test-only); PBS has no test submission, so there the options and the
 * #PBS lines are checked by the server extension, and the words must not claim that the
 * batch system accepted the job.
 */
import type { SchedulerKind } from './directives';

/** While the check runs. */
export function checkingText(kind: SchedulerKind, name: string): string {
  return kind === 'pbs'
    ? 'Checking the options and #PBS lines for qsub…'
    : `Asking ${name} whether it would take the job…`;
}

/** The first line of a successful check. */
export function checkOkText(
  kind: SchedulerKind,
  name: string,
  start: string,
  nodes: string | null
): string {
  if (kind === 'pbs') {
    return 'qsub would accept these options.';
  }
  return (
    `${name} would take this job` +
    (start ? `; it would start around ${start}` : '') +
    (nodes ? ` on ${nodes}` : '') +
    '.'
  );
}

/** The first line of a refusal (the batch system's or the check's own message follows). */
export function refusedText(
  kind: SchedulerKind,
  name: string,
  outcome: 'check' | 'submit'
): string {
  if (outcome === 'check') {
    return kind === 'pbs'
      ? 'qsub would not take these options:'
      : `${name} would not take the job:`;
  }
  return `${name} refused the job:`;
}
