/**
 * What the "All jobs" view says when the batch system shows the user only
 * their own jobs (Torque with `query_other_jobs` off, its default): without a
 * word, "All jobs" would look like a queue where nobody else works. Pure.
 */
import type { Capabilities, Job } from '../api';
import { schedulerName } from '../../common/scheduler';

/** Why only the user's jobs are listed, or null when there is no such rule. */
function ownJobsRule(caps: Capabilities | null): string | null {
  if (!caps?.scheduler.own_jobs_only) {
    return null;
  }
  const name = schedulerName(caps.scheduler);
  const setting =
    caps.scheduler.kind === 'torque'
      ? ' (its query_other_jobs setting is off)'
      : '';
  return `${name} shows each user only their own jobs${setting}`;
}

/**
 * The line above the table of "All jobs": null in "My jobs", where there is no
 * such rule, and while another user's job is listed (the server's managers
 * see every job whatever the setting says).
 */
export function ownJobsOnlyNote(
  caps: Capabilities | null,
  scope: 'mine' | 'all',
  jobs: readonly Job[]
): string | null {
  const rule = ownJobsRule(caps);
  if (scope !== 'all' || rule === null || !caps) {
    return null;
  }
  if (jobs.some(job => job.user !== caps.user)) {
    return null;
  }
  return `${rule}: All jobs lists yours alone.`;
}

/** The empty "All jobs" view's sentence. */
export function emptyAllJobsText(caps: Capabilities | null): string {
  const rule = ownJobsRule(caps);
  return rule === null
    ? 'The queue is empty: nobody has a job in it.'
    : `You have no jobs in the queue, and ${rule}.`;
}
