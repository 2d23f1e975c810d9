/**
 * The jupyterlab-hpc frontend: the job queue and Modules sidebars, job
 * details and history, the kernel editor, their commands and their settings.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IEditorTracker } from '@jupyterlab/fileeditor';
import { ILauncher } from '@jupyterlab/launcher';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { OPEN_CLUSTER_COMMAND, clusterPlugin } from './cluster/plugin';
import { JobAction, SubmitOptions } from './jobs/api';
import { setupJobDetails } from './jobs/details/plugin';
import { rightsizeSettings } from './jobs/rightsize/rightsize';
import { runModuleChange } from './modules/actions';
import { ModulesModel } from './modules/model';
import {
  CHOOSE_TARGET_COMMAND,
  addChooseTargetCommand
} from './modules/targetCommand';
import { ModulesPanel } from './modules/panel';
import { kernelsIcon, queueIcon } from './icons';
import { showLauncherBadges } from './kernels/batch/launcherBadges';
import { setupBatchKernels } from './kernels/batch/plugin';
import { markKernelJobs } from './kernels/batch/queueMarks';
import { KernelsModel } from './kernels/model';
import { KERNELS_WIDGET_ID, createKernelsWidget } from './kernels/widget';
import { runJobAction } from './jobs/queue/actions';
import { DEFAULT_COLUMNS } from './jobs/queue/jobs';
import { QueueModel, Scope } from './jobs/queue/model';
import { QueuePanel } from './jobs/queue/panel';
import { IHPCQueue } from './jobs/queue/token';
import { SHOW_JOB_COMMAND, createSubmitActions } from './jobs/submit/actions';
import { SubmitModel } from './jobs/submit/model';
import { createSubmitWidget } from './jobs/submit/widget';
import { sessionPlugin } from './session/plugin';
import { ISessionJob } from './session/token';

export { clusterIcon, kernelsIcon, modulesIcon, queueIcon } from './icons';

const PLUGIN_ID = 'jupyterlab-hpc:queue';
const CATEGORY = 'HPC';

/** The command ids, for menus, shortcuts and tests. */
export namespace CommandIDs {
  export const openQueue = 'hpc:open-queue';
  export const refreshQueue = 'hpc:refresh-queue';
  export const cancelSelected = 'hpc:cancel-selected-jobs';
  export const holdSelected = 'hpc:hold-selected-jobs';
  export const releaseSelected = 'hpc:release-selected-jobs';
  export const toggleAllJobs = 'hpc:toggle-all-jobs';
  export const openModules = 'hpc:open-modules';
  export const refreshModules = 'hpc:refresh-modules';
  export const resetModules = 'hpc:reset-modules';
  export const editKernels = 'hpc:edit-kernels';
  export const submitJob = 'hpc:submit-job';
  export const submitEditorScript = 'hpc:submit-editor-script';
  export const showJobInQueue = SHOW_JOB_COMMAND;
  export const openCluster = OPEN_CLUSTER_COMMAND;
}

/** Files the file browser offers to submit. */
const SCRIPT_EXTENSIONS = ['.sh', '.slurm', '.sbatch', '.pbs', '.job'];

const ACTION_COMMANDS: [string, JobAction, string][] = [
  [CommandIDs.cancelSelected, 'cancel', 'Cancel Selected Jobs'],
  [CommandIDs.holdSelected, 'hold', 'Hold Selected Jobs'],
  [CommandIDs.releaseSelected, 'release', 'Release Selected Jobs']
];

