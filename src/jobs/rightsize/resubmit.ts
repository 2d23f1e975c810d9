/**
 * "Resubmit with these": the arguments of `hpc:submit-job` for a job's next
 * run with the suggested request. Built on the details' "Resubmit a copy"
 * (`resubmitArgs`): the same script and options, with memory, time and CPUs
 * replaced; the submit tab writes them into the `#SBATCH`/`#PBS` lines
 * (`SubmitModel.applyOptions`, `directives.ts`). Pure.
 */
import type { JobRecord, SubmitOptions } from '../api';
import { parseScript, setExtra } from '../submit/directives';
import type { SchedulerKind } from '../submit/directives';
import type { IResubmitArgs } from '../details/resubmit';
import type { ISuggestion } from './rightsize';

/** What `hpc:submit-job` takes; no script: the submit tab starts its own. */
export interface IRightsizedArgs {
  script?: string;
  options: SubmitOptions;
}

/** sbatch options that cannot stand beside `--mem` (sbatch refuses both). */
const SLURM_MEMORY_OPTIONS = /^--mem-per-(cpu|gpu)(=|\s|$)/;

/** Tasks the script (or the copied options) asks for; 1 when it does not say. */
function tasksOf(script: string, kind: SchedulerKind, options: SubmitOptions) {
  const written = parseScript(script, kind).fields.ntasks;
  const n = Number.parseInt(String(options.ntasks ?? written ?? '1'), 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

/**
 * Drop the directives that would contradict the new memory request: on Slurm
 * `--mem-per-cpu`/`--mem-per-gpu` (PBS's memory is one resource, rewritten
 * in place).
 */
function withoutMemoryOptions(script: string, kind: SchedulerKind): string {
  if (kind !== 'slurm') {
    return script;
  }
  const extra = parseScript(script, kind).extra;
  const kept = extra.filter(e => !SLURM_MEMORY_OPTIONS.test(e.trim()));
  return kept.length === extra.length ? script : setExtra(script, kind, kept);
}

/**
 * The copy's arguments with the suggestion written in. CPUs are changed only
 * for a job of one task (the form's CPUs are per task: with several tasks,
 * fewer CPUs per node is not one number to write).
 */
export function rightsizedArgs(
  copy: IResubmitArgs,
  suggestion: ISuggestion,
  kind: SchedulerKind
): IRightsizedArgs {
  let script = copy.script;
  const options: SubmitOptions = { ...copy.options };
  if (suggestion.memory !== null) {
    options.memory = suggestion.memory;
    script = withoutMemoryOptions(script, kind);
  }
  if (suggestion.timeMinutes !== null) {
    options.time_limit = String(suggestion.timeMinutes);
  }
  if (suggestion.cpus !== null && tasksOf(script, kind, options) <= 1) {
    options.cpus = suggestion.cpus;
  }
  return { script, options };
}

/**
 * Without the script (the batch system no longer keeps it): the job's own
 * options and the suggestion, for the submit tab's starter script.
 */
export function rightsizedOptions(
  job: JobRecord,
  suggestion: ISuggestion
): IRightsizedArgs {
  const options: SubmitOptions = {};
  const text = (v: string | null | undefined) =>
    v && v !== '(null)' ? v : undefined;
  options.name = text(job.name);
  options.partition = text(job.partition);
  options.account = text(job.account);
  options.qos = text(job.qos);
  // Where it ran: the job's folder, as "Resubmit a copy" does.
  options.workdir = text(job.work_dir);
  if (job.nodes) {
    options.nodes = job.nodes;
  }
  if (suggestion.memory !== null) {
    options.memory = suggestion.memory;
  }
  if (suggestion.timeMinutes !== null) {
    options.time_limit = String(suggestion.timeMinutes);
  }
  if (suggestion.cpus !== null) {
    options.cpus = suggestion.cpus;
  }
  for (const key of Object.keys(options) as Array<keyof SubmitOptions>) {
    if (options[key] === undefined) {
      delete options[key];
    }
  }
  return { options };
}
