/**
 * The kernel editor: the list of kernels on the left, the selected one (or
 * the form for a new one) on the right. All state lives in KernelsModel.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import {
  addIcon,
  caretDownIcon,
  caretUpIcon,
  closeIcon,
  refreshIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { HPCApiError } from '../common/request';
import type { IKernelSpecRecord, ISpecFinding, KernelLocation } from './api';
import { KernelsModel } from './model';
import {
  CONNECTION_FILE,
  IEnvRow,
  envRowValue,
  isPathLike,
  suggestName
} from './spec';
import { useModel } from '../common/useModel';
import { LaunchResult } from './launchResult';
import { ModulesSection } from './modulesSection';
import { PlacementSection } from './batch/placementSection';
import { EMPTY_SETTINGS } from './batch/placement';

/** Findings the "Where it runs" section shows beside its own fields. */
const SHOWN_BY_PLACEMENT = new Set(
  Object.keys(EMPTY_SETTINGS).map(
    f => `metadata.kernel_provisioner.config.${f}`
  )
);

export const LOCATION_LABELS: Record<KernelLocation, string> = {
  user: 'your kernels',
  env: 'environment',
  system: 'system',
  path: 'JUPYTER_PATH',
  legacy: '~/.ipython',
  builtin: 'built in',
  other: 'other'
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Ask before dropping unsaved changes; true when it is fine to go on. */
async function confirmDiscard(model: KernelsModel): Promise<boolean> {
  if (!model.dirty) {
    return true;
  }
  const result = await showDialog({
    title: 'Discard your changes?',
    body: `The changes to ${model.base?.display_name ?? 'this kernel'} are not saved.`,
    buttons: [
      Dialog.cancelButton({ label: 'Keep editing' }),
      Dialog.warnButton({ label: 'Discard' })
    ]
  });
  return result.button.accept;
}

// ---------------------------------------------------------------------------

export interface IKernelsViewProps {
  model: KernelsModel;
}

export function KernelsView({ model }: IKernelsViewProps): JSX.Element {
  useModel(model);
  return (
    <div className="jp-hpc-kernels">
      <KernelList model={model} />
      <div className="jp-hpc-kernels-main">
        {model.mode === 'create' ? (
          <CreateForm model={model} />
        ) : model.draft && model.base ? (
          <KernelEditor model={model} record={model.base} />
        ) : (
          <div className="jp-hpc-kernels-empty">
            {model.loading
              ? 'Looking for kernels…'
              : 'Choose a kernel on the left, or create a new one.'}
          </div>
        )}
      </div>
    </div>
  );
}

function KernelList({ model }: { model: KernelsModel }): JSX.Element {
  const choose = async (name: string) => {
    if (name !== model.selectedName || model.mode !== 'edit') {
      if (await confirmDiscard(model)) {
        model.select(name);
      }
    }
  };
  return (
    <div className="jp-hpc-kernels-list">
      <div className="jp-hpc-kernels-list-toolbar">
        <span className="jp-hpc-kernels-list-title">Kernels</span>
        <button
          className="jp-hpc-kernels-button jp-hpc-kernels-new"
          title="Create a kernel from an interpreter or from an existing kernel"
          onClick={async () => {
            if (await confirmDiscard(model)) {
              model.startCreate(null);
            }
          }}
        >
          <addIcon.react tag="span" elementSize="small" /> New
        </button>
        <button
          className="jp-hpc-kernels-icon-button"
          title="Look for kernels again"
          onClick={() => void model.refresh()}
        >
          <refreshIcon.react tag="span" elementSize="small" />
        </button>
      </div>
      {model.listError && (
        <div className="jp-hpc-kernels-banner jp-mod-error">
          {model.listError}
        </div>
      )}
      <ul className="jp-hpc-kernels-items" role="listbox">
        {model.kernels.map(k => (
          <li
            key={k.name}
            role="option"
            aria-selected={
              model.mode === 'edit' && model.selectedName === k.name
            }
            data-kernel-name={k.name}
            className={
              'jp-hpc-kernels-item' +
              (model.mode === 'edit' && model.selectedName === k.name
                ? ' jp-mod-selected'
                : '')
            }
            onClick={() => void choose(k.name)}
            title={k.resource_dir}
          >
            <div className="jp-hpc-kernels-item-title">{k.display_name}</div>
            <div className="jp-hpc-kernels-item-meta">
              <code>{k.name}</code>
              <LocationBadge location={k.location} />
              {!k.writable && (
                <span className="jp-hpc-kernels-badge jp-mod-readonly">
                  read-only
                </span>
              )}
              {model.defaultName === k.name && (
                <span className="jp-hpc-kernels-badge">default</span>
              )}
              {(k.error || k.problems.length > 0) && (
                <span className="jp-hpc-kernels-badge jp-mod-error">
                  invalid
                </span>
              )}
            </div>
          </li>
        ))}
      </ul>
      {model.userDir && (
        <div className="jp-hpc-kernels-list-footer" title={model.userDir}>
          Yours are in <code>{model.userDir}</code>
        </div>
      )}
    </div>
  );
}

function LocationBadge({
  location
}: {
  location: KernelLocation;
}): JSX.Element {
  return (
    <span
      className={`jp-hpc-kernels-badge jp-mod-location-${location}`}
      data-location={location}
    >
      {LOCATION_LABELS[location]}
    </span>
  );
}

function Findings({
  items,
  kind
}: {
  items: ISpecFinding[];
  kind: 'problem' | 'warning';
}): JSX.Element | null {
  if (items.length === 0) {
    return null;
  }
  return (
    <ul className={`jp-hpc-kernels-findings jp-mod-${kind}`}>
      {items.map((f, i) => (
        <li key={i}>{f.message}</li>
      ))}
    </ul>
  );
}

/** Findings about a section: exact field or its sub-fields (env.X). */
function about(items: ISpecFinding[], field: string): ISpecFinding[] {
  return items.filter(
    f => f.field === field || f.field.startsWith(field + '.')
  );
}

// ---------------------------------------------------------------------------

function KernelEditor({
  model,
  record
}: {
  model: KernelsModel;
  record: IKernelSpecRecord;
}): JSX.Element {
  const draft = model.draft!;
  const readOnly = !model.canEdit;
  const problems = model.problems;
  const warnings = model.warnings;

  const save = async () => {
    try {
      await model.save();
      Notification.success(
        `Saved the kernel “${draft.displayName}”; the Launcher shows it now.`,
        { autoClose: 4000 }
      );
    } catch (error) {
      if (error instanceof HPCApiError && error.status === 409) {
        Notification.warning(error.message, {
          autoClose: false,
          actions: [
            {
              label: 'Reload',
              callback: () => void model.reload()
            }
          ]
        });
      } else {
        Notification.error(`Could not save the kernel: ${messageOf(error)}`, {
          autoClose: false
        });
      }
    }
  };

  const remove = async () => {
    const result = await showDialog({
      title: `Delete the kernel “${record.display_name}”?`,
      body: `This deletes the folder ${record.resource_dir} and everything in it. Notebooks that use the kernel will ask for another one.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await model.remove(record.name);
      Notification.success(`Deleted the kernel “${record.display_name}”.`, {
        autoClose: 4000
      });
    } catch (error) {
      Notification.error(`Could not delete the kernel: ${messageOf(error)}`, {
        autoClose: false
      });
    }
  };

  const launch = async () => {
    try {
      const result = await model.testLaunch();
      if (result && !result.ok) {
        Notification.error(`Test launch of ${record.name}: ${result.message}`, {
          autoClose: 6000
        });
      }
    } catch (error) {
      Notification.error(`Test launch failed: ${messageOf(error)}`, {
        autoClose: false
      });
    }
  };

  return (
    <div className="jp-hpc-kernels-editor" data-kernel-name={record.name}>
      <div className="jp-hpc-kernels-editor-header">
        <div className="jp-hpc-kernels-editor-heading">
          <h2>{record.display_name}</h2>
          <div className="jp-hpc-kernels-editor-path">
            <code>{record.name}</code> ·{' '}
            <LocationBadge location={record.location} />{' '}
            <span title={record.resource_dir}>{record.resource_dir}</span>
          </div>
        </div>
        <div className="jp-hpc-kernels-actions">
          {!readOnly && (
            <>
              <button
                className="jp-hpc-kernels-button jp-mod-accept jp-hpc-kernels-save"
                disabled={!model.dirty || problems.length > 0 || model.saving}
                title={
                  problems.length > 0
                    ? 'Fix the problems shown in red first'
                    : 'Write kernel.json (the previous one is kept as kernel.json.bak)'
                }
                onClick={() => void save()}
              >
                {model.saving ? 'Saving…' : 'Save'}
              </button>
              <button
                className="jp-hpc-kernels-button"
                disabled={!model.dirty || model.saving}
                onClick={() => model.revert()}
              >
                Revert
              </button>
            </>
          )}
          <button
            className="jp-hpc-kernels-button jp-hpc-kernels-launch"
            disabled={model.launching || Boolean(record.error)}
            title={
              model.dirty
                ? 'Starts the saved version (save first to test your changes)'
                : 'Start the kernel, print its environment, shut it down'
            }
            onClick={() => void launch()}
          >
            {model.launching ? 'Launching…' : 'Test launch'}
          </button>
          <button
            className="jp-hpc-kernels-button jp-hpc-kernels-duplicate"
            title="Copy this kernel into your own kernels folder"
            onClick={async () => {
              if (await confirmDiscard(model)) {
                model.startCreate(record.name);
              }
            }}
          >
            Duplicate…
          </button>
          {record.deletable && (
            <button
              className="jp-hpc-kernels-button jp-mod-warn jp-hpc-kernels-delete"
              disabled={model.busy}
              onClick={() => void remove()}
            >
              Delete
            </button>
          )}
        </div>
      </div>

      {readOnly && (
        <div className="jp-hpc-kernels-banner jp-mod-info">
          {record.readonly_reason || 'This kernel cannot be changed here.'}{' '}
          <button
            className="jp-hpc-kernels-link"
            onClick={() => model.startCreate(record.name)}
          >
            Duplicate it into your kernels
          </button>
        </div>
      )}
      {record.error && (
        <div className="jp-hpc-kernels-banner jp-mod-error">{record.error}</div>
      )}
      {model.conflict && (
        <div className="jp-hpc-kernels-banner jp-mod-warning jp-hpc-kernels-conflict">
          {model.saveError}{' '}
          <button
            className="jp-hpc-kernels-link"
            onClick={() => void model.reload()}
          >
            Reload from disk
          </button>
        </div>
      )}

      <fieldset className="jp-hpc-kernels-section" disabled={readOnly}>
        <legend>General</legend>
        <label className="jp-hpc-kernels-field">
          <span>Display name</span>
          <input
            className="jp-mod-styled jp-hpc-kernels-display-name"
            value={draft.displayName}
            onChange={e => model.setDisplayName(e.target.value)}
          />
        </label>
        <label className="jp-hpc-kernels-field">
          <span>Language</span>
          <input
            className="jp-mod-styled"
            value={draft.language}
            placeholder="python"
            onChange={e => model.setLanguage(e.target.value)}
          />
        </label>
        <label className="jp-hpc-kernels-field">
          <span>Interrupt</span>
          <select
            className="jp-mod-styled"
            value={draft.interruptMode}
            onChange={e =>
              model.setInterruptMode(
                e.target.value as '' | 'signal' | 'message'
              )
            }
          >
            <option value="">default (signal)</option>
            <option value="signal">signal (SIGINT to the process)</option>
            <option value="message">message (interrupt_request)</option>
          </select>
        </label>
        <Findings items={about(problems, 'display_name')} kind="problem" />
        <Findings items={about(problems, 'language')} kind="problem" />
      </fieldset>

      <ArgvSection model={model} readOnly={readOnly} />
      <EnvSection model={model} readOnly={readOnly} />
      <ModulesSection model={model} record={record} readOnly={readOnly} />
      <PlacementSection model={model} readOnly={readOnly} />

      <fieldset className="jp-hpc-kernels-section" disabled={readOnly}>
        <legend>Metadata (JSON)</legend>
        <textarea
          className="jp-mod-styled jp-hpc-kernels-metadata"
          spellCheck={false}
          rows={Math.min(
            12,
            Math.max(3, draft.metadataText.split('\n').length)
          )}
          value={draft.metadataText}
          placeholder="{}"
          onChange={e => model.setMetadataText(e.target.value)}
        />
        <Findings
          items={about(problems, 'metadata').filter(
            f => !SHOWN_BY_PLACEMENT.has(f.field)
          )}
          kind="problem"
        />
      </fieldset>

      {Object.keys(draft.other).length > 0 && (
        <div className="jp-hpc-kernels-note">
          Other fields of kernel.json are kept as they are:{' '}
          {Object.keys(draft.other).map(k => (
            <code key={k}>{k} </code>
          ))}
        </div>
      )}

      {(model.launching || model.launchResult) && (
        <LaunchResult result={model.launchResult} launching={model.launching} />
      )}
      <Findings
        items={warnings.filter(
          w => !w.field.startsWith('env') && w.field !== 'argv'
        )}
        kind="warning"
      />
    </div>
  );
}

function RowButtons({
  index,
  count,
  onMove,
  onRemove,
  removeTitle,
  canRemove = true
}: {
  index: number;
  count: number;
  onMove: (delta: number) => void;
  onRemove: () => void;
  removeTitle: string;
  canRemove?: boolean;
}): JSX.Element {
  return (
    <span className="jp-hpc-kernels-row-buttons">
      <button
        className="jp-hpc-kernels-icon-button"
        title="Move up"
        aria-label="Move up"
        disabled={index === 0}
        onClick={() => onMove(-1)}
      >
        <caretUpIcon.react tag="span" elementSize="small" />
      </button>
      <button
        className="jp-hpc-kernels-icon-button"
        title="Move down"
        aria-label="Move down"
        disabled={index === count - 1}
        onClick={() => onMove(1)}
      >
        <caretDownIcon.react tag="span" elementSize="small" />
      </button>
      <button
        className="jp-hpc-kernels-icon-button"
        title={removeTitle}
        aria-label={removeTitle}
        disabled={!canRemove}
        onClick={onRemove}
      >
        <closeIcon.react tag="span" elementSize="small" />
      </button>
    </span>
  );
}

function ArgvSection({
  model,
  readOnly
}: {
  model: KernelsModel;
  readOnly: boolean;
}): JSX.Element {
  const argv = model.draft!.argv;
  const holders = argv.filter(a => a.includes(CONNECTION_FILE)).length;
  return (
    <fieldset
      className="jp-hpc-kernels-section jp-hpc-kernels-argv"
      disabled={readOnly}
    >
      <legend>Command (argv)</legend>
      <ol className="jp-hpc-kernels-list-editor">
        {argv.map((arg, i) => {
          const isHolder = arg.includes(CONNECTION_FILE);
          return (
            <li key={i} className="jp-hpc-kernels-list-row">
              <span className="jp-hpc-kernels-index">{i}</span>
              <input
                className={
                  'jp-mod-styled jp-hpc-kernels-arg' +
                  (isHolder ? ' jp-mod-placeholder' : '')
                }
                value={arg}
                spellCheck={false}
                placeholder={i === 0 ? '/path/to/python' : 'argument'}
                onChange={e => model.setArg(i, e.target.value)}
              />
              {!readOnly && (
                <RowButtons
                  index={i}
                  count={argv.length}
                  onMove={d => model.moveArg(i, d)}
                  onRemove={() => model.removeArg(i)}
                  removeTitle={
                    isHolder && holders === 1
                      ? `${CONNECTION_FILE} must remain`
                      : 'Remove this argument'
                  }
                  canRemove={!(isHolder && holders === 1)}
                />
              )}
            </li>
          );
        })}
      </ol>
      {!readOnly && (
        <button
          className="jp-hpc-kernels-button jp-hpc-kernels-add-arg"
          onClick={() => model.addArg()}
        >
          <addIcon.react tag="span" elementSize="small" /> Add argument
        </button>
      )}
      <Findings items={about(model.problems, 'argv')} kind="problem" />
      <Findings items={about(model.warnings, 'argv')} kind="warning" />
    </fieldset>
  );
}

function EnvSection({
  model,
  readOnly
}: {
  model: KernelsModel;
  readOnly: boolean;
}): JSX.Element {
  const rows = model.draft!.env;
  const [newPath, setNewPath] = React.useState(false);
  return (
    <fieldset
      className="jp-hpc-kernels-section jp-hpc-kernels-env"
      disabled={readOnly}
    >
      <legend>Environment (env)</legend>
      {rows.length === 0 && (
        <div className="jp-hpc-kernels-note">
          The kernel inherits the server’s environment. Variables set here
          replace it; <code>${'{PATH}'}</code> in a value stands for the
          server’s value, expanded when the kernel starts.
        </div>
      )}
      <div className="jp-hpc-kernels-env-rows">
        {rows.map((row, i) => (
          <EnvRowEditor
            key={i}
            model={model}
            row={row}
            index={i}
            count={rows.length}
            readOnly={readOnly}
            focusNew={newPath && i === rows.length - 1}
          />
        ))}
      </div>
      {!readOnly && (
        <div className="jp-hpc-kernels-env-add">
          <button
            className="jp-hpc-kernels-button jp-hpc-kernels-add-var"
            onClick={() => {
              setNewPath(false);
              model.addEnv();
            }}
          >
            <addIcon.react tag="span" elementSize="small" /> Add variable
          </button>
          {['PATH', 'LD_LIBRARY_PATH', 'PYTHONPATH']
            .filter(name => !rows.some(r => r.key === name))
            .map(name => (
              <button
                key={name}
                className="jp-hpc-kernels-button jp-hpc-kernels-add-known"
                data-variable={name}
                title={
                  model.serverHas(name)
                    ? `Add ${name}, keeping the server's value after your entries`
                    : `Add ${name} (the server does not set it)`
                }
                onClick={() => {
                  setNewPath(true);
                  model.addEnv(
                    name,
                    model.serverHas(name) ? `\${${name}}` : ''
                  );
                }}
              >
                <addIcon.react tag="span" elementSize="small" /> {name}
              </button>
            ))}
        </div>
      )}
      <Findings items={about(model.problems, 'env')} kind="problem" />
      <Findings items={about(model.warnings, 'env')} kind="warning" />
    </fieldset>
  );
}

