/**
 * The "Submit job" main-area widget: the script in a CodeMirror editor (shell
 * highlighting) beside the form, both following one SubmitModel.
 */
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import {
  CodeEditor,
  CodeEditorWrapper,
  IEditorServices
} from '@jupyterlab/codeeditor';
import { PathExt } from '@jupyterlab/coreutils';
import { Message } from '@lumino/messaging';
import { Panel, SplitPanel, Widget } from '@lumino/widgets';
import * as React from 'react';

import { queueIcon } from '../../icons';
import { SubmitModel } from './model';
import { SubmitAvailability } from './availabilityModel';
import { fetchCluster } from '../../cluster/api';
import { submitJob } from '../api';
import { ISubmitActions, SubmitView } from './view';

let counter = 0;

/**
 * Change `shared` into `text` by replacing only the span that differs, so
 * the cursor and the undo history survive a form edit.
 */
export function minimalEdit(
  before: string,
  after: string
): { start: number; end: number; text: string } | null {
  if (before === after) {
    return null;
  }
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) {
    start++;
  }
  let tail = 0;
  while (
    tail < max - start &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  ) {
    tail++;
  }
  return {
    start,
    end: before.length - tail,
    text: after.slice(start, after.length - tail)
  };
}

class SubmitForm extends ReactWidget {
  constructor(
    readonly model: SubmitModel,
    private _actions: ISubmitActions,
    private _availability: SubmitAvailability
  ) {
    super();
    this.addClass('jp-hpc-submit-form-panel');
  }

  protected render(): React.ReactElement {
    return React.createElement(SubmitView, {
      model: this.model,
      actions: this._actions,
      availability: this._availability
    });
  }
}

/** The editor side: a heading and the CodeMirror editor. */
class ScriptEditor extends Panel {
  constructor(model: SubmitModel, editorServices: IEditorServices) {
    super();
    this.addClass('jp-hpc-submit-editor');
    const heading = new Widget();
    heading.addClass('jp-hpc-submit-editor-heading');
    heading.node.textContent = model.path ? `Script: ${model.path}` : 'Script';
    heading.node.title = model.path
      ? 'A copy of the file: edits here do not change the file'
      : '';
    this.addWidget(heading);

    this._editorModel = new CodeEditor.Model({ mimeType: 'text/x-sh' });
    const shared = this._editorModel.sharedModel;
    shared.setSource(model.script);
    this.wrapper = new CodeEditorWrapper({
      factory: editorServices.factoryService.newDocumentEditor,
      model: this._editorModel,
      editorOptions: { config: { lineNumbers: true } }
    });
    this.wrapper.addClass('jp-hpc-submit-codemirror');
    this.addWidget(this.wrapper);

    // Editor -> model on every keystroke; model -> editor for form edits.
    shared.changed.connect(() => model.setScript(shared.getSource()));
    model.scriptChanged.connect((_, origin) => {
      if (origin === 'editor') {
        return;
      }
      const edit = minimalEdit(shared.getSource(), model.script);
      if (edit) {
        shared.updateSource(edit.start, edit.end, edit.text);
      }
    }, this);
  }

  readonly wrapper: CodeEditorWrapper;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    super.dispose();
    this._editorModel.dispose();
  }

  private _editorModel: CodeEditor.Model;
}

export class SubmitContent extends SplitPanel {
  constructor(
    readonly model: SubmitModel,
    editorServices: IEditorServices,
    actions: ISubmitActions
  ) {
    super({ orientation: 'horizontal', spacing: 1 });
    this.addClass('jp-hpc-submit');
    this.editor = new ScriptEditor(model, editorServices);
    this.availability = new SubmitAvailability({
      model,
      api: { fetchCluster, submitJob }
    });
    this.form = new SubmitForm(model, actions, this.availability);
    this.addWidget(this.editor);
    this.addWidget(this.form);
    this.setRelativeSizes([3, 2]);
  }

  readonly editor: ScriptEditor;
  readonly form: SubmitForm;
  /** What is free in the chosen partition, and the test submission's start. */
  readonly availability: SubmitAvailability;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.availability.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.availability.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.availability.setVisible(false);
  }
}

/** A new submit tab; its model is disposed with it. */
export function createSubmitWidget(
  model: SubmitModel,
  editorServices: IEditorServices,
  actions: ISubmitActions
): MainAreaWidget<SubmitContent> {
  const content = new SubmitContent(model, editorServices, actions);
  const widget = new MainAreaWidget({ content });
  widget.id = `jupyterlab-hpc-submit-${++counter}`;
  widget.addClass('jp-hpc-submit-widget');
  widget.title.label = model.path
    ? `Submit ${PathExt.basename(model.path)}`
    : 'Submit Job';
  widget.title.caption = 'Write a batch script, check it and submit it';
  widget.title.icon = queueIcon;
  widget.title.closable = true;
  widget.disposed.connect(() => model.dispose());
  void model.load();
  return widget;
}
