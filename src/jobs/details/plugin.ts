/**
 * Wires the job details, the job history and the end-of-job notifications
 * into JupyterLab: commands, the queue panel's row actions, the context menu,
 * layout restoration. Called by the queue plugin, whose model it shares.
 */
import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import {
  ICommandPalette,
  InputDialog,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';

import * as api from '../api';
import type {
  ActionResult,
  HistoryRecord,
  JobAction,
  JobDetail,
  JobRecord
} from '../api';
import { directiveKindOf } from '../submit/directives';
import {
  DEFAULT_RIGHTSIZE,
  IRightsizeSettings,
  ISuggestion
} from '../rightsize/rightsize';
import {
  IRightsizedArgs,
  rightsizedArgs,
  rightsizedOptions
} from '../rightsize/resubmit';
import { HistoryModel } from '../history/model';
import { HISTORY_WIDGET_ID, createHistoryWidget } from '../history/widget';
import { runActionOn } from '../queue/actions';
import type { QueueModel } from '../queue/model';
import type { QueuePanel } from '../queue/panel';
import { JobDetailsModel } from './model';
import { notifyJobEnded } from './notify';
import { noScriptReason, resubmitArgs } from './resubmit';
import type { IDetailsScheduler } from './facts';
import { familyOf, schedulerName } from '../../common/scheduler';
import { JobEndWatcher } from './watcher';
import { JobDetailsWidget, createDetailsWidget } from './widget';

export namespace DetailsCommandIDs {
  export const openJobDetails = 'hpc:open-job-details';
  export const openHistory = 'hpc:open-history';
  /** Owned by the submit panel: opens it with `{path?, script?, options?}`. */
  export const submitJob = 'hpc:submit-job';
  /** `{jobId, name}`: announce this just-submitted job's end (not in the palette). */
  export const watchJobEnd = 'hpc:watch-job-end';
}

/** Job ids as schedulers print them: `123`, `123_4`, `1.pbs01`, `3[1].pbs01`. */
const JOB_ID = /^[A-Za-z0-9_.[\]:+%-]{1,200}$/;

export interface IDetailsSetup {
  /** Turn the end-of-job notifications on or off (the queue setting). */
  setNotifications(enabled: boolean): void;
  /** The margins and floors of "Right-size" (the queue settings). */
  setRightsize(settings: IRightsizeSettings): void;
  openDetails(jobId: string): JobDetailsWidget;
}

export function setupJobDetails(
  app: JupyterFrontEnd,
  options: {
    queue: QueueModel;
    panel: QueuePanel;
    palette: ICommandPalette | null;
    restorer: ILayoutRestorer | null;
    category: string;
  }
): IDetailsSetup {
  const { commands, shell } = app;
  const { queue, panel } = options;
  const serverRoot = PageConfig.getOption('serverRoot');

  const tracker = new WidgetTracker<JobDetailsWidget>({
    namespace: 'jupyterlab-hpc-job-details'
  });

  // Torque speaks PBS's words; its name is its own.
  const scheduler = (): IDetailsScheduler => ({
    family: familyOf(queue.capabilities?.scheduler.kind),
    name: schedulerName(queue.capabilities?.scheduler)
  });

  const runAction = async (model: JobDetailsModel, action: JobAction) => {
    // Through the queue model, so the panel and the watcher hear of it too.
    const actor = {
      confirmActions: queue.confirmActions,
      sessionJobId: queue.sessionJobId,
      performAction: async (
        a: JobAction,
        ids: string[]
      ): Promise<ActionResult[]> => {
        const results = await queue.performAction(a, ids);
        void model.refresh();
        return results;
      }
    };
    await runActionOn(actor, action, [model.jobId]);
  };

  const resubmit = (model: JobDetailsModel): (() => void) | string => {
    const detail = model.detail;
    const args = detail ? resubmitArgs(detail) : null;
    if (!args) {
      return noScriptReason(scheduler());
    }
    if (!commands.hasCommand(DetailsCommandIDs.submitJob)) {
      return 'The submit panel is not available in this JupyterLab.';
    }
    return () =>
      void commands.execute(DetailsCommandIDs.submitJob, {
        script: args.script,
        options: args.options as Record<string, never>
      });
  };

  // "Resubmit with these": the copy of "Resubmit a copy" with the suggestion;
  // without a script, the job's own options on the submit panel's starter.
  let rightsize: IRightsizeSettings = DEFAULT_RIGHTSIZE;
  const submitWith = (job: JobRecord, args: IRightsizedArgs) => {
    void commands.execute(DetailsCommandIDs.submitJob, {
      ...(args.script !== undefined ? { script: args.script } : {}),
      options: args.options as Record<string, never>
    });
    if (args.script === undefined) {
      const { name } = scheduler();
      Notification.info(
        `${name} no longer has the script of job ${job.id}: the submit tab starts a new script with its ${scheduler().family === 'pbs' ? 'queue' : 'partition'} and the suggested request.`,
        { autoClose: 8000 }
      );
    }
  };
  const rightsized = (detail: JobDetail, s: ISuggestion): IRightsizedArgs => {
    const copy = resubmitArgs(detail);
    const kind = directiveKindOf(queue.capabilities?.scheduler.kind);
    return copy
      ? rightsizedArgs(copy, s, kind)
      : rightsizedOptions(detail.job, s);
  };
  const noSubmitPanel = (): string | null =>
    commands.hasCommand(DetailsCommandIDs.submitJob)
      ? null
      : 'The submit panel is not available in this JupyterLab.';
  const resubmitDetailWith = (
    model: JobDetailsModel,
    s: ISuggestion
  ): (() => void) | string => {
    const detail = model.detail;
    const why = noSubmitPanel();
    if (why || !detail) {
      return why ?? 'The job is not loaded yet.';
    }
    return () => submitWith(detail.job, rightsized(detail, s));
  };
  // From the history: the job's details give its script while the batch
  // system keeps it (one `GET jobs/{id}`, when the button is pressed).
  const resubmitRecordWith = (
    record: HistoryRecord,
    s: ISuggestion
  ): (() => void) | string => {
    const why = noSubmitPanel();
    if (why) {
      return why;
    }
    return () =>
      void api.fetchJobDetail(record.id).then(
        detail => submitWith(record, rightsized(detail, s)),
        () => submitWith(record, rightsizedOptions(record, s))
      );
  };

  const openDetails = (jobId: string): JobDetailsWidget => {
    let widget = tracker.find(w => w.content.model.jobId === jobId);
    if (!widget) {
      const model = new JobDetailsModel({ jobId });
      widget = createDetailsWidget(model, {
        serverRoot,
        openFile: path => void commands.execute('docmanager:open', { path }),
        runAction: action => void runAction(model, action),
        resubmit: () => resubmit(model),
        openJob: id => void openDetails(id),
        scheduler,
        rightsize: () => rightsize,
        resubmitWith: s => resubmitDetailWith(model, s)
      });
      void tracker.add(widget);
      shell.add(widget, 'main');
    }
    shell.activateById(widget.id);
    return widget;
  };

  // The queue panel's rows: double-click, Enter, and the context menu.
  panel.onOpenJob = jobId => void openDetails(jobId);
  const rowUnderMenu = (): string | undefined =>
    app.contextMenuHitTest(node => node.classList?.contains('jp-hpc-queue-row'))
      ?.dataset.jobId;

  commands.addCommand(DetailsCommandIDs.openJobDetails, {
    label: args =>
      args.fromContextMenu ? 'Show Details' : 'Show Job Details…',
    caption:
      'Open a job’s details: fields, timeline, resources, output, script',
    execute: async args => {
      let jobId = typeof args.jobId === 'string' ? args.jobId : undefined;
      if (!jobId && args.fromContextMenu) {
        jobId = rowUnderMenu();
      }
      if (!jobId) {
        const answer = await InputDialog.getText({
          title: 'Show job details',
          label: 'Job ID',
          placeholder: 'e.g. 1234 or 1234_5'
        });
        jobId = answer.button.accept ? (answer.value ?? '').trim() : '';
        if (!jobId) {
          return;
        }
      }
      if (!JOB_ID.test(jobId)) {
        Notification.error(`“${jobId}” is not a job id.`, { autoClose: 5000 });
        return;
      }
      return openDetails(jobId);
    }
  });
  app.contextMenu.addItem({
    command: DetailsCommandIDs.openJobDetails,
    selector: '.jp-hpc-queue-row',
    args: { fromContextMenu: true },
    rank: 0
  });

  // The history view.
  const historyTracker = new WidgetTracker({
    namespace: 'jupyterlab-hpc-history'
  });
  const openHistory = () => {
    let widget = historyTracker.currentWidget;
    if (!widget || widget.isDisposed) {
      widget = createHistoryWidget(
        new HistoryModel({ family: () => scheduler().family }),
        id => void openDetails(id),
        () => scheduler().family,
        {
          rightsize: () => rightsize,
          resubmitWith: resubmitRecordWith
        }
      );
      void historyTracker.add(widget);
      shell.add(widget, 'main');
    }
    shell.activateById(HISTORY_WIDGET_ID);
    return widget;
  };
  panel.onOpenHistory = openHistory;
  panel.update();
  commands.addCommand(DetailsCommandIDs.openHistory, {
    label: 'Show Job History',
    caption:
      'Your finished jobs, with exit codes, elapsed time and CPU efficiency',
    execute: () => openHistory()
  });

  for (const command of [
    DetailsCommandIDs.openJobDetails,
    DetailsCommandIDs.openHistory
  ]) {
    options.palette?.addItem({ command, category: options.category });
  }

  if (options.restorer) {
    void options.restorer.restore(tracker, {
      command: DetailsCommandIDs.openJobDetails,
      args: widget => ({ jobId: widget.content.model.jobId }),
      name: widget => widget.content.model.jobId
    });
    void options.restorer.restore(historyTracker, {
      command: DetailsCommandIDs.openHistory,
      name: () => 'history'
    });
  }

  // End-of-job notifications: from the queue's listings while the panel is
  // shown, else from per-job states of the watched jobs (never a listing).
  const watcher = new JobEndWatcher({
    queue,
    notify: ending => notifyJobEnded(ending, id => void openDetails(id)),
    enabled: true
  });
  commands.addCommand(DetailsCommandIDs.watchJobEnd, {
    label: 'Notify When the Job Ends',
    execute: args => {
      const jobId = typeof args.jobId === 'string' ? args.jobId : '';
      if (JOB_ID.test(jobId)) {
        watcher.expect(jobId, typeof args.name === 'string' ? args.name : '');
      }
    }
  });

  return {
    setNotifications: enabled => {
      watcher.enabled = enabled;
    },
    setRightsize: settings => {
      rightsize = settings;
    },
    openDetails
  };
}
