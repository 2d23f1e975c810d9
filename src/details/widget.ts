/**
 * The main-area widget of one job's details. Its model polls only while the
 * widget is shown, and is disposed with it.
 */
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { queueIcon } from '../icons';
import { JobDetailsModel } from './model';
import { DetailsView, IDetailsViewProps } from './view';

/** The widget id of a job's details: one widget per job. */
export function detailsWidgetId(jobId: string): string {
  return `jupyterlab-hpc-job-${jobId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

class DetailsContent extends ReactWidget {
  constructor(
    readonly model: JobDetailsModel,
    private _props: Omit<IDetailsViewProps, 'model'>
  ) {
    super();
    this.addClass('jp-hpc-details-panel');
  }

  protected render(): React.ReactElement {
    return React.createElement(DetailsView, {
      ...this._props,
      model: this.model
    });
  }

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
}

export type JobDetailsWidget = MainAreaWidget<DetailsContent>;

/** A new details widget; the title follows the job's name and state. */
export function createDetailsWidget(
  model: JobDetailsModel,
  props: Omit<IDetailsViewProps, 'model'>
): JobDetailsWidget {
  const content = new DetailsContent(model, props);
  const widget = new MainAreaWidget({ content });
  widget.id = detailsWidgetId(model.jobId);
  widget.addClass('jp-hpc-details-widget');
  widget.title.icon = queueIcon;
  widget.title.closable = true;
  const retitle = () => {
    const job = model.detail?.job;
    widget.title.label = `Job ${model.jobId}`;
    widget.title.caption = job
      ? `Job ${job.id} “${job.name}” (${job.state})`
      : `Job ${model.jobId}`;
  };
  retitle();
  model.changed.connect(retitle);
  widget.disposed.connect(() => model.dispose());
  return widget;
}
