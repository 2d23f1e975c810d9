/**
 * What the session plugin offers the others: the id of the job that runs this
 * Jupyter server (the queue panel marks its row and asks twice before it is
 * cancelled).
 */
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

export interface ISessionJob {
  /** The job's id; null while unknown or when the server runs in no job. */
  readonly jobId: string | null;
  readonly changed: ISignal<unknown, void>;
}

export const ISessionJob = new Token<ISessionJob>(
  'jupyterlab-hpc:ISessionJob',
  'The batch job that runs this Jupyter server.'
);
