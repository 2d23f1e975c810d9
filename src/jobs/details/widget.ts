/**
 * The main-area widget of one job's details. Its model polls only while the
 * widget is shown, and is disposed with it.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { SidebarPanel } from '../../common/sidebarPanel';
import { queueIcon } from '../../icons';
import { JobDetailsModel } from './model';
import { DetailsView, IDetailsViewProps } from './view';

/** The widget id of a job's details: one widget per job. */
export function detailsWidgetId(jobId: string): string {
  return `jupyterlab-hpc-job-${jobId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

class DetailsContent extends SidebarPanel<JobDetailsModel> {
  constructor(
    model: JobDetailsModel,
    private _props: Omit<IDetailsViewProps, 'model'>
  ) {
    super(model);
    this.addClass('jp-hpc-details-panel');
  }

  protected render(): React.ReactElement {
    return React.createElement(DetailsView, {
      ...this._props,
      model: this.model
    });
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
  return widget;
}
