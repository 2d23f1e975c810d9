/**
 * The one-line facts under a job's title, in the batch system's own words: Slurm
 * calls where a job runs a partition, PBS a queue.
 */
import type { JobRecord } from '../api';

export type DetailsSchedulerKind = 'slurm' | 'pbs';

export function headerFacts(
  job: Pick<JobRecord, 'user' | 'partition' | 'account' | 'nodelist'>,
  kind: DetailsSchedulerKind
): string[] {
  const where = kind === 'pbs' ? 'queue' : 'partition';
  return [
    job.user && `user ${job.user}`,
    job.partition && `${where} ${job.partition}`,
    job.account && `account ${job.account}`,
    job.nodelist && `on ${job.nodelist}`
  ].filter((fact): fact is string => Boolean(fact));
}

/** Why the Batch script section is empty. */
export function scriptMissingText(kind: DetailsSchedulerKind): string {
  return kind === 'pbs'
    ? 'PBS shows a job’s script only to its administrators (printjob), not to the job’s owner.'
    : 'The scheduler does not show this job’s script (it only keeps it for your own jobs, while they are known).';
}
