/**
 * The main-area widget that hosts the kernel editor.
 */
import {
  Dialog,
  MainAreaWidget,
  ReactWidget,
  showDialog
} from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { kernelsIcon } from '../icons';
import { KernelsModel } from './model';
import { KernelsView } from './view';

export const KERNELS_WIDGET_ID = 'jupyterlab-hpc-kernels';

class KernelsContent extends ReactWidget {
  constructor(readonly model: KernelsModel) {
    super();
    this.addClass('jp-hpc-kernels-panel');
  }

  protected render(): React.ReactElement {
    return React.createElement(KernelsView, { model: this.model });
  }
}

/** The editor tab: closing it with unsaved changes asks first. */
class KernelsEditorWidget extends MainAreaWidget<KernelsContent> {
  protected onCloseRequest(msg: Message): void {
    const model = this.content.model;
    if (!model.dirty) {
      super.onCloseRequest(msg);
      return;
    }
    void showDialog({
      title: 'Close the kernel editor?',
      body: `The changes to ${model.base?.display_name ?? 'the kernel'} are not saved.`,
      buttons: [
        Dialog.cancelButton({ label: 'Keep editing' }),
        Dialog.warnButton({ label: 'Discard and close' })
      ]
    }).then(result => {
      if (result.button.accept) {
        this.dispose();
      }
    });
  }
}

/** A new editor widget; its model is disposed with it. */
export function createKernelsWidget(
  model: KernelsModel
): MainAreaWidget<KernelsContent> {
  const content = new KernelsContent(model);
  const widget = new KernelsEditorWidget({ content });
  widget.id = KERNELS_WIDGET_ID;
  widget.title.label = 'Kernels';
  widget.title.caption = 'Edit the Jupyter kernels (kernel.json) you can use';
  widget.title.icon = kernelsIcon;
  widget.title.closable = true;
  widget.disposed.connect(() => model.dispose());
  void model.refresh();
  return widget;
}
