/**
 * The editor's Modules section: which modules the kernel gets and how
 * (captured into env, or loaded by the launcher each time it starts). Either
 * way the kernel starts without the server session's modules.
 */
import { Notification } from '@jupyterlab/apputils';
import * as React from 'react';

import { HPCApiError } from '../common/request';
import { fetchAvail, fetchStatus } from '../modules/api';
import type { IKernelSpecRecord, ModulesMode } from './api';
import type { KernelsModel } from './model';
import { attachedModules, isOldCapture, parseModuleList } from './spec';

const MODE_LABELS: Record<ModulesMode, string> = {
  capture: 'captured into the environment',
  launch: 'loaded at each launch'
};

/** The server's module system and its module names, once per editor. */
function useModuleNames(): { available: boolean; names: string[] } {
  const [state, setState] = React.useState({
    available: false,
    names: [] as string[]
  });
  React.useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const status = await fetchStatus();
        if (!status.system.available) {
          return;
        }
        if (live) {
          setState({ available: true, names: [] });
        }
        const avail = await fetchAvail();
        if (live) {
          setState({
            available: true,
            names: avail.modules.map(m => m.full_name)
          });
        }
      } catch {
        // No module system, or it failed: the section stays hidden or plain.
      }
    })();
    return () => {
      live = false;
    };
  }, []);
  return state;
}

export function ModulesSection({
  model,
  record,
  readOnly
}: {
  model: KernelsModel;
  record: IKernelSpecRecord;
  readOnly: boolean;
}): JSX.Element | null {
  const { available, names } = useModuleNames();
  const attached = attachedModules(record.spec);
  const [text, setText] = React.useState('');
  React.useEffect(() => {
    setText(attached ? attached.modules.join(' ') : '');
  }, [record.name, record.version?.sha256]);
  if (!available) {
    return null;
  }
  const modules = parseModuleList(text);
  const blocked = readOnly || model.attaching || model.dirty;

  const attach = async (mode: ModulesMode, list: string[]) => {
    try {
      await model.attachModules(mode, list);
      Notification.success(
        list.length === 0
          ? `Took the modules away from “${record.display_name}”.`
          : `Modules ${list.join(', ')} ${MODE_LABELS[mode]} of “${record.display_name}”.`,
        { autoClose: 4000 }
      );
    } catch (error) {
      const conflict = error instanceof HPCApiError && error.status === 409;
      Notification.error(
        conflict
          ? (error as HPCApiError).message
          : `Could not attach the modules: ${
              error instanceof Error ? error.message : String(error)
            }`,
        {
          autoClose: false,
          actions: conflict
            ? [{ label: 'Reload', callback: () => void model.reload() }]
            : []
        }
      );
    }
  };

  return (
    <fieldset
      className="jp-hpc-kernels-section jp-hpc-kernels-modules"
      disabled={readOnly}
    >
      <legend>Modules</legend>
      <div className="jp-hpc-kernels-note">
        {attached ? (
          <>
            Attached: <code>{attached.modules.join(' ')}</code>,{' '}
            {MODE_LABELS[attached.mode]}.
          </>
        ) : (
          'No modules attached to this kernel.'
        )}
      </div>
      {attached && isOldCapture(record.spec) && (
        <div className="jp-hpc-kernels-note jp-hpc-kernels-old-capture">
          Captured by an earlier version: this kernel also gets the modules
          loaded in the server session, and its env holds a copy of the
          server&apos;s PATH. Capture again to give it only its own modules.{' '}
          <button
            className="jp-mod-styled"
            disabled={blocked}
            onClick={() => void attach('capture', attached.modules)}
          >
            Capture again
          </button>
        </div>
      )}
      <label className="jp-hpc-kernels-field">
        <span>Modules</span>
        <input
          className="jp-mod-styled jp-hpc-kernels-modules-input"
          list="jp-hpc-kernels-module-names"
          value={text}
          placeholder="gcc/12.2.0 openmpi"
          onChange={e => setText(e.target.value)}
        />
        <datalist id="jp-hpc-kernels-module-names">
          {names.map(n => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </label>
      <div className="jp-hpc-kernels-modules-ways">
        <div>
          <button
            className="jp-mod-styled jp-mod-accept"
            disabled={blocked || modules.length === 0}
            onClick={() => void attach('capture', modules)}
          >
            Capture into environment
          </button>
          <span className="jp-hpc-kernels-note">
            Loads them once now and writes what they set into env; the kernel
            starts without the server session&apos;s modules and loads none:
            fast starts, but later changes to the modules are not seen.
          </span>
        </div>
        <div>
          <button
            className="jp-mod-styled jp-mod-accept"
            disabled={blocked || modules.length === 0}
            onClick={() => void attach('launch', modules)}
          >
            Load at launch
          </button>
          <span className="jp-hpc-kernels-note">
            Loads them each time the kernel starts (fresh module state), then
            starts the kernel.
          </span>
        </div>
        {attached && (
          <div>
            <button
              className="jp-mod-styled"
              disabled={blocked}
              onClick={() => void attach(attached.mode, [])}
            >
              Remove modules
            </button>
          </div>
        )}
      </div>
      {model.dirty && !readOnly && (
        <div className="jp-hpc-kernels-note">
          Save or discard your changes first: attaching modules saves the
          kernel.
        </div>
      )}
    </fieldset>
  );
}
