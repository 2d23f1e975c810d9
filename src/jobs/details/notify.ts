/**
 * The end-of-job notification: words and kind for a job that ended.
 */
import { Notification } from '@jupyterlab/apputils';

import { formatDuration } from '../queue/jobs';
import type { IJobEnding } from './watcher';

export type EndingKind = 'success' | 'error' | 'warning' | 'info';

/** Success for completed, error for failed and timed out, warning for cancelled. */
export function endingKind(ending: IJobEnding): EndingKind {
  switch (ending.state) {
    case 'completed':
      return 'success';
    case 'failed':
    case 'timeout':
      return 'error';
    case 'cancelled':
      return 'warning';
    default:
      return 'info';
  }
}

/** "Job 123 “fit model” completed after 2:03." */
export function endingMessage(ending: IJobEnding): string {
  const what = ending.tasks > 0 ? 'Array job' : 'Job';
  const name = ending.name ? ` “${ending.name}”` : '';
  const head = `${what} ${ending.jobId}${name}`;
  const after =
    ending.elapsed !== null && ending.tasks === 0
      ? ` after ${formatDuration(ending.elapsed)}`
      : '';
  if (ending.tasks > 0) {
    const failed =
      ending.tasksFailed > 0 ? `, ${ending.tasksFailed} did not complete` : '';
    return `${head} ended: ${ending.tasks} tasks${failed}.`;
  }
  switch (ending.state) {
    case 'completed':
      return `${head} completed${after}.`;
    case 'failed': {
      const why = ending.exitSignal
        ? ` (signal ${ending.exitSignal})`
        : ending.exitCode !== null
          ? ` (exit code ${ending.exitCode})`
          : '';
      return `${head} failed${why}${after}.`;
    }
    case 'timeout':
      return `${head} reached its time limit${after}.`;
    case 'cancelled':
      return `${head} was cancelled${after}.`;
    default:
      return `${head} left the queue; its final state is not known.`;
  }
}

/** Show the notification, with a "Show details" action. */
export function notifyJobEnded(
  ending: IJobEnding,
  showDetails: (jobId: string) => void
): string {
  const kind = endingKind(ending);
  return Notification.emit(endingMessage(ending), kind, {
    autoClose: kind === 'success' || kind === 'info' ? 10000 : false,
    actions: [
      {
        label: 'Show details',
        caption: `Open the details of job ${ending.jobId}`,
        callback: () => showDetails(ending.jobId)
      }
    ]
  });
}
