/**
 * `jupyterlab-hpc:session`: the status bar item of the batch job that runs
 * this Jupyter server, its warnings (settings: minutes before the end, the
 * share of the memory limit), and `ISessionJob` for the queue panel.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';

import { readThresholds } from './figures';
import { SessionModel } from './model';
import { announce } from './notify';
import { ISessionJob } from './token';
import { SessionStatus } from './view';

export const SESSION_PLUGIN_ID = 'jupyterlab-hpc:session';
/** Registered by the job details (src/jobs/details/plugin.ts). */
export const OPEN_DETAILS_COMMAND = 'hpc:open-job-details';

export const sessionPlugin: JupyterFrontEndPlugin<ISessionJob> = {
  id: SESSION_PLUGIN_ID,
  description:
    'The batch job this Jupyter server runs in: time left, memory, CPUs and GPUs in the status bar, warnings before its end.',
  autoStart: true,
  provides: ISessionJob,
  optional: [IStatusBar, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    statusBar: IStatusBar | null,
    settingRegistry: ISettingRegistry | null
  ): ISessionJob => {
    const model = new SessionModel();
    model.warning.connect((_, warning) => {
      announce(warning, app.commands);
    });
    if (statusBar) {
      const item = new SessionStatus(model, jobId => {
        void app.commands.execute(OPEN_DETAILS_COMMAND, { jobId });
      });
      statusBar.registerStatusItem(SESSION_PLUGIN_ID, {
        item,
        align: 'left',
        rank: 5,
        isActive: () => model.job !== null,
        activeStateChanged: model.changed
      });
    }

    // The settings first: a warning due at the first answer follows them.
    const start = () => model.start();
    if (settingRegistry) {
      const apply = (settings: ISettingRegistry.ISettings) => {
        const t = readThresholds(
          settings.get('warnMinutesBefore').composite,
          settings.get('warnMemoryPercent').composite
        );
        model.timeThresholds = t.minutes;
        model.memoryThreshold = t.memory;
      };
      settingRegistry
        .load(SESSION_PLUGIN_ID)
        .then(settings => {
          apply(settings);
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.warn(
            'jupyterlab-hpc: the session settings did not load',
            reason
          );
        })
        .then(start);
    } else {
      start();
    }

    return {
      get jobId() {
        return model.job?.id ?? null;
      },
      changed: model.changed
    };
  }
};
