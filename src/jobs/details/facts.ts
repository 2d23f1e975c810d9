/**
 * The one-line facts under a job's title, in the batch system's own words: Slurm
 * calls where a job runs a partition, PBS (and Torque, of its family) a queue.
 */
import type { JobRecord } from '../api';
import { FAMILY_WORDS, SchedulerFamily } from '../../common/scheduler';

/** The family's words and the product's name (`Torque`, `OpenPBS`, `Slurm`). */
export interface IDetailsScheduler {
  family: SchedulerFamily;
  name: string;
}

export function headerFacts(
  job: Pick<JobRecord, 'user' | 'partition' | 'account' | 'nodelist'>,
  family: SchedulerFamily
): string[] {
  const where = FAMILY_WORDS[family].where;
  return [
    job.user && `user ${job.user}`,
    job.partition && `${where} ${job.partition}`,
    job.account && `account ${job.account}`,
    job.nodelist && `on ${job.nodelist}`
  ].filter((fact): fact is string => Boolean(fact));
}

/** Why the Batch script section is empty. */
export function scriptMissingText(scheduler: IDetailsScheduler): string {
  return scheduler.family === 'pbs'
    ? `${scheduler.name} shows a job’s script only to its administrators (printjob), not to the job’s owner.`
    : 'The scheduler does not show this job’s script (it only keeps it for your own jobs, while they are known).';
}