function EnvRowEditor({
  model,
  row,
  index,
  count,
  readOnly,
  focusNew
}: {
  model: KernelsModel;
  row: IEnvRow;
  index: number;
  count: number;
  readOnly: boolean;
  focusNew: boolean;
}): JSX.Element {
  const pathLike = isPathLike(row.key);
  return (
    <div
      className={'jp-hpc-kernels-env-row' + (pathLike ? ' jp-mod-path' : '')}
      data-variable={row.key}
    >
      <input
        className="jp-mod-styled jp-hpc-kernels-env-key"
        value={row.key}
        placeholder="NAME"
        spellCheck={false}
        aria-label="Variable name"
        onChange={e => model.setEnvKey(index, e.target.value)}
      />
      <div className="jp-hpc-kernels-env-value">
        {pathLike ? (
          <>
            <ol className="jp-hpc-kernels-list-editor">
              {row.entries.map((entry, j) => (
                <li key={j} className="jp-hpc-kernels-list-row">
                  <input
                    className={
                      'jp-mod-styled jp-hpc-kernels-path-entry' +
                      (/^\$\{?[A-Za-z_]/.test(entry) ? ' jp-mod-reference' : '')
                    }
                    value={entry}
                    spellCheck={false}
                    placeholder="/path/to/folder or ${VAR}"
                    autoFocus={focusNew && j === 0 && entry === ''}
                    onChange={e => model.setPathEntry(index, j, e.target.value)}
                  />
                  {!readOnly && (
                    <RowButtons
                      index={j}
                      count={row.entries.length}
                      onMove={d => model.movePathEntry(index, j, d)}
                      onRemove={() => model.removePathEntry(index, j)}
                      removeTitle="Remove this entry"
                    />
                  )}
                </li>
              ))}
            </ol>
            {!readOnly && (
              <button
                className="jp-hpc-kernels-link jp-hpc-kernels-add-entry"
                onClick={() => model.addPathEntry(index, '', -1)}
                title="Add a folder at the front (searched first)"
              >
                + Add entry
              </button>
            )}
          </>
        ) : (
          <input
            className="jp-mod-styled jp-hpc-kernels-env-text"
            value={envRowValue(row)}
            spellCheck={false}
            placeholder="value"
            aria-label={`Value of ${row.key || 'the variable'}`}
            onChange={e => model.setEnvValue(index, e.target.value)}
          />
        )}
      </div>
      {!readOnly && (
        <RowButtons
          index={index}
          count={count}
          onMove={d => model.moveEnv(index, d)}
          onRemove={() => model.removeEnv(index)}
          removeTitle={`Remove ${row.key || 'this variable'}`}
        />
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------

function CreateForm({ model }: { model: KernelsModel }): JSX.Element {
  const [kind, setKind] = React.useState<'kernel' | 'interpreter'>(
    model.createFrom ? 'kernel' : 'interpreter'
  );
  const [source, setSource] = React.useState(
    model.createFrom ?? model.kernels[0]?.name ?? ''
  );
  const [interpreter, setInterpreter] = React.useState('');
  const [displayName, setDisplayName] = React.useState('');
  const [name, setName] = React.useState(() =>
    model.createFrom ? `${model.createFrom}-copy` : ''
  );
  const [touched, setTouched] = React.useState(false);
  const [error, setError] = React.useState('');

  const problem = model.nameProblem(name);
  const sourceProblem =
    kind === 'interpreter' && !interpreter.trim()
      ? 'Give the path of a Python interpreter or of a conda/venv prefix.'
      : kind === 'kernel' && !source
        ? 'Choose the kernel to copy.'
        : null;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (problem || sourceProblem) {
      return;
    }
    setError('');
    try {
      const created = await model.create(
        name,
        kind === 'kernel'
          ? { kernel: source }
          : { interpreter: interpreter.trim() },
        displayName.trim() || undefined
      );
      Notification.success(
        `Created the kernel “${created.display_name}”; it is in the Launcher now.`,
        { autoClose: 4000 }
      );
    } catch (e) {
      const detail =
        e instanceof HPCApiError && e.detail ? `\n\n${e.detail}` : '';
      setError(messageOf(e) + detail);
    }
  };

  return (
    <form className="jp-hpc-kernels-create" onSubmit={e => void submit(e)}>
      <h2>New kernel</h2>
      <p className="jp-hpc-kernels-note">
        It is written to your own kernels folder
        {model.userDir ? (
          <>
            {' '}
            (<code>{model.userDir}</code>)
          </>
        ) : null}
        , and appears in the Launcher at once.
      </p>
      <fieldset className="jp-hpc-kernels-section">
        <legend>Start from</legend>
        <label className="jp-hpc-kernels-choice">
          <input
            type="radio"
            name="source"
            checked={kind === 'interpreter'}
            onChange={() => setKind('interpreter')}
          />
          A Python interpreter, or a conda / venv prefix
        </label>
        {kind === 'interpreter' && (
          <input
            className="jp-mod-styled jp-hpc-kernels-interpreter"
            value={interpreter}
            spellCheck={false}
            placeholder="/home/me/envs/analysis  or  /opt/python/3.12/bin/python3"
            onChange={e => setInterpreter(e.target.value)}
          />
        )}
        <label className="jp-hpc-kernels-choice">
          <input
            type="radio"
            name="source"
            checked={kind === 'kernel'}
            onChange={() => setKind('kernel')}
          />
          A copy of an existing kernel
        </label>
        {kind === 'kernel' && (
          <select
            className="jp-mod-styled jp-hpc-kernels-source"
            value={source}
            onChange={e => {
              setSource(e.target.value);
              if (!touched) {
                setName(`${e.target.value}-copy`);
              }
            }}
          >
            {model.kernels.map(k => (
              <option key={k.name} value={k.name}>
                {k.display_name} ({k.name})
              </option>
            ))}
          </select>
        )}
        {touched && sourceProblem && (
          <Findings
            items={[{ field: 'from', message: sourceProblem }]}
            kind="problem"
          />
        )}
      </fieldset>
      <fieldset className="jp-hpc-kernels-section">
        <legend>Names</legend>
        <label className="jp-hpc-kernels-field">
          <span>Display name</span>
          <input
            className="jp-mod-styled jp-hpc-kernels-new-display-name"
            value={displayName}
            placeholder={
              kind === 'kernel'
                ? 'the same, with “(copy)”'
                : 'Python 3.x (env name)'
            }
            onChange={e => {
              setDisplayName(e.target.value);
              if (!touched) {
                setName(suggestName(e.target.value));
              }
            }}
          />
        </label>
        <label className="jp-hpc-kernels-field">
          <span>Name</span>
          <input
            className={
              'jp-mod-styled jp-hpc-kernels-new-name' +
              (name && problem ? ' jp-mod-invalid' : '')
            }
            value={name}
            spellCheck={false}
            placeholder="my-kernel"
            aria-invalid={Boolean(name && problem)}
            onChange={e => {
              setTouched(true);
              setName(e.target.value);
            }}
          />
        </label>
        <div
          className={
            'jp-hpc-kernels-name-hint' +
            (name && problem ? ' jp-mod-invalid' : '')
          }
        >
          {name && problem
            ? problem
            : 'The folder name: lowercase letters, digits, “.”, “_” and “-”.'}
        </div>
      </fieldset>
      {error && (
        <div className="jp-hpc-kernels-banner jp-mod-error jp-hpc-kernels-create-error">
          {error}
        </div>
      )}
      <div className="jp-hpc-kernels-actions">
        <button
          type="submit"
          className="jp-hpc-kernels-button jp-mod-accept jp-hpc-kernels-create-submit"
          disabled={model.busy || Boolean(name && problem)}
        >
          {model.busy
            ? kind === 'interpreter'
              ? 'Checking the interpreter…'
              : 'Creating…'
            : 'Create kernel'}
        </button>
        <button
          type="button"
          className="jp-hpc-kernels-button"
          onClick={() => model.cancelCreate()}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
