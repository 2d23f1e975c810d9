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