const queuePlugin: JupyterFrontEndPlugin<QueueModel> = {
  id: PLUGIN_ID,
  description:
    'A sidebar with your Slurm or PBS jobs: watch, cancel, hold and release them.',
  autoStart: true,
  provides: IHPCQueue,
  optional: [ISettingRegistry, ICommandPalette, ILayoutRestorer, ISessionJob],
  activate: (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    session: ISessionJob | null
  ): QueueModel => {
    // The panel is hidden until opened; the model polls only while shown.
    const model = new QueueModel({ visible: false });
    // The job this server runs in: its row is marked, cancelling it asks twice.
    if (session) {
      const follow = () => {
        model.sessionJobId = session.jobId;
      };
      follow();
      session.changed.connect(follow);
    }
    const panel = new QueuePanel(model, {
      onSubmitJob: () => void app.commands.execute(CommandIDs.submitJob)
    });
    app.shell.add(panel, 'left', { rank: 600 });
    if (restorer) {
      restorer.add(panel, panel.id);
    }
    // The Cluster tab's button; shown only when its plugin is there.
    panel.onOpenCluster = () => {
      if (app.commands.hasCommand(OPEN_CLUSTER_COMMAND)) {
        void app.commands.execute(OPEN_CLUSTER_COMMAND);
      }
    };

    // Job details, history and end-of-job notifications share the model.
    const details = setupJobDetails(app, {
      queue: model,
      panel,
      palette,
      restorer,
      category: CATEGORY
    });

    const { commands } = app;
    commands.addCommand(CommandIDs.openQueue, {
      label: 'Show HPC Job Queue',
      caption: 'Open the sidebar with your batch jobs',
      execute: () => app.shell.activateById(panel.id)
    });
    commands.addCommand(CommandIDs.refreshQueue, {
      label: 'Refresh Job Queue',
      caption: 'Ask the scheduler for the job list now',
      execute: () => model.refresh()
    });
    for (const [id, action, label] of ACTION_COMMANDS) {
      commands.addCommand(id, {
        label,
        caption: `${label.split(' ')[0]} the jobs selected in the queue panel`,
        isEnabled: () => model.selectedIds.length > 0,
        execute: () => runJobAction(model, action)
      });
    }
    commands.addCommand(CommandIDs.showJobInQueue, {
      label: 'Show Job in Queue',
      caption: 'Open the queue panel and select a job',
      execute: args => {
        const jobId = String(args.jobId ?? '');
        app.shell.activateById(panel.id);
        return jobId ? model.selectJob(jobId) : false;
      }
    });
    commands.addCommand(CommandIDs.toggleAllJobs, {
      label: "Show All Users' Jobs",
      caption: 'Switch the queue between your jobs and everyone’s',
      isToggled: () => model.scope === 'all',
      execute: () => {
        model.scope = model.scope === 'all' ? 'mine' : 'all';
      }
    });

    // Menus and the palette re-ask isEnabled/isToggled only when told; tell
    // them when the selection or the scope changes, not on every poll.
    let lastSelected = -1;
    let lastScope: Scope | null = null;
    model.changed.connect(() => {
      const selected = model.selectedIds.length > 0 ? 1 : 0;
      if (selected !== lastSelected) {
        lastSelected = selected;
        for (const [id] of ACTION_COMMANDS) {
          commands.notifyCommandChanged(id);
        }
      }
      if (model.scope !== lastScope) {
        lastScope = model.scope;
        commands.notifyCommandChanged(CommandIDs.toggleAllJobs);
      }
    });

    if (palette) {
      for (const command of [
        CommandIDs.openQueue,
        CommandIDs.refreshQueue,
        CommandIDs.cancelSelected,
        CommandIDs.holdSelected,
        CommandIDs.releaseSelected,
        CommandIDs.toggleAllJobs
      ]) {
        palette.addItem({ command, category: CATEGORY });
      }
    }

    if (settingRegistry) {
      let lastDefaultScope: unknown = undefined;
      const apply = (settings: ISettingRegistry.ISettings) => {
        const interval = settings.get('refreshInterval').composite;
        if (typeof interval === 'number') {
          model.refreshInterval = interval;
        }
        const columns = settings.get('columns').composite;
        model.columns = Array.isArray(columns)
          ? columns.map(String)
          : [...DEFAULT_COLUMNS];
        model.confirmActions =
          settings.get('confirmActions').composite !== false;
        details.setNotifications(
          settings.get('notifyJobEnd').composite !== false
        );
        details.setRightsize(
          rightsizeSettings({
            memoryMargin: settings.get('rightsizeMemoryMargin').composite,
            timeMargin: settings.get('rightsizeTimeMargin').composite,
            minMemoryMiB: settings.get('rightsizeMinMemory').composite,
            minTimeMinutes: settings.get('rightsizeMinTime').composite,
            cpuThreshold: settings.get('rightsizeCpuThreshold').composite
          })
        );
        // The default scope applies when it is set, not on every other change,
        // so it does not undo the toggle in the panel.
        const scope = settings.get('defaultScope').composite;
        if (scope !== lastDefaultScope) {
          lastDefaultScope = scope;
          if (scope === 'mine' || scope === 'all') {
            model.scope = scope;
          }
        }
      };
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          apply(settings);
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.error(
            `jupyterlab-hpc: could not load the settings: ${reason}`
          );
        });
    }
    return model;
  }
};

const MODULES_PLUGIN_ID = 'jupyterlab-hpc:modules';

