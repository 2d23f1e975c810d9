import { Token } from '@lumino/coreutils';

import type { QueueModel } from './model';

/** The queue panel's model, for plugins that mark its rows (batch kernels). */
export const IHPCQueue = new Token<QueueModel>(
  'jupyterlab-hpc:IHPCQueue',
  'The HPC queue panel’s model: its listing, and the marks other features put on its rows.'
);
