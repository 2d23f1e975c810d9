/**
 * A widget that tells its model when it is shown or hidden, so a closed
 * panel costs the server nothing (its model's Poll stands by), and that
 * disposes of its model with itself. The sidebar panels use it, and so does
 * the content of a job's details tab (disposed with its MainAreaWidget).
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { IDisposable } from '@lumino/disposable';
import { Message } from '@lumino/messaging';

export interface IVisibilityModel extends IDisposable {
  setVisible(visible: boolean): void;
}

export abstract class SidebarPanel<
  M extends IVisibilityModel
> extends ReactWidget {
  constructor(readonly model: M) {
    super();
  }

  // A panel restored open is attached visible without an after-show message.
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
}