const modulesPlugin: JupyterFrontEndPlugin<void> = {
  id: MODULES_PLUGIN_ID,
  description:
    'A sidebar to find, inspect and load Lmod or Environment Modules modules.',
  autoStart: true,
  optional: [ISettingRegistry, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const model = new ModulesModel({ visible: false });
    const panel = new ModulesPanel(model);
    // A kernel created, changed or deleted (the kernel editor refreshes the specs):
    // the target selector lists the kernels again.
    app.serviceManager.kernelspecs.specsChanged.connect(() => {
      if (model.status !== null) {
        void model.refreshKernels();
      }
    });
    app.shell.add(panel, 'left', { rank: 610 });
    if (restorer) {
      restorer.add(panel, panel.id);
    }

    const { commands } = app;
    commands.addCommand(CommandIDs.openModules, {
      label: 'Show Modules',
      caption: 'Open the sidebar with the environment modules',
      execute: () => app.shell.activateById(panel.id)
    });
    commands.addCommand(CommandIDs.refreshModules, {
      label: 'Refresh Available Modules',
      caption: 'List the available modules again (new modulefiles on disk)',
      execute: () => model.refreshAvail()
    });
    commands.addCommand(CommandIDs.resetModules, {
      label: 'Reset Modules to Site Defaults',
      caption:
        'Back to the modules this server started with, for new kernels and terminals (target: this server session)',
      isEnabled: () => model.target.kind === 'server',
      execute: () =>
        runModuleChange(
          model,
          () => model.reset('start'),
          'Reset to the site defaults'
        )
    });
    addChooseTargetCommand(app, model, panel.id);
    if (palette) {
      for (const command of [
        CommandIDs.openModules,
        CHOOSE_TARGET_COMMAND,
        CommandIDs.refreshModules,
        CommandIDs.resetModules
      ]) {
        palette.addItem({ command, category: CATEGORY });
      }
    }

    if (settingRegistry) {
      let lastShowHidden: unknown = undefined;
      const apply = (settings: ISettingRegistry.ISettings) => {
        const interval = settings.get('refreshInterval').composite;
        if (typeof interval === 'number') {
          model.refreshInterval = interval;
        }
        const max = settings.get('maxPackages').composite;
        if (typeof max === 'number') {
          panel.maxPackages = max;
        }
        // Applied when the setting changes, so it does not undo the checkbox.
        const showHidden = settings.get('showHidden').composite;
        if (showHidden !== lastShowHidden) {
          lastShowHidden = showHidden;
          model.showHidden = showHidden === true;
        }
      };
      settingRegistry
        .load(MODULES_PLUGIN_ID)
        .then(settings => {
          apply(settings);
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.error(
            `jupyterlab-hpc: could not load the modules settings: ${reason}`
          );
        });
    }
  }
};

const kernelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-hpc:kernels',
  description:
    'A kernel editor: create, duplicate, edit and test Jupyter kernels (kernel.json); what a kernel in a batch job does while it starts, and why its job ended it.',
  autoStart: true,
  optional: [ICommandPalette, ILauncher, ILayoutRestorer, ILabShell, IHPCQueue],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    labShell: ILabShell | null,
    queue: QueueModel | null
  ) => {
    const starts = setupBatchKernels(app, labShell);
    if (queue) {
      markKernelJobs(queue, starts.kernelsChanged);
    }
    if (launcher) {
      showLauncherBadges(app.serviceManager.kernelspecs);
    }
    const tracker = new WidgetTracker<MainAreaWidget>({
      namespace: 'jupyterlab-hpc-kernels'
    });
    const open = () => {
      let widget = tracker.currentWidget;
      if (!widget || widget.isDisposed) {
        // The Launcher and the notebook kernel pickers list new kernels at once.
        const model = new KernelsModel({
          onSpecsChanged: () => app.serviceManager.kernelspecs.refreshSpecs()
        });
        widget = createKernelsWidget(model);
        void tracker.add(widget);
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(KERNELS_WIDGET_ID);
      return widget;
    };
    app.commands.addCommand(CommandIDs.editKernels, {
      label: args => (args.isLauncher ? 'Kernels' : 'Edit Kernels…'),
      caption:
        'Create, duplicate and edit your Jupyter kernels: command, environment variables, metadata',
      icon: args => (args.isPalette ? undefined : kernelsIcon),
      execute: () => open()
    });
    palette?.addItem({
      command: CommandIDs.editKernels,
      category: CATEGORY,
      args: { isPalette: true }
    });
    launcher?.add({
      command: CommandIDs.editKernels,
      category: CATEGORY,
      rank: 1,
      args: { isLauncher: true }
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.editKernels,
        name: () => 'kernels'
      });
    }
  }
};

