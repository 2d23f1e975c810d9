/**
 * What the submit panel's buttons do beyond the model: the notifications
 * (progress at once, then the job id with "Show in queue", or the
 * scheduler's refusal) and the template dialogs.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { SubmitModel } from './model';
import { ISubmitActions } from './view';

/** The queue panel's command that selects a job (owned by the queue plugin). */
export const SHOW_JOB_COMMAND = 'hpc:show-job-in-queue';
const REFRESH_QUEUE_COMMAND = 'hpc:refresh-queue';
/** The end-of-job notifications' command (owned by the job details plugin). */
const WATCH_JOB_COMMAND = 'hpc:watch-job-end';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A dialog body with the template's name and description. */
class TemplateForm extends Widget {
  constructor(name: string, description: string) {
    super();
    this.addClass('jp-hpc-submit-template-form');
    const nameLabel = document.createElement('label');
    nameLabel.textContent = 'Name';
    this._name = document.createElement('input');
    this._name.name = 'template-name';
    this._name.value = name;
    nameLabel.appendChild(this._name);
    const descLabel = document.createElement('label');
    descLabel.textContent = 'Description';
    this._description = document.createElement('input');
    this._description.name = 'template-description';
    this._description.value = description;
    descLabel.appendChild(this._description);
    this.node.append(nameLabel, descLabel);
  }

  getValue(): { name: string; description: string } {
    return {
      name: this._name.value.trim(),
      description: this._description.value.trim()
    };
  }

  protected onAfterAttach(): void {
    this._name.focus();
    this._name.select();
  }

  private _name: HTMLInputElement;
  private _description: HTMLInputElement;
}

export function createSubmitActions(
  model: SubmitModel,
  commands: CommandRegistry
): ISubmitActions {
  const showJob = (jobId: string) =>
    void commands.execute(SHOW_JOB_COMMAND, { jobId });

  return {
    showJob,

    check: () => {
      // The outcome (estimate or refusal) shows in the panel.
      model.check().catch(() => undefined);
    },

    submit: () => {
      if (model.phase !== 'idle') {
        return;
      }
      const scheduler = model.schedulerName;
      const name = model.fieldValue('name');
      const id = Notification.emit(
        `Submitting ${name ? `“${name}”` : 'the job'} to ${scheduler}…`,
        'in-progress',
        { autoClose: false }
      );
      model.submit().then(
        result => {
          const jobId = result.job_id ?? '';
          // The queue panel shows the new job without waiting for its next poll.
          if (commands.hasCommand(REFRESH_QUEUE_COMMAND)) {
            void commands.execute(REFRESH_QUEUE_COMMAND);
          }
          // Announced when it ends, even if it ends before the queue shows it.
          if (jobId && commands.hasCommand(WATCH_JOB_COMMAND)) {
            void commands.execute(WATCH_JOB_COMMAND, { jobId, name });
          }
          // A new notification rather than an update of the first: the
          // toasts are drawn lazily, and an update that arrives before the
          // first toast is drawn is lost.
          Notification.dismiss(id);
          Notification.success(
            `Submitted job ${jobId}${name ? ` (${name})` : ''}.`,
            {
              autoClose: 10000,
              actions: jobId
                ? [
                    {
                      label: 'Show in queue',
                      caption: 'Select the job in the HPC queue panel',
                      callback: () => showJob(jobId)
                    }
                  ]
                : []
            }
          );
        },
        error => {
          Notification.dismiss(id);
          Notification.error(
            `${scheduler} refused the job: ${messageOf(error)}`,
            { autoClose: false }
          );
        }
      );
    },

    saveTemplate: () => {
      const current = model.selectedTemplate;
      const body = new TemplateForm(
        current?.source === 'user'
          ? current.name
          : model.fieldValue('name') || 'my-template',
        current?.source === 'user' ? current.description : ''
      );
      void showDialog({
        title: 'Save as a template',
        body,
        buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Save' })]
      }).then(async result => {
        if (!result.button.accept || !result.value?.name) {
          return;
        }
        try {
          const saved = await model.saveTemplate(
            result.value.name,
            result.value.description
          );
          Notification.success(`Saved the template “${saved.name}”.`, {
            autoClose: 4000
          });
        } catch (error) {
          Notification.error(
            `Could not save the template: ${messageOf(error)}`,
            { autoClose: false }
          );
        }
      });
    },

    deleteTemplate: () => {
      const template = model.selectedTemplate;
      if (!template || template.source !== 'user') {
        return;
      }
      void showDialog({
        title: 'Delete the template?',
        body: `“${template.name}” will be gone for good. The script in the editor stays.`,
        buttons: [
          Dialog.cancelButton({ label: 'Keep it' }),
          Dialog.warnButton({ label: 'Delete' })
        ]
      }).then(async result => {
        if (!result.button.accept) {
          return;
        }
        try {
          await model.deleteTemplate(template.name);
          Notification.success(`Deleted the template “${template.name}”.`, {
            autoClose: 4000
          });
        } catch (error) {
          Notification.error(
            `Could not delete the template: ${messageOf(error)}`,
            { autoClose: false }
          );
        }
      });
    }
  };
}
