/**
 * "Resubmit a copy": the script and submit options of a job, for the submit
 * panel (`hpc:submit-job`). The output paths are left out: the old ones are
 * already resolved (`slurm-123.out`) and the copy would write into them.
 */
import type { JobDetail, SubmitOptions } from '../api';
import type { IDetailsScheduler } from './facts';

export interface IResubmitArgs {
  script: string;
  options: SubmitOptions;
}

/** A time limit in seconds as whole minutes, the form the submit API takes. */
function minutes(seconds: number | null): string | null {
  return seconds === null || seconds === undefined
    ? null
    : String(Math.max(1, Math.ceil(seconds / 60)));
}

/** The first of `keys` that `requested` has, as a positive integer. */
function count(
  requested: Record<string, string>,
  ...keys: string[]
): number | null {
  for (const key of keys) {
    const n = Number.parseInt(requested[key] ?? '', 10);
    if (Number.isFinite(n) && n > 0) {
      return n;
    }
  }
  return null;
}

/** The copy's arguments; null when the scheduler no longer has the script. */
export function resubmitArgs(detail: JobDetail): IResubmitArgs | null {
  if (!detail.script) {
    return null;
  }
  const { job } = detail;
  const requested = detail.requested ?? {};
  const options: SubmitOptions = {};
  const text = (value: string | null | undefined) =>
    value && value !== '(null)' ? value : null;
  const set = <K extends keyof SubmitOptions>(
    key: K,
    value: SubmitOptions[K] | null
  ) => {
    if (value !== null && value !== undefined) {
      options[key] = value;
    }
  };
  set('name', text(job.name));
  set('partition', text(job.partition));
  set('account', text(job.account));
  set('qos', text(job.qos));
  set('nodes', job.nodes ?? null);
  set('ntasks', count(requested, 'tasks', 'ntasks'));
  set('cpus', count(requested, 'cpus_per_task'));
  // Memory per node only (`4G`); "1G per CPU" has no form field.
  const memory = requested.memory ?? '';
  set('memory', /^\d+[KMGT]?$/i.test(memory) ? memory : null);
  set('time_limit', minutes(job.time_limit));
  set('gres', text(job.gres));
  set('workdir', text(job.work_dir));
  return { script: detail.script, options };
}

/**
 * Why "Resubmit a copy" has nothing to copy. Slurm keeps a job's script while it
 * remembers the job; PBS gives it only to its administrators (printjob), never to users.
 */
export function noScriptReason(scheduler: IDetailsScheduler): string {
  return scheduler.family === 'pbs'
    ? `${scheduler.name} shows a job’s script only to its administrators, so there is nothing to copy.`
    : 'The scheduler no longer has this job’s script, so there is nothing to copy.';
}
