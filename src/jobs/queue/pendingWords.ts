/**
 * Pure: a waiting job's explanation (`GET jobs/pending`) in the row's tooltip
 * and the job details' lines. The cells are `jobs.ts`'s `cellText`.
 */
import type { Job, PendingExplanation } from '../api';
import { formatTime, isWaiting } from './jobs';

export { isWaiting };

/** The row's tooltip for a waiting job; '' when there is nothing to say. */
export function pendingTooltip(
  job: Job,
  explanation: PendingExplanation | undefined
): string {
  if (!isWaiting(job) || !explanation) {
    return '';
  }
  const lines = [`Job ${job.id} waits: ${explanation.summary}.`];
  if (explanation.expected_start) {
    lines.push(`Expected start: ${formatTime(explanation.expected_start)}.`);
  }
  if (explanation.advice) {
    lines.push(`What you can do: ${explanation.advice}`);
  }
  if (explanation.reason && explanation.reason !== explanation.summary) {
    lines.push(`(${explanation.reason})`);
  }
  return lines.join('\n');
}

/** The job details' lines: [label, text] pairs, the empty ones left out. */
export function pendingLines(
  explanation: PendingExplanation
): Array<[string, string]> {
  const lines: Array<[string, string]> = [['Reason', explanation.summary]];
  if (explanation.expected_start) {
    lines.push(['Expected start', formatTime(explanation.expected_start)]);
  }
  if (explanation.advice) {
    lines.push(['What you can do', explanation.advice]);
  }
  if (explanation.reason && explanation.reason !== explanation.summary) {
    lines.push(['Reason code', explanation.reason]);
  }
  return lines;
}
