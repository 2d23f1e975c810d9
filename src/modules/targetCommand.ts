/**
 * The palette's way to choose where the Modules panel loads modules: this
 * server session or one kernel (the same choice as the panel's selector).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';

import type { ModulesModel } from './model';
import { SESSION_TARGET, TargetChoice } from './target';

export const CHOOSE_TARGET_COMMAND = 'hpc:choose-modules-target';

const SESSION_LABEL = 'This server session (new kernels and terminals)';

/** The picker's items: the session, then the kernels that can take modules. */
export function targetItems(
  model: Pick<ModulesModel, 'kernels'>
): Map<string, TargetChoice> {
  const items = new Map<string, TargetChoice>([
    [SESSION_LABEL, SESSION_TARGET]
  ]);
  for (const kernel of model.kernels) {
    if (!kernel.blockedReason) {
      items.set(`Kernel: ${kernel.label}`, {
        kind: 'kernel',
        name: kernel.name
      });
    }
  }
  return items;
}

/**
 * `{kernel?: string}`: with a kernel name, that kernel; with `kernel: ""`,
 * the server session; without, a picker. Then the Modules panel opens.
 */
export function addChooseTargetCommand(
  app: JupyterFrontEnd,
  model: ModulesModel,
  panelId: string
): void {
  app.commands.addCommand(CHOOSE_TARGET_COMMAND, {
    label: 'Load Modules Into…',
    caption:
      'Choose where the Modules panel loads modules: this server session, or a kernel (written into its kernel.json)',
    execute: async args => {
      await model.refreshKernels();
      let choice: TargetChoice | undefined;
      if (typeof args.kernel === 'string') {
        choice = args.kernel
          ? { kind: 'kernel', name: args.kernel }
          : SESSION_TARGET;
      } else {
        const items = targetItems(model);
        const current = model.target;
        const currentLabel = [...items].find(
          ([, t]) =>
            t.kind === current.kind &&
            (t.kind === 'server' ||
              (current.kind === 'kernel' && t.name === current.name))
        )?.[0];
        const answer = await InputDialog.getItem({
          title: 'Load modules into',
          label:
            items.size > 1
              ? 'Where the Modules panel loads, unloads and swaps modules'
              : 'No kernel can take modules now (see the Modules panel for why); the server session:',
          items: [...items.keys()],
          current: currentLabel
        });
        if (!answer.button.accept || answer.value === null) {
          return;
        }
        choice = items.get(answer.value);
      }
      if (!choice) {
        return;
      }
      try {
        model.setTarget(choice);
      } catch (error) {
        Notification.error(
          error instanceof Error ? error.message : String(error),
          { autoClose: 8000 }
        );
        return;
      }
      app.shell.activateById(panelId);
    }
  });
}
