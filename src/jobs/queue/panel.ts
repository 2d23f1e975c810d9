/**
 * The sidebar widget that hosts the queue view and tells the model when it is
 * shown, so a closed panel costs the server nothing.
 */
import * as React from 'react';

import { SidebarPanel } from '../../common/sidebarPanel';
import { queueIcon } from '../../icons';
import { QueueModel } from './model';
import { QueueView } from './view';

export class QueuePanel extends SidebarPanel<QueueModel> {
  /** Open a job's details; set by the details plugin. */
  onOpenJob: ((jobId: string) => void) | undefined = undefined;
  /** Open the job history; set by the history plugin. */
  onOpenHistory: (() => void) | undefined = undefined;
  /** Open the Cluster tab; set by the queue plugin. */
  onOpenCluster: (() => void) | undefined = undefined;

  constructor(
    model: QueueModel,
    private _options: { onSubmitJob?: () => void } = {}
  ) {
    super(model);
    this.id = 'jupyterlab-hpc-queue';
    this.addClass('jp-hpc-queue-panel');
    this.title.icon = queueIcon;
    this.title.caption = 'HPC jobs';
  }

  protected render(): React.ReactElement {
    return React.createElement(QueueView, {
      model: this.model,
      onSubmitJob: this._options.onSubmitJob,
      onOpenJob: this.onOpenJob,
      onOpenHistory: this.onOpenHistory,
      onOpenCluster: this.onOpenCluster
    });
  }
}
