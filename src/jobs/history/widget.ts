/**
 * The main-area widget of the job history.
 */
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import type { SchedulerFamily } from '../../common/scheduler';
import { queueIcon } from '../../icons';
import { HistoryModel } from './model';
import { HistoryView, IHistoryViewProps } from './view';

export const HISTORY_WIDGET_ID = 'jupyterlab-hpc-history';

/** What the history's "Right-size" under the table needs. */
export type IHistoryRightsize = Pick<
  IHistoryViewProps,
  'rightsize' | 'resubmitWith'
>;

class HistoryContent extends ReactWidget {
  constructor(
    readonly model: HistoryModel,
    private _openJob: (jobId: string) => void,
    private _schedulerKind: () => SchedulerFamily,
    private _rightsize: IHistoryRightsize
  ) {
    super();
    this.addClass('jp-hpc-history-panel');
  }

  protected render(): React.ReactElement {
    return React.createElement(HistoryView, {
      model: this.model,
      openJob: this._openJob,
      schedulerKind: this._schedulerKind,
      ...this._rightsize
    });
  }
}

export function createHistoryWidget(
  model: HistoryModel,
  openJob: (jobId: string) => void,
  schedulerKind: () => SchedulerFamily = () => 'slurm',
  rightsize: IHistoryRightsize = {}
): MainAreaWidget {
  const widget = new MainAreaWidget({
    content: new HistoryContent(model, openJob, schedulerKind, rightsize)
  });
  widget.id = HISTORY_WIDGET_ID;
  widget.title.label = 'Job History';
  widget.title.caption = 'Your finished jobs, from the scheduler’s accounting';
  widget.title.icon = queueIcon;
  widget.title.closable = true;
  widget.disposed.connect(() => model.dispose());
  void model.refresh();
  return widget;
}
