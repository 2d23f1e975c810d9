/**
 * The main-area widget of the cluster view. It tells the model when it is
 * shown, so a tab in the background asks the server nothing.
 */
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { clusterIcon } from '../icons';
import { ClusterModel } from './model';
import { ClusterView } from './view';

export const CLUSTER_WIDGET_ID = 'jupyterlab-hpc-cluster';

class ClusterContent extends ReactWidget {
  constructor(readonly model: ClusterModel) {
    super();
    this.addClass('jp-hpc-cluster-panel');
  }

  protected render(): React.ReactElement {
    return React.createElement(ClusterView, { model: this.model });
  }
}

class ClusterWidget extends MainAreaWidget<ClusterContent> {
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.content.model.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.content.model.setVisible(false);
  }
}

export function createClusterWidget(model: ClusterModel): MainAreaWidget {
  const widget = new ClusterWidget({ content: new ClusterContent(model) });
  widget.id = CLUSTER_WIDGET_ID;
  widget.title.label = 'Cluster';
  widget.title.caption =
    'Partitions and nodes: what is free now, limits, who may use them';
  widget.title.icon = clusterIcon;
  widget.title.closable = true;
  widget.disposed.connect(() => model.dispose());
  return widget;
}
