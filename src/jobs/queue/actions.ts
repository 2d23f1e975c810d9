/**
 * Cancel / hold / release on the selected jobs: the confirmation dialog, the
 * request, and the notifications. Shared by the toolbar and the commands.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { ActionResult, JobAction } from '../api';
import { HPCApiError } from '../../common/request';
import { QueueModel } from './model';

interface IActionWords {
  /** "Cancel" */
  verb: string;
  /** "cancelled" */
  past: string;
  /** What happens, for the dialog. */
  effect: string;
}

export const ACTION_WORDS: Record<JobAction, IActionWords> = {
  cancel: {
    verb: 'Cancel',
    past: 'cancelled',
    effect: 'Running jobs stop now and their work is lost.'
  },
  hold: {
    verb: 'Hold',
    past: 'held',
    effect: 'Pending jobs will not start until they are released.'
  },
  release: {
    verb: 'Release',
    past: 'released',
    effect: 'Held jobs may start again.'
  }
};

/** At most this many ids are spelled out in a dialog or notification. */
const MAX_IDS_SHOWN = 20;
/** At most this many refusals get a notification of their own. */
const MAX_REFUSALS_SHOWN = 5;

function jobsWord(n: number): string {
  return n === 1 ? '1 job' : `${n} jobs`;
}

/** "123, 124_2 and 3 more" */
export function idList(ids: string[], max = MAX_IDS_SHOWN): string {
  if (ids.length <= max) {
    return ids.join(', ');
  }
  return `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`;
}

/** Ask the person to confirm an action; true to go on. */
async function confirm(action: JobAction, ids: string[]): Promise<boolean> {
  const words = ACTION_WORDS[action];
  const body = React.createElement(
    'div',
    { className: 'jp-hpc-confirm' },
    React.createElement(
      'p',
      null,
      `${words.verb} ${ids.length === 1 ? 'job' : 'these jobs'}?`
    ),
    React.createElement('p', { className: 'jp-hpc-confirm-ids' }, idList(ids)),
    React.createElement('p', null, words.effect)
  );
  const accept =
    action === 'cancel'
      ? Dialog.warnButton({ label: `${words.verb} ${jobsWord(ids.length)}` })
      : Dialog.okButton({ label: `${words.verb} ${jobsWord(ids.length)}` });
  const result = await showDialog({
    title: `${words.verb} ${jobsWord(ids.length)}`,
    body,
    buttons: [Dialog.cancelButton({ label: 'Go back' }), accept]
  });
  return result.button.accept;
}

/** The job of `ids` that runs this Jupyter server, when the action ends it. */
export function sessionJobAmong(
  action: JobAction,
  ids: string[],
  sessionJobId: string | null | undefined
): string | null {
  return action === 'cancel' && sessionJobId && ids.includes(sessionJobId)
    ? sessionJobId
    : null;
}

/** The second question before the job that runs this server is cancelled. */
async function confirmSessionEnd(jobId: string): Promise<boolean> {
  const body = React.createElement(
    'div',
    { className: 'jp-hpc-confirm jp-hpc-confirm-session' },
    React.createElement(
      'p',
      null,
      `Job ${jobId} runs this Jupyter server; cancelling it ends this session.`
    ),
    React.createElement(
      'p',
      null,
      'This page stops working, and every kernel and terminal of this server stops with it. Unsaved work is lost.'
    )
  );
  const result = await showDialog({
    title: 'End this session?',
    body,
    buttons: [
      Dialog.cancelButton({ label: 'Keep the session' }),
      Dialog.warnButton({ label: `Cancel job ${jobId} and end the session` })
    ],
    // Enter keeps the session: ending it takes a click on the red button.
    defaultButton: 0
  });
  return result.button.accept;
}

/**
 * Run an action on the selected jobs (or `ids`), after confirmation when the
 * settings ask for it, and report the outcome as notifications.
 *
 * @returns whether the action was sent.
 */
export function runJobAction(
  model: QueueModel,
  action: JobAction,
  ids: string[] = model.selectedIds
): Promise<boolean> {
  return runActionOn(model, action, ids);
}

/** What an action runs through: the queue model, or one job's details. */
export interface IJobActor {
  /** Whether to ask for confirmation first. */
  readonly confirmActions: boolean;
  /** The job this Jupyter server runs in: cancelling it asks twice. */
  readonly sessionJobId?: string | null;
  performAction(action: JobAction, ids: string[]): Promise<ActionResult[]>;
}

/** `runJobAction` on any actor and explicit ids. */
export async function runActionOn(
  model: IJobActor,
  action: JobAction,
  ids: string[]
): Promise<boolean> {
  if (ids.length === 0) {
    return false;
  }
  // Cancelling the job that runs this server asks twice, whatever the setting.
  const session = sessionJobAmong(action, ids, model.sessionJobId);
  if ((model.confirmActions || session) && !(await confirm(action, ids))) {
    return false;
  }
  if (session && !(await confirmSessionEnd(session))) {
    return false;
  }
  const words = ACTION_WORDS[action];
  let results;
  try {
    results = await model.performAction(action, ids);
  } catch (error) {
    const message =
      error instanceof HPCApiError ? error.message : String(error);
    Notification.error(
      `Could not ${words.verb.toLowerCase()} ${idList(ids, 5)}: ${message}`,
      { autoClose: false }
    );
    return true;
  }

  const done = results.filter(r => r.ok);
  const refused = results.filter(r => !r.ok);
  if (done.length > 0) {
    const capital = words.past[0].toUpperCase() + words.past.slice(1);
    Notification.success(
      `${capital} ${jobsWord(done.length)}: ${idList(
        done.map(r => r.job_id),
        5
      )}.`,
      { autoClose: 5000 }
    );
  }
  for (const r of refused.slice(0, MAX_REFUSALS_SHOWN)) {
    Notification.error(
      `Could not ${words.verb.toLowerCase()} job ${r.job_id}: ${
        r.message || 'the scheduler refused.'
      }`,
      { autoClose: false }
    );
  }
  if (refused.length > MAX_REFUSALS_SHOWN) {
    const rest = refused.slice(MAX_REFUSALS_SHOWN);
    Notification.error(
      `Could not ${words.verb.toLowerCase()} ${jobsWord(rest.length)} more: ${idList(
        rest.map(r => r.job_id),
        10
      )}.`,
      { autoClose: false }
    );
  }
  return true;
}
