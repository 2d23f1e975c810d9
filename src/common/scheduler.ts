/**
 * Which family a batch system belongs to, and the words that follow from it.
 *
 * The server answers `scheduler.kind` = `slurm`, `pbs` (OpenPBS, PBS
 * Professional) or `torque`. Torque speaks PBS: its jobs wait in queues, are
 * submitted with qsub from `#PBS` lines, held with qhold, and carry PBS's
 * state letters. So every view asks `familyOf(kind)` for its words instead of
 * testing `kind === 'pbs'`, and shows the product's own name (`flavour`:
 * "Torque", "OpenPBS") where it names the batch system to the person. Only the
 * submit tab cares about Torque's own directive forms (see
 * jobs/submit/directives).
 */

/** What the server may answer as `scheduler.kind`. */
export type SchedulerKindAnswer = 'slurm' | 'pbs' | 'torque' | null;

/** The two families of words the panels speak. */
export type SchedulerFamily = 'slurm' | 'pbs';

/** The part of the capabilities' `scheduler` these functions read. */
export interface ISchedulerIdentity {
  kind: SchedulerKindAnswer | string | undefined;
  flavour?: string | null;
}

/** `torque` and `pbs` are the PBS family; anything else is spoken as Slurm. */
export function familyOf(
  kind: SchedulerKindAnswer | string | null | undefined
): SchedulerFamily {
  return kind === 'pbs' || kind === 'torque' ? 'pbs' : 'slurm';
}

/** Whether a kind speaks PBS (queues, qsub, `#PBS`). */
export function isPbsFamily(
  kind: SchedulerKindAnswer | string | null | undefined
): boolean {
  return familyOf(kind) === 'pbs';
}

/**
 * The batch system's name for the person: the product the server found
 * (`Torque`, `OpenPBS`, `PBS Professional`, `Slurm`), else a name from the kind.
 */
export function schedulerName(
  scheduler: ISchedulerIdentity | null | undefined
): string {
  if (scheduler?.flavour) {
    return scheduler.flavour;
  }
  switch (scheduler?.kind) {
    case 'torque':
      return 'Torque';
    case 'pbs':
      return 'PBS';
    default:
      return 'Slurm';
  }
}

/** The commands and words of a family. */
export interface IFamilyWords {
  /** The command that submits a script. */
  submit: string;
  cancel: string;
  hold: string;
  release: string;
  /** The prefix of a directive line in a batch script. */
  directive: string;
  /** What a job is sent to: a Slurm partition, a PBS queue. */
  where: string;
}

export const FAMILY_WORDS: Record<SchedulerFamily, IFamilyWords> = {
  slurm: {
    submit: 'sbatch',
    cancel: 'scancel',
    hold: 'scontrol uhold',
    release: 'scontrol release',
    directive: '#SBATCH',
    where: 'partition'
  },
  pbs: {
    submit: 'qsub',
    cancel: 'qdel',
    hold: 'qhold',
    release: 'qrls',
    directive: '#PBS',
    where: 'queue'
  }
};

/** The words of a kind's family. */
export function familyWords(
  kind: SchedulerKindAnswer | string | null | undefined
): IFamilyWords {
  return FAMILY_WORDS[familyOf(kind)];
}
