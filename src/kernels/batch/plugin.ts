/**
 * Follows the kernels of the documents in the main area (notebooks,
 * consoles: any widget with a session context) for kernels in batch jobs.
 */
import { ILabShell, JupyterFrontEnd } from '@jupyterlab/application';
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Widget } from '@lumino/widgets';

import { NotificationView } from './notify';
import { BatchKernelStarts } from './starts';

/** The session context of a document widget, if it has one. */
export function sessionContextOf(widget: Widget): ISessionContext | null {
  const candidate = (widget as { sessionContext?: unknown }).sessionContext;
  if (
    candidate &&
    typeof candidate === 'object' &&
    'statusChanged' in candidate &&
    'kernelDisplayStatus' in candidate
  ) {
    return candidate as ISessionContext;
  }
  return null;
}

export function setupBatchKernels(
  app: JupyterFrontEnd,
  labShell: ILabShell | null
): BatchKernelStarts {
  const starts = new BatchKernelStarts({ view: () => new NotificationView() });
  const scan = () => {
    for (const widget of app.shell.widgets('main')) {
      const context = sessionContextOf(widget);
      if (context) {
        starts.watch(context);
      }
    }
  };
  labShell?.layoutModified.connect(scan);
  labShell?.currentChanged.connect(scan);
  void app.restored.then(scan);
  return starts;
}