/** The arguments of `hpc:submit-job`. */
interface ISubmitArgs {
  /** A script file to load (its folder becomes the working directory). */
  path?: string;
  /** The script text (wins over the file's). */
  script?: string;
  /** Options written into the script's directives (e.g. resubmit a copy). */
  options?: SubmitOptions;
  /** Set by the file browser's context menu: submit its selected file. */
  fromFileBrowser?: boolean;
}

const SUBMIT_PLUGIN_ID = 'jupyterlab-hpc:submit';

const submitPlugin: JupyterFrontEndPlugin<void> = {
  id: SUBMIT_PLUGIN_ID,
  description:
    'Write, check and submit Slurm or PBS batch jobs, from scripts, files and templates.',
  autoStart: true,
  requires: [IEditorServices],
  optional: [
    ICommandPalette,
    IDefaultFileBrowser,
    IEditorTracker,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    editorServices: IEditorServices,
    palette: ICommandPalette | null,
    browser: IDefaultFileBrowser | null,
    editorTracker: IEditorTracker | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    const { commands } = app;
    let defaultTemplate = '';
    if (settingRegistry) {
      const apply = (settings: ISettingRegistry.ISettings) => {
        const name = settings.get('defaultTemplate').composite;
        defaultTemplate = typeof name === 'string' ? name.trim() : '';
      };
      settingRegistry
        .load(SUBMIT_PLUGIN_ID)
        .then(settings => {
          apply(settings);
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.error(
            `jupyterlab-hpc: could not load the submit settings: ${reason}`
          );
        });
    }

    const selectedScript = (): string | null => {
      const item = browser?.selectedItems().next();
      if (!item || item.done || item.value.type === 'directory') {
        return null;
      }
      return item.value.path;
    };
    const isScript = (path: string | null) =>
      path !== null &&
      SCRIPT_EXTENSIONS.includes(PathExt.extname(path).toLowerCase());

    const open = async (args: ISubmitArgs) => {
      let path = args.path;
      if (args.fromFileBrowser) {
        path = selectedScript() ?? undefined;
      }
      let script = args.script;
      if (path && script === undefined) {
        const file = await app.serviceManager.contents.get(path, {
          content: true,
          format: 'text',
          type: 'file'
        });
        script = String(file.content ?? '');
      }
      // A file's jobs run in its folder; others in the browser's folder.
      const workdir = path
        ? PathExt.dirname(path)
        : (browser?.model.path ?? '');
      const model = new SubmitModel({
        script,
        options: args.options,
        workdir,
        path,
        defaultTemplate
      });
      const widget = createSubmitWidget(
        model,
        editorServices,
        createSubmitActions(model, commands)
      );
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    };

    commands.addCommand(CommandIDs.submitJob, {
      label: args =>
        args.fromFileBrowser ? 'Submit as Batch Job…' : 'Submit Job…',
      caption:
        'Write a batch script, set its resources, check it and submit it to the cluster',
      icon: args => (args.isPalette ? undefined : queueIcon),
      isVisible: args => !args.fromFileBrowser || isScript(selectedScript()),
      execute: args => open(args as unknown as ISubmitArgs)
    });

    const currentEditor = () => {
      const widget = editorTracker?.currentWidget ?? null;
      return widget && widget === app.shell.currentWidget ? widget : null;
    };
    commands.addCommand(CommandIDs.submitEditorScript, {
      label: 'Submit This Script as a Job…',
      caption: 'Open the submit panel with the script of this editor',
      isEnabled: () => currentEditor() !== null,
      execute: () => {
        const widget = currentEditor();
        if (!widget) {
          return;
        }
        return open({
          path: widget.context.path,
          script: widget.content.model.sharedModel.getSource()
        });
      }
    });

    palette?.addItem({
      command: CommandIDs.submitJob,
      category: CATEGORY,
      args: { isPalette: true }
    });
    palette?.addItem({
      command: CommandIDs.submitEditorScript,
      category: CATEGORY
    });
    app.contextMenu.addItem({
      command: CommandIDs.submitJob,
      args: { fromFileBrowser: true },
      selector: '.jp-DirListing-item[data-isdir="false"]',
      rank: 3
    });
    app.contextMenu.addItem({
      command: CommandIDs.submitEditorScript,
      selector: '.jp-FileEditor',
      rank: 20
    });
    // The File menu item comes from schema/submit.json.
  }
};

export default [
  queuePlugin,
  modulesPlugin,
  kernelsPlugin,
  submitPlugin,
  clusterPlugin,
  sessionPlugin
];
