/**
 * The sidebar widget of the Modules panel; tells the model when it is shown
 * so a closed panel asks the server nothing.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { modulesIcon } from '../icons';
import { ModulesModel } from './model';
import { ModulesView } from './view';

export class ModulesPanel extends ReactWidget {
  constructor(readonly model: ModulesModel) {
    super();
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

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  private _maxPackages = 200;
}
