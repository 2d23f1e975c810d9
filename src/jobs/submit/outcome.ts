/**
 * The sentences of the Check / Submit outcome, per batch system. Slurm answers a check
 * itself (sbatch --test-only); PBS and Torque have no test submission, so there the options and the
 * #PBS lines are checked by the server extension, and the words must not claim that the
 * batch system accepted the job.
 */
import { isPbsFamily } from '../../common/scheduler';
import type { SchedulerKind } from './directives';

/** While the check runs. */
export function checkingText(kind: SchedulerKind, name: string): string {
  return isPbsFamily(kind)
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
  if (isPbsFamily(kind)) {
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
    return isPbsFamily(kind)
      ? 'qsub would not take these options:'
      : `${name} would not take the job:`;
  }
  return `${name} refused the job:`;
}

/** The Check button's tooltip: what a check asks, and of whom. */
export function checkTitle(kind: SchedulerKind, name: string): string {
  return isPbsFamily(kind)
    ? `${name} has no test submission: the options and #PBS lines are checked here, nothing is submitted`
    : `Ask ${name} whether it would take the job and when it would start (sbatch --test-only); nothing is submitted`;
}
