/**
 * Module changes with their notifications (JupyterLab's Notification API):
 * shared by the panel's buttons and the palette commands.
 */
import { Notification } from '@jupyterlab/apputils';

import type { ChangeResult, NotAffected } from './api';
import { ModulesModel } from './model';

const plural = (n: number, word: string): string =>
  `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2 running kernels and 1 terminal keep their environment." or "". */
export function notAffectedText(notAffected: NotAffected): string {
  const parts: string[] = [];
  if (notAffected.kernels.length > 0) {
    parts.push(plural(notAffected.kernels.length, 'running kernel'));
  }
  if (notAffected.terminals.length > 0) {
    parts.push(plural(notAffected.terminals.length, 'terminal'));
  }
  if (parts.length === 0) {
    return '';
  }
  const verb =
    notAffected.kernels.length + notAffected.terminals.length === 1
      ? 'keeps its'
      : 'keep their';
  return `${parts.join(' and ')} ${verb} environment.`;
}

/**
 * Run a change of the server session and say how it went. Resolves to the
 * answer, or null when it failed (the error was shown; nothing changed).
 */
export async function runModuleChange(
  model: ModulesModel,
  change: () => Promise<ChangeResult>,
  done: string
): Promise<ChangeResult | null> {
  try {
    const result = await change();
    const rest = notAffectedText(result.not_affected);
    Notification.success(
      `${done} in this server session: new kernels and terminals inherit it.` +
        (rest ? ` ${rest}` : ''),
      { autoClose: 6000 }
    );
    return result;
  } catch (e) {
    Notification.error(e instanceof Error ? e.message : String(e), {
      autoClose: false
    });
    return null;
  }
}

/** Run a call that changes no environment (collections) and report errors. */
export async function runModuleTask(
  task: () => Promise<void>,
  done: string
): Promise<boolean> {
  try {
    await task();
    Notification.success(done, { autoClose: 4000 });
    return true;
  } catch (e) {
    Notification.error(e instanceof Error ? e.message : String(e), {
      autoClose: false
    });
    return false;
  }
}

/** Show a failure that changed nothing (a search, a listing). */
export function reportError(e: unknown): void {
  Notification.error(e instanceof Error ? e.message : String(e), {
    autoClose: 8000
  });
}
