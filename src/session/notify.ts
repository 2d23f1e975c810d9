/**
 * The warnings as JupyterLab notifications, with *Save all*: before the end
 * of the job (the server stops with it) and when memory nears its limit.
 */
import { Notification } from '@jupyterlab/apputils';
import { CommandRegistry } from '@lumino/commands';

import { formatLeft, formatMemory } from './figures';
import type { SessionWarning } from './model';

export const SAVE_ALL_COMMAND = 'docmanager:save-all';

/**
 * The notification's words (pure). Short: a toast shows 140 characters.
 */
export function warningText(warning: SessionWarning): string {
  const job = warning.job;
  if (warning.kind === 'time') {
    return `Job ${job.id} ends in ${formatLeft(warning.secondsLeft)}, and this Jupyter server with it. Save your work.`;
  }
  const m = job.memory;
  const pct = Math.round(((m?.used ?? 0) / (m?.limit || 1)) * 100);
  const used = m ? ` (${formatMemory(m.used, m.limit)})` : '';
  return `Job ${job.id} uses ${pct} % of its memory${used}. Past the limit the job stops, and this server with it.`;
}

export function announce(
  warning: SessionWarning,
  commands: CommandRegistry
): string {
  const actions = commands.hasCommand(SAVE_ALL_COMMAND)
    ? [
        {
          label: 'Save all',
          caption: 'Save every open document',
          callback: () => void commands.execute(SAVE_ALL_COMMAND)
        }
      ]
    : [];
  return Notification.warning(warningText(warning), {
    autoClose: false,
    actions
  });
}
