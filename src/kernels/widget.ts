/**
 * The main-area widget that hosts the kernel editor.
 */
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
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

/** A new editor widget; its model is disposed with it. */
export function createKernelsWidget(
  model: KernelsModel
): MainAreaWidget<KernelsContent> {
  const content = new KernelsContent(model);
  const widget = new MainAreaWidget({ content });
  widget.id = KERNELS_WIDGET_ID;
  widget.title.label = 'Kernels';
  widget.title.caption = 'Edit the Jupyter kernels (kernel.json) you can use';
  widget.title.icon = kernelsIcon;
  widget.title.closable = true;
  widget.disposed.connect(() => model.dispose());
  void model.refresh();
  return widget;
}
