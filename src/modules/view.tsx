/**
 * The Modules panel: target, loaded modules, available modules (grouped, with
 * an instant filter and a hierarchy search), details, collections and paths.
 * Reads the model, calls the model; never fetches by itself.
 */
import * as React from 'react';

import type { AvailableModule, SpiderHit } from './api';
import {
  notAffectedText,
  reportError,
  runModuleChange,
  runModuleTask
} from './actions';
import { ModulePackage } from './catalog';
import { ModulesModel } from './model';
import { MODE_WORDS, parseTargetValue, targetValue } from './target';
import type { ModulesMode } from '../kernels/api';
import { useModel } from '../common/useModel';

export interface IModulesViewProps {
  model: ModulesModel;
  /** At most this many packages are drawn; the filter narrows the rest. */
  maxPackages?: number;
}

export function ModulesView(props: IModulesViewProps): React.ReactElement {
  const { model } = props;
  useModel(model);
  // Enter in the filter opens a module and moves the focus to its action;
  // Escape in the details comes back to the filter.
  const filterRef = React.useRef<HTMLInputElement>(null);
  const [focusAction, setFocusAction] = React.useState(0);

  if (!model.status) {
    return (
      <div className="jp-hpc-modules">
        <div className="jp-hpc-modules-empty">
          {model.error ?? 'Looking for the module system…'}
          {model.error !== null && (
            <div>
              <button
                className="jp-hpc-modules-button"
                onClick={() => model.refresh().catch(() => undefined)}
              >
                Try again
              </button>
            </div>
          )}
        </div>
      </div>
    );
  }
  if (!model.available) {
    return (
      <div className="jp-hpc-modules">
        <div className="jp-hpc-modules-empty">{model.error}</div>
      </div>
    );
  }
  const system = model.status.system;
  return (
    <div className="jp-hpc-modules">
      <div className="jp-hpc-modules-header">
        <span className="jp-hpc-modules-title">
          {system.label} {system.version ?? ''}
        </span>
        <span className="jp-hpc-modules-spacer" />
        <button
          className="jp-hpc-modules-button"
          title="List the available modules and the kernels again (new modulefiles on disk)"
          disabled={model.busy !== null}
          onClick={() =>
            void Promise.all([model.refreshAvail(), model.refreshKernels()])
          }
        >
          Refresh
        </button>
      </div>
      <TargetBar model={model} />
      {model.status.start_errors && model.status.start_errors.length > 0 && (
        <div className="jp-hpc-modules-warning">
          Site start-up modules failed: {model.status.start_errors.join(' ')}
        </div>
      )}
      <div className="jp-hpc-modules-body">
        <LoadedSection model={model} />
        <AvailableSection
          model={model}
          maxPackages={props.maxPackages ?? 200}
          filterRef={filterRef}
          onOpened={() => setFocusAction(n => n + 1)}
        />
        <DetailsSection
          model={model}
          focusAction={focusAction}
          onClose={() => filterRef.current?.focus()}
        />
        <CollectionsSection model={model} />
        <PathsSection model={model} />
      </div>
    </div>
  );
}

