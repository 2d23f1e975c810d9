/**
 * The status bar item: "Job 123 · 1:42 left · 2.1/4 GiB · 4 CPUs", marked
 * when memory or time runs short, with every figure in its tooltip; a click
 * opens the job's details.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { useModel } from '../common/useModel';
import { memoryShare, sessionLabel, sessionTooltip } from './figures';
import { SessionModel } from './model';

function SessionItem(props: {
  model: SessionModel;
  onOpen: (jobId: string) => void;
}): JSX.Element | null {
  const { model } = props;
  useModel(model);
  const job = model.job;
  if (!job) {
    return null;
  }
  const left = model.secondsLeft();
  const share = memoryShare(job);
  const short =
    (left !== null && model.timeThresholds.some(m => left <= m * 60)) ||
    (share !== null && share >= model.memoryThreshold);
  return (
    <button
      type="button"
      className={`jp-hpc-session-item${short ? ' jp-mod-warn' : ''}`}
      data-job-id={job.id}
      title={sessionTooltip(job, left, model.serverNow())}
      onClick={() => props.onOpen(job.id)}
    >
      {sessionLabel(job, left)}
    </button>
  );
}

export class SessionStatus extends ReactWidget {
  constructor(
    private _model: SessionModel,
    private _onOpen: (jobId: string) => void
  ) {
    super();
    this.addClass('jp-hpc-session');
  }

  render(): JSX.Element {
    return <SessionItem model={this._model} onOpen={this._onOpen} />;
  }
}
