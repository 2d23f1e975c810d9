/**
 * Module changes with their notifications (JupyterLab's Notification API):
 * shared by the panel's buttons and the palette commands.
 */
import { Notification } from '@jupyterlab/apputils';

import type { NotAffected } from './api';
import type { ModuleChange, ModulesModel } from './model';
import { MODE_WORDS, kernelChangeText } from './target';

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

/** The sentence that reports a change, for the session or a kernel. */
export function changeText(change: ModuleChange, done: string): string {
  if (change.target === 'kernel') {
    return change.changed
      ? kernelChangeText(done, change.kernel)
      : `Nothing to change: “${change.kernel.displayName}” already has ${
          change.kernel.modules.join(', ') || 'no modules'
        }, ${MODE_WORDS[change.kernel.mode]}.`;
  }
  const rest = notAffectedText(change.result.not_affected);
  return (
    `${done} in this server session: new kernels and terminals inherit it.` +
    (rest ? ` ${rest}` : '')
  );
}

/**
 * Run a change (of the server session or of the target kernel) and say how
 * it went. Resolves to the answer, or null when it failed (the error was
 * shown; nothing changed).
 */
export async function runModuleChange(
  model: ModulesModel,
  change: () => Promise<ModuleChange>,
  done: string
): Promise<ModuleChange | null> {
  try {
    const result = await change();
    const text = changeText(result, done);
    if (result.target === 'kernel' && !result.changed) {
      Notification.info(text, { autoClose: 5000 });
    } else {
      Notification.success(text, { autoClose: 6000 });
    }
    return result;
  } catch (e) {
    const kernel = model.targetKernel;
    const message = e instanceof Error ? e.message : String(e);
    Notification.error(
      kernel
        ? `The kernel “${kernel.displayName}” was not changed: ${message}`
        : message,
      { autoClose: false }
    );
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