function TargetBar({ model }: { model: ModulesModel }): React.ReactElement {
  const kernel = model.targetKernel;
  const blocked = model.kernels.filter(k => k.blockedReason);
  const target = model.target;
  return (
    <div className="jp-hpc-modules-target">
      <label className="jp-hpc-modules-target-choice">
        <span className="jp-hpc-modules-target-label">Target:</span>
        <select
          className="jp-hpc-modules-select"
          aria-label="Target of loads"
          value={targetValue(target)}
          disabled={model.busy !== null}
          onChange={e => {
            try {
              model.setTarget(parseTargetValue(e.currentTarget.value));
            } catch (error) {
              reportError(error);
            }
          }}
        >
          <option value="server">This server session</option>
          {target.kind === 'kernel' && !kernel && (
            <option value={targetValue(target)}>
              {target.name} (no longer there)
            </option>
          )}
          {model.kernels.length > 0 && (
            <optgroup label="Kernels (their kernelspec)">
              {model.kernels.map(k => (
                <option
                  key={k.name}
                  value={targetValue({ kind: 'kernel', name: k.name })}
                  disabled={k.blockedReason !== ''}
                  title={k.blockedReason || `Edit the modules of ${k.name}`}
                >
                  {k.label}
                  {k.blockedReason ? ' (read-only)' : ''}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      {target.kind === 'server' ? (
        <SessionNote model={model} />
      ) : (
        <KernelNote model={model} />
      )}
      {blocked.length > 0 && (
        <details className="jp-hpc-modules-readonly">
          <summary>
            {blocked.length} kernel{blocked.length === 1 ? '' : 's'} cannot take
            modules
          </summary>
          <ul>
            {blocked.map(k => (
              <li key={k.name}>
                <strong>{k.displayName}</strong>: {k.blockedReason}
              </li>
            ))}
          </ul>
        </details>
      )}
      {model.kernelsError && (
        <div className="jp-hpc-modules-warning">{model.kernelsError}</div>
      )}
      {model.busy && (
        <div className="jp-hpc-modules-busy" role="status">
          {model.busy}…
        </div>
      )}
    </div>
  );
}

/** The session target: who inherits the change, and who does not. */
function SessionNote({ model }: { model: ModulesModel }): React.ReactElement {
  const notAffected = model.notAffected;
  const running = notAffectedText(notAffected);
  const names = [
    ...notAffected.kernels.map(
      k => `kernel ${k.name}${k.path ? ` (${k.path})` : ''}`
    ),
    ...notAffected.terminals.map(t => `terminal ${t.name}`)
  ];
  return (
    <div className="jp-hpc-modules-target-note">
      New kernels and terminals inherit what you load here.
      {running && (
        <details className="jp-hpc-modules-not-affected">
          <summary>Not affected: {running}</summary>
          <ul>
            {names.map(n => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** A kernel target: how its modules are written, and its running sessions. */
function KernelNote({ model }: { model: ModulesModel }): React.ReactElement {
  const kernel = model.targetKernel;
  if (!kernel) {
    return (
      <div className="jp-hpc-modules-warning">
        This kernel is no longer there: choose another target.
      </div>
    );
  }
  const mode = model.kernelMode;
  const attached = kernel.attached;
  const disabled = model.busy !== null;
  const running = model.runningOfTarget.length;
  const modeChoice = (value: ModulesMode, label: string, help: string) => (
    <label className="jp-hpc-modules-mode" title={help}>
      <input
        type="radio"
        name="jp-hpc-modules-mode"
        value={value}
        checked={mode === value}
        disabled={disabled}
        onChange={() => (model.kernelMode = value)}
      />{' '}
      {label}
    </label>
  );
  return (
    <div className="jp-hpc-modules-target-note">
      Loads edit the kernel <code>{kernel.name}</code>: its next sessions start
      with them; this server session is not changed.
      <div
        className="jp-hpc-modules-modes"
        role="radiogroup"
        aria-label="How the kernel gets its modules"
      >
        {modeChoice(
          'launch',
          'Load at launch',
          'The modules are loaded each time the kernel starts (always the current modulefiles)'
        )}
        {modeChoice(
          'capture',
          'Capture into environment',
          'The modules are loaded once now and what they set is written into the kernel’s env (fast starts; later modulefile changes are not seen)'
        )}
      </div>
      {attached && attached.modules.length > 0 && attached.mode !== mode && (
        <div className="jp-hpc-modules-hint">
          Its modules are {MODE_WORDS[attached.mode]}; the next change writes
          them {MODE_WORDS[mode]}.{' '}
          <button
            className="jp-hpc-modules-button jp-mod-small"
            disabled={disabled}
            onClick={() =>
              void runModuleChange(
                model,
                () => model.applyMode(),
                `Switched to ${mode === 'launch' ? 'load at launch' : 'capture'}`
              )
            }
          >
            Switch now
          </button>
        </div>
      )}
      {running > 0 && (
        <div>
          {running} running kernel{running === 1 ? '' : 's'} of it keep
          {running === 1 ? 's' : ''} the old environment until restarted.
        </div>
      )}
    </div>
  );
}

function LoadedSection({ model }: { model: ModulesModel }): React.ReactElement {
  const loaded = model.loaded;
  const kernel = model.target.kind === 'kernel';
  const disabled = model.busy !== null || (kernel && !model.targetKernel);
  return (
    <section className="jp-hpc-modules-section" aria-label="Loaded modules">
      <div className="jp-hpc-modules-section-head">
        <span>
          {kernel
            ? `Loaded in the kernel (${loaded.length})`
            : `Loaded (${loaded.length})`}
        </span>
        <span className="jp-hpc-modules-spacer" />
        {!kernel && (
          <button
            className="jp-hpc-modules-button"
            disabled={disabled}
            title="Back to the modules the server started with (the site defaults)"
            onClick={() =>
              void runModuleChange(
                model,
                () => model.reset('start'),
                'Reset to the site defaults'
              )
            }
          >
            Reset
          </button>
        )}
        <button
          className="jp-hpc-modules-button"
          disabled={disabled || loaded.length === 0}
          title={
            kernel
              ? 'Take every module away from this kernel'
              : 'Unload every module (module purge)'
          }
          onClick={() =>
            void runModuleChange(
              model,
              () => model.reset('none'),
              kernel ? 'Took every module away' : 'Unloaded every module'
            )
          }
        >
          Unload all
        </button>
      </div>
      {loaded.length === 0 ? (
        <div className="jp-hpc-modules-hint">
          {kernel
            ? 'No module is attached to this kernel: choose one below and Load.'
            : 'No module is loaded.'}
        </div>
      ) : (
        <ul className="jp-hpc-modules-loaded">
          {loaded.map(m => (
            <li key={m.full_name} className="jp-hpc-modules-loaded-item">
              <button
                className="jp-hpc-modules-link"
                title={m.path || m.full_name}
                onClick={() => void model.select(m.full_name)}
              >
                {m.full_name}
              </button>
              <span className="jp-hpc-modules-spacer" />
              <button
                className="jp-hpc-modules-button jp-mod-small"
                disabled={disabled}
                aria-label={`Unload ${m.full_name}`}
                title={`Unload ${m.full_name}`}
                onClick={() =>
                  void runModuleChange(
                    model,
                    () => model.unload([m.full_name]),
                    `Unloaded ${m.full_name}`
                  )
                }
              >
                Unload
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AvailableSection(props: {
  model: ModulesModel;
  maxPackages: number;
  filterRef: React.RefObject<HTMLInputElement>;
  onOpened: () => void;
}): React.ReactElement {
  const { model, maxPackages } = props;
  const system = model.status!.system;
  const packages = model.visiblePackages;
  const shown = packages.slice(0, maxPackages);
  const total = model.packages.length;
  const searchAll = () => {
    model.searchAll(model.filter).catch(reportError);
  };
  return (
    <section className="jp-hpc-modules-section" aria-label="Available modules">
      <div className="jp-hpc-modules-section-head">
        <span>Available ({total} packages)</span>
      </div>
      <div className="jp-hpc-modules-search">
        <input
          className="jp-hpc-modules-input"
          type="search"
          placeholder="Filter modules"
          aria-label="Filter modules"
          title="Enter: open the best match · Shift+Enter: search all · Escape: clear"
          ref={props.filterRef}
          value={model.filter}
          onChange={e => (model.filter = e.currentTarget.value)}
          onKeyDown={e => {
            if (e.key === 'Enter' && e.shiftKey) {
              e.preventDefault();
              searchAll();
            } else if (e.key === 'Enter') {
              e.preventDefault();
              if (model.selectBestMatch() !== null) {
                props.onOpened();
              }
            } else if (e.key === 'Escape') {
              // Clear the filter, then (a second Escape) the search results.
              e.preventDefault();
              if (model.filter) {
                model.filter = '';
              } else if (model.spider) {
                model.clearSpider();
              }
            }
          }}
        />
        <button
          className="jp-hpc-modules-button"
          disabled={model.spiderBusy}
          title={
            system.hierarchy_search
              ? 'Search every module, also those that appear only after loading a compiler or MPI (module spider)'
              : `${system.label} cannot search the hierarchy: this searches the names and descriptions on the current MODULEPATH`
          }
          onClick={searchAll}
        >
          {model.spiderBusy ? 'Searching…' : 'Search all'}
        </button>
      </div>
      <label className="jp-hpc-modules-check">
        <input
          type="checkbox"
          checked={model.showHidden}
          onChange={e => (model.showHidden = e.currentTarget.checked)}
        />{' '}
        Show hidden modules
      </label>
      {model.spider ? (
        <SpiderResults model={model} />
      ) : (
        <>
          {model.error && (
            <div className="jp-hpc-modules-warning">{model.error}</div>
          )}
          {packages.length === 0 && model.avail && (
            <div className="jp-hpc-modules-hint">
              {model.filter
                ? `No module on MODULEPATH matches “${model.filter}”. Try “Search all”.`
                : 'No module is available on MODULEPATH.'}
            </div>
          )}
          <ul className="jp-hpc-modules-packages">
            {shown.map(p => (
              <PackageRow key={p.name} model={model} pkg={p} />
            ))}
          </ul>
          {packages.length > shown.length && (
            <div className="jp-hpc-modules-hint">
              Showing {shown.length} of {packages.length} packages: type to
              narrow.
            </div>
          )}
        </>
      )}
    </section>
  );
}

function PackageRow(props: {
  model: ModulesModel;
  pkg: ModulePackage;
}): React.ReactElement {
  const { model, pkg } = props;
  return (
    <li className="jp-hpc-modules-package">
      <span className="jp-hpc-modules-package-name">{pkg.name}</span>
      <span className="jp-hpc-modules-versions">
        {pkg.versions.map(v => (
          <VersionChip
            key={v.full_name}
            model={model}
            module={v}
            markDefault={v.default && pkg.versions.length > 1}
          />
        ))}
      </span>
    </li>
  );
}

/** One version; the default is marked where there is a choice (as `module avail` does). */
function VersionChip(props: {
  model: ModulesModel;
  module: AvailableModule;
  markDefault: boolean;
}): React.ReactElement {
  const { model, module: m, markDefault } = props;
  const loaded = model.isLoaded(m.full_name);
  const classes = ['jp-hpc-modules-version'];
  if (loaded) {
    classes.push('jp-mod-loaded');
  }
  if (m.hidden) {
    classes.push('jp-mod-hidden');
  }
  if (model.selected === m.full_name) {
    classes.push('jp-mod-selected');
  }
  const notes = [
    m.default ? 'default' : '',
    m.hidden ? 'hidden' : '',
    loaded ? 'loaded' : ''
  ].filter(Boolean);
  return (
    <button
      className={classes.join(' ')}
      title={`${m.full_name}${notes.length ? ` (${notes.join(', ')})` : ''}`}
      data-module={m.full_name}
      onClick={() => void model.select(m.full_name)}
    >
      {m.version || m.full_name}
      {markDefault && (
        <span className="jp-hpc-modules-default" title="default">
          D
        </span>
      )}
    </button>
  );
}

/** At most this many search hits are drawn. */
const MAX_HITS = 300;

function SpiderResults({ model }: { model: ModulesModel }): React.ReactElement {
  const spider = model.spider!;
  const disabled = model.busy !== null;
  return (
    <div className="jp-hpc-modules-spider">
      <div className="jp-hpc-modules-section-head">
        <span>
          {spider.hits.length} found for “{spider.query || 'everything'}”
        </span>
        <span className="jp-hpc-modules-spacer" />
        <button
          className="jp-hpc-modules-button"
          onClick={() => model.clearSpider()}
        >
          Back
        </button>
      </div>
      {spider.message && (
        <div className="jp-hpc-modules-hint">{spider.message}</div>
      )}
      <ul className="jp-hpc-modules-hits">
        {spider.hits.slice(0, MAX_HITS).map(hit => (
          <li key={hit.full_name} className="jp-hpc-modules-hit">
            <div className="jp-hpc-modules-hit-head">
              <button
                className="jp-hpc-modules-link"
                onClick={() => void model.select(hit.full_name)}
              >
                {hit.full_name}
              </button>
              <span className="jp-hpc-modules-spacer" />
              <button
                className="jp-hpc-modules-button jp-mod-small"
                disabled={disabled || model.isLoaded(hit.full_name)}
                title={loadTitle(hit)}
                onClick={() => {
                  const names = [
                    ...(hit.load_first[0] ?? []),
                    hit.full_name
                  ].filter(n => !model.isLoaded(n));
                  void runModuleChange(
                    model,
                    () => model.load(names),
                    `Loaded ${names.join(', ')}`
                  );
                }}
              >
                Load
              </button>
            </div>
            {hit.description && (
              <div className="jp-hpc-modules-hint">{hit.description}</div>
            )}
            {hit.load_first.length > 0 && (
              <div className="jp-hpc-modules-load-first">
                Load first:{' '}
                {hit.load_first.map((chain, i) => (
                  <span key={i} className="jp-hpc-modules-chain">
                    {i > 0 && ' or '}
                    {chain.join(' → ')}
                  </span>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
      {spider.hits.length > MAX_HITS && (
        <div className="jp-hpc-modules-hint">
          Showing {MAX_HITS} of {spider.hits.length}: make the search longer to
          narrow it.
        </div>
      )}
    </div>
  );
}

/** The target in words, for titles: "this server session" or "the kernel “X”". */
function targetLabel(model: ModulesModel): string {
  const kernel = model.targetKernel;
  return kernel ? `the kernel “${kernel.displayName}”` : 'this server session';
}

function loadTitle(hit: SpiderHit): string {
  const first = hit.load_first[0];
  return first && first.length > 0
    ? `Load ${first.join(', ')} and then ${hit.full_name}`
    : `Load ${hit.full_name}`;
}

function DetailsSection({
  model,
  focusAction,
  onClose
}: {
  model: ModulesModel;
  /** Changes when the primary action (Load / Swap / Unload) should take the focus. */
  focusAction: number;
  onClose: () => void;
}): React.ReactElement | null {
  const sectionRef = React.useRef<HTMLElement>(null);
  const name = model.selected;
  const focused = React.useRef(0);
  React.useEffect(() => {
    if (focusAction !== focused.current) {
      const button = sectionRef.current?.querySelector<HTMLButtonElement>(
        '.jp-hpc-modules-primary'
      );
      if (button) {
        button.focus();
        focused.current = focusAction;
      }
    }
  });
  if (name === null) {
    return null;
  }
  const close = () => {
    void model.select(null);
    onClose();
  };
  const details = model.details;
  const disabled = model.busy !== null;
  const loaded = model.isLoaded(name);
  const pkg = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : name;
  const other = model.loadedOf(pkg);
  const swapFrom = other && other !== name ? other : null;
  return (
    <section
      className="jp-hpc-modules-section jp-hpc-modules-details"
      aria-label="Module details"
      ref={sectionRef}
      onKeyDown={e => {
        if (e.key === 'Escape') {
          e.preventDefault();
          close();
        }
      }}
    >
      <div className="jp-hpc-modules-section-head">
        <span className="jp-hpc-modules-details-name">{name}</span>
        <span className="jp-hpc-modules-spacer" />
        {loaded ? (
          <button
            className="jp-hpc-modules-button jp-hpc-modules-primary"
            disabled={disabled}
            onClick={() =>
              void runModuleChange(
                model,
                () => model.unload([name]),
                `Unloaded ${name}`
              )
            }
          >
            Unload
          </button>
        ) : swapFrom ? (
          <button
            className="jp-hpc-modules-button jp-mod-accept jp-hpc-modules-primary"
            disabled={disabled}
            title={`Unload ${swapFrom} and load ${name}`}
            onClick={() =>
              void runModuleChange(
                model,
                () => model.swap(swapFrom, name),
                `Swapped ${swapFrom} for ${name}`
              )
            }
          >
            Swap for {swapFrom}
          </button>
        ) : (
          <button
            className="jp-hpc-modules-button jp-mod-accept jp-hpc-modules-primary"
            disabled={disabled}
            title={`Load ${name} into ${targetLabel(model)}`}
            onClick={() =>
              void runModuleChange(
                model,
                () => model.load([name]),
                `Loaded ${name}`
              )
            }
          >
            Load
          </button>
        )}
        <button
          className="jp-hpc-modules-button"
          aria-label="Close the details"
          onClick={close}
        >
          ✕
        </button>
      </div>
      {model.detailsError && (
        <div className="jp-hpc-modules-warning">{model.detailsError}</div>
      )}
      {!details && !model.detailsError && (
        <div className="jp-hpc-modules-hint">Reading…</div>
      )}
      {details && (
        <div className="jp-hpc-modules-details-body">
          {details.whatis.length > 0 && (
            <ul className="jp-hpc-modules-whatis">
              {details.whatis.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          )}
          {details.help && (
            <pre className="jp-hpc-modules-help">{details.help}</pre>
          )}
          {details.actions.length > 0 && (
            <table className="jp-hpc-modules-vars">
              <tbody>
                {details.actions.map((a, i) => (
                  <tr key={i}>
                    <td>{a.action}</td>
                    <td>{a.name}</td>
                    <td className="jp-hpc-modules-var-value">{a.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="jp-hpc-modules-path" title="The modulefile">
            {details.path}
          </div>
        </div>
      )}
    </section>
  );
}

function CollectionsSection({
  model
}: {
  model: ModulesModel;
}): React.ReactElement {
  const [name, setName] = React.useState('');
  const disabled = model.busy !== null;
  const sessionOnly = sessionOnlyReason(model);
  return (
    <details
      className="jp-hpc-modules-section jp-hpc-modules-fold"
      onToggle={e => {
        if ((e.currentTarget as HTMLDetailsElement).open) {
          model.listCollections().catch(reportError);
        }
      }}
    >
      <summary>Collections</summary>
      {sessionOnly && <div className="jp-hpc-modules-hint">{sessionOnly}</div>}
      <form
        className="jp-hpc-modules-search"
        onSubmit={e => {
          e.preventDefault();
          const n = name.trim();
          if (n) {
            void runModuleTask(
              () => model.saveCollection(n),
              `Saved the loaded modules as the collection “${n}”.`
            ).then(ok => ok && setName(''));
          }
        }}
      >
        <input
          className="jp-hpc-modules-input"
          placeholder="Collection name"
          aria-label="Collection name"
          value={name}
          onChange={e => setName(e.currentTarget.value)}
        />
        <button
          className="jp-hpc-modules-button"
          type="submit"
          disabled={!name.trim() || sessionOnly !== ''}
          title={
            sessionOnly || 'Save the modules loaded in this server session'
          }
        >
          Save loaded
        </button>
      </form>
      {model.collections.length === 0 ? (
        <div className="jp-hpc-modules-hint">No saved collection.</div>
      ) : (
        <ul className="jp-hpc-modules-loaded">
          {model.collections.map(c => (
            <li key={c} className="jp-hpc-modules-loaded-item">
              <span>{c}</span>
              <span className="jp-hpc-modules-spacer" />
              <button
                className="jp-hpc-modules-button jp-mod-small"
                disabled={disabled || sessionOnly !== ''}
                title={sessionOnly || `Restore ${c} into this server session`}
                onClick={() =>
                  void runModuleChange(
                    model,
                    () => model.restore(c),
                    `Restored the collection ${c}`
                  )
                }
              >
                Restore
              </button>
              <button
                className="jp-hpc-modules-button jp-mod-small"
                disabled={disabled}
                onClick={() =>
                  void runModuleTask(
                    () => model.deleteCollection(c),
                    `Deleted the collection “${c}”.`
                  )
                }
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}

/** Why a session-only change (restore, use, unuse) is off now, or "". */
function sessionOnlyReason(model: ModulesModel): string {
  return model.target.kind === 'kernel'
    ? 'This changes this server session only: choose “This server session” as the target.'
    : '';
}

function PathsSection({ model }: { model: ModulesModel }): React.ReactElement {
  const [path, setPath] = React.useState('');
  const disabled = model.busy !== null || sessionOnlyReason(model) !== '';
  return (
    <details className="jp-hpc-modules-section jp-hpc-modules-fold">
      <summary>Module paths ({model.modulepath.length})</summary>
      {sessionOnlyReason(model) && (
        <div className="jp-hpc-modules-hint">{sessionOnlyReason(model)}</div>
      )}
      <form
        className="jp-hpc-modules-search"
        onSubmit={e => {
          e.preventDefault();
          const p = path.trim();
          if (p) {
            void runModuleChange(
              model,
              () => model.use(p),
              `Added ${p} to MODULEPATH`
            ).then(r => r && setPath(''));
          }
        }}
      >
        <input
          className="jp-hpc-modules-input"
          placeholder="/path/to/modulefiles"
          aria-label="Module path to add"
          value={path}
          onChange={e => setPath(e.currentTarget.value)}
        />
        <button
          className="jp-hpc-modules-button"
          type="submit"
          disabled={disabled || !path.trim()}
        >
          Use
        </button>
      </form>
      <ul className="jp-hpc-modules-loaded">
        {model.modulepath.map(p => (
          <li key={p} className="jp-hpc-modules-loaded-item">
            <span className="jp-hpc-modules-path" title={p}>
              {p}
            </span>
            <span className="jp-hpc-modules-spacer" />
            <button
              className="jp-hpc-modules-button jp-mod-small"
              disabled={disabled}
              onClick={() =>
                void runModuleChange(
                  model,
                  () => model.unuse(p),
                  `Removed ${p} from MODULEPATH`
                )
              }
            >
              Unuse
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
