/**
 * The sidebar widget of the Modules panel; tells the model when it is shown
 * so a closed panel asks the server nothing.
 */
import * as React from 'react';

import { SidebarPanel } from '../common/sidebarPanel';
import { modulesIcon } from '../icons';
import { ModulesModel } from './model';
import { ModulesView } from './view';

export class ModulesPanel extends SidebarPanel<ModulesModel> {
  constructor(model: ModulesModel) {
    super(model);
    this.id = 'jupyterlab-hpc-modules';
    this.addClass('jp-hpc-modules-panel');
    this.title.icon = modulesIcon;
    this.title.caption = 'Modules';
  }

  /** At most this many packages are drawn at once (a setting). */
  get maxPackages(): number {
    return this._maxPackages;
  }
  set maxPackages(value: number) {
    this._maxPackages = value;
    this.update();
  }

  protected render(): React.ReactElement {
    return React.createElement(ModulesView, {
      model: this.model,
      maxPackages: this._maxPackages
    });
  }

  private _maxPackages = 200;
}
