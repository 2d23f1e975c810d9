/**
 * The Cluster tab's plugin: the `hpc:open-cluster` command (palette and the
 * queue panel's *Cluster* button), one tab at a time, restored with the
 * layout, and its refresh setting.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { clusterIcon } from '../icons';
import { ClusterModel } from './model';
import { CLUSTER_WIDGET_ID, createClusterWidget } from './widget';

export const CLUSTER_PLUGIN_ID = 'jupyterlab-hpc:cluster';
export const OPEN_CLUSTER_COMMAND = 'hpc:open-cluster';

export const clusterPlugin: JupyterFrontEndPlugin<void> = {
  id: CLUSTER_PLUGIN_ID,
  description:
    'The Cluster tab: partitions and queues with their nodes by state, free CPUs, memory and GPUs, limits and who may use them.',
  autoStart: true,
  optional: [ISettingRegistry, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const tracker = new WidgetTracker<MainAreaWidget>({
      namespace: 'jupyterlab-hpc-cluster'
    });
    let refreshInterval = 60;
    const models = new Set<ClusterModel>();

    const open = (): MainAreaWidget => {
      let widget = tracker.currentWidget;
      if (!widget || widget.isDisposed) {
        const model = new ClusterModel({ refreshInterval, visible: false });
        models.add(model);
        widget = createClusterWidget(model);
        widget.disposed.connect(() => models.delete(model));
        void tracker.add(widget);
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(CLUSTER_WIDGET_ID);
      return widget;
    };

    app.commands.addCommand(OPEN_CLUSTER_COMMAND, {
      label: args => (args.isPalette ? 'Show Cluster' : 'Cluster'),
      caption:
        'Partitions and nodes at a glance: what is free now, limits, who may use them',
      icon: args => (args.isPalette ? undefined : clusterIcon),
      execute: () => open()
    });
    palette?.addItem({
      command: OPEN_CLUSTER_COMMAND,
      category: 'HPC',
      args: { isPalette: true }
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: OPEN_CLUSTER_COMMAND,
        name: () => 'cluster'
      });
    }

    if (settingRegistry) {
      const apply = (settings: ISettingRegistry.ISettings) => {
        const interval = settings.get('refreshInterval').composite;
        if (typeof interval === 'number') {
          refreshInterval = interval;
          for (const model of models) {
            model.refreshInterval = interval;
          }
        }
      };
      settingRegistry
        .load(CLUSTER_PLUGIN_ID)
        .then(settings => {
          apply(settings);
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.error(
            `jupyterlab-hpc: could not load the cluster settings: ${reason}`
          );
        });
    }
  }
};
