/**
 * A batch kernel's start and end as JupyterLab notifications: "Starting on
 * debug: job 123 pending (…)…" with Cancel while it waits, "Kernel running on
 * vm in job 123" once it runs, and why the job ended the kernel.
 */
import { Notification } from '@jupyterlab/apputils';

import type { IBatchKernelStatus } from './api';
import type { IBatchKernelView } from './starts';
import { runningWords, startingWords } from './words';

export class NotificationView implements IBatchKernelView {
  starting(status: IBatchKernelStatus, cancel: () => void): void {
    // A new notification for each change, rather than an update: a toast is
    // drawn lazily, and an update that arrives before it is drawn is lost.
    this._dismiss();
    this._id = Notification.emit(startingWords(status), 'in-progress', {
      autoClose: false,
      actions: status.job_id
        ? [
            {
              label: 'Cancel',
              caption: `Cancel job ${status.job_id}: the kernel will not start`,
              displayType: 'warn',
              callback: cancel
            }
          ]
        : []
    });
  }

  running(status: IBatchKernelStatus): void {
    this._dismiss();
    Notification.success(runningWords(status), { autoClose: 5000 });
  }

  close(): void {
    this._dismiss();
  }

  ended(status: IBatchKernelStatus): void {
    Notification.error(status.message, { autoClose: false });
  }

  failed(message: string): void {
    Notification.error(`The kernel's job could not be cancelled: ${message}`, {
      autoClose: false
    });
  }

  private _dismiss(): void {
    if (this._id !== null) {
      Notification.dismiss(this._id);
      this._id = null;
    }
  }

  private _id: string | null = null;
}
