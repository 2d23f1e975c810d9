/**
 * The sidebar widget that hosts the queue view and tells the model when it is
 * shown, so a closed panel costs the server nothing.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { queueIcon } from '../icons';
import { QueueModel } from './model';
import { QueueView } from './view';

export class QueuePanel extends ReactWidget {
  constructor(readonly model: QueueModel) {
    super();
    this.id = 'jupyterlab-hpc-queue';
    this.addClass('jp-hpc-queue-panel');
    this.title.icon = queueIcon;
    this.title.caption = 'HPC jobs';
  }

  protected render(): React.ReactElement {
    return React.createElement(QueueView, { model: this.model });
  }

  // A panel restored open is attached visible without an after-show message.
  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.setVisible(this.isVisible);
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.setVisible(false);
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible(false);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }
}
