/**
 * The words of the output section that depend on the file's state and the
 * batch system: Slurm creates a job's output file when the job starts and
 * writes it as it goes; PBS writes it on the node and copies it to its path
 * only when the job ends (so a running PBS job has no file to show yet).
 */
import type { SchedulerFamily } from '../../common/scheduler';

/** What the stream model tells about its file. */
export interface IOutputFileState {
  /** The file's path ('' until the server named it). */
  path: string;
  /** Whether the file existed at the last read; null before the first. */
  exists: boolean | null;
  /** Whether the job may still write. */
  jobLive: boolean;
}

/** Why a finished job's file does not exist. */
function neverWritten(neverRan: boolean): string {
  return neverRan
    ? 'the job was cancelled before it ran, so it wrote nothing'
    : 'the job never wrote it, or it was removed';
}

/** Why a file that does not exist yet is missing, in the batch system's terms. */
export function notWrittenYet(kind: SchedulerFamily): string {
  return kind === 'pbs'
    ? 'PBS keeps a job’s output on the node it runs on and copies it here when the job ends'
    : 'Slurm creates it when the job starts';
}

/** The sentence shown in place of the text when the file does not exist. */
export function missingText(
  file: IOutputFileState,
  kind: SchedulerFamily,
  neverRan = false
): string {
  const name = file.path || 'The output file';
  return file.jobLive
    ? `${name} does not exist yet: ${notWrittenYet(kind)}. It appears here when it does.`
    : `${name} does not exist: ${neverWritten(neverRan)}.`;
}

/**
 * Whether "Open in editor" can open the file, and its tooltip (the reason
 * when it cannot). `where` is `pathInRoot`'s answer, null before the path is
 * known.
 */
export function openInEditor(
  file: IOutputFileState,
  where: { path: string } | { reason: string } | null,
  kind: SchedulerFamily,
  neverRan = false
): { enabled: boolean; title: string } {
  if (where === null) {
    return { enabled: false, title: 'The file is not known yet.' };
  }
  if ('reason' in where) {
    return { enabled: false, title: where.reason };
  }
  if (file.exists === null) {
    return { enabled: false, title: 'Reading the output…' };
  }
  if (!file.exists) {
    return {
      enabled: false,
      title: file.jobLive
        ? `The job has not written ${where.path} yet: ${notWrittenYet(kind)}.`
        : `${where.path} does not exist: ${neverWritten(neverRan)}.`
    };
  }
  return { enabled: true, title: `Open ${where.path} in JupyterLab's editor` };
}

/** The Follow checkbox's tooltip. */
export function followTitle(ended: boolean, exists: boolean | null): string {
  if (!ended) {
    return 'Show what the job writes as it writes it, like tail -f';
  }
  return exists === false
    ? 'The job has ended without writing this file: there is nothing to follow'
    : 'The job has ended: its output is complete';
}
