/**
 * The state of the Modules panel: the module system, what is loaded, what is
 * available (grouped, filtered on the client), details, the hierarchy search,
 * collections, and a slow Poll that notices changes made elsewhere.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { HPCApiError } from '../common/request';
import { IKernelsApi, KERNELS_API, ModulesMode } from '../kernels/api';
import * as modulesApi from './api';
import type {
  AvailResult,
  ChangeResult,
  LoadedModule,
  ModuleDetails,
  ModuleStatus,
  NotAffected,
  SpiderResult
} from './api';
import {
  ModulePackage,
  bestMatch,
  filterPackages,
  groupModules,
  packageOf
} from './catalog';
import {
  IKernelChange,
  IKernelTarget,
  SESSION_TARGET,
  TargetChoice,
  changesKernel,
  defaultMode,
  kernelTargets,
  planLoad,
  planSwap,
  planUnload
} from './target';

/** The server calls the model makes; tests pass fakes. */
export type IModulesApi = Pick<
  typeof modulesApi,
  | 'fetchStatus'
  | 'fetchAvail'
  | 'fetchSpider'
  | 'fetchDetails'
  | 'loadModules'
  | 'unloadModules'
  | 'swapModules'
  | 'resetModules'
  | 'changeModulePath'
  | 'fetchCollections'
  | 'saveCollection'
  | 'deleteCollection'
  | 'restoreCollection'
>;

/** The kernelspec calls the model makes (the kernel editor's client); tests pass fakes. */
export type IKernelTargetApi = Pick<
  IKernelsApi,
  'listKernelSpecs' | 'attachModules'
>;

/** What a change did: to the server session, or to one kernel's module list. */
export type ModuleChange =
  | { target: 'server'; result: ChangeResult }
  | { target: 'kernel'; kernel: IKernelChange; changed: boolean };

export namespace ModulesModel {
  export interface IOptions {
    api?: IModulesApi;
    kernelsApi?: IKernelTargetApi;
    /** Seconds between two looks at the loaded modules while shown. */
    refreshInterval?: number;
    visible?: boolean;
    /** Start polling at once (default true). */
    autoStart?: boolean;
  }
}

const errorText = (e: unknown): string =>
  e instanceof Error ? e.message : String(e);

export class ModulesModel implements IDisposable {
  constructor(options: ModulesModel.IOptions = {}) {
    this._api = options.api ?? modulesApi;
    this._kernelsApi = options.kernelsApi ?? KERNELS_API;
    this._refreshInterval = options.refreshInterval ?? 30;
    this._visible = options.visible ?? true;
    this._poll = new Poll({
      auto: false,
      factory: () => this.refresh(),
      frequency: {
        interval: this._refreshInterval * 1000,
        backoff: true,
        max: 5 * 60 * 1000
      },
      name: 'jupyterlab-hpc:modules',
      standby: () => (this._visible ? 'when-hidden' : true)
    });
    if (options.autoStart ?? true) {
      void this._poll.start();
    }
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get status(): ModuleStatus | null {
    return this._status;
  }
  get available(): boolean {
    return this._status?.system.available ?? false;
  }
  /** Why the panel cannot show modules, or the last failure to list them. */
  get error(): string | null {
    return this._error;
  }
  /** The loaded modules of the target: the session's, or the kernel's list. */
  get loaded(): LoadedModule[] {
    if (this._target.kind === 'kernel') {
      return (this.targetKernel?.attached?.modules ?? []).map(m => ({
        full_name: m,
        path: ''
      }));
    }
    return this._status?.loaded ?? [];
  }
  /** The modules loaded in this server session, whatever the target. */
  get sessionLoaded(): LoadedModule[] {
    return this._status?.loaded ?? [];
  }
  get modulepath(): string[] {
    return this._status?.modulepath ?? [];
  }
  get notAffected(): NotAffected {
    return this._status?.not_affected ?? { kernels: [], terminals: [] };
  }
  get avail(): AvailResult | null {
    return this._avail;
  }
  get target(): TargetChoice {
    return this._target;
  }
  /** The kernel the target names, or null (session target, or a kernel that is gone). */
  get targetKernel(): IKernelTarget | null {
    const target = this._target;
    return target.kind === 'kernel'
      ? (this._kernels.find(k => k.name === target.name) ?? null)
      : null;
  }
  /** Every kernel, as a possible target (with why some cannot be). */
  get kernels(): IKernelTarget[] {
    return this._kernels;
  }
  /** Why the kernels could not be listed, or null. */
  get kernelsError(): string | null {
    return this._kernelsError;
  }
  /** How a change of a kernel's modules is written: capture or launch. */
  get kernelMode(): ModulesMode {
    return this._mode;
  }
  set kernelMode(mode: ModulesMode) {
    if (mode !== this._mode) {
      this._mode = mode;
      this._changed.emit();
    }
  }
  /** Running kernels of the target kernelspec (they keep their environment). */
  get runningOfTarget(): NotAffected['kernels'] {
    const target = this._target;
    return target.kind === 'kernel'
      ? this.notAffected.kernels.filter(k => k.name === target.name)
      : [];
  }

  /**
   * Choose where loads go. A kernel that cannot take modules is refused with
   * the reason; the mode starts as the one the kernel already uses.
   */
  setTarget(target: TargetChoice): void {
    if (target.kind === 'kernel') {
      const kernel = this._kernels.find(k => k.name === target.name);
      if (!kernel) {
        throw new Error(`There is no kernel named “${target.name}”.`);
      }
      if (kernel.blockedReason) {
        throw new Error(
          `“${kernel.displayName}” cannot take modules: ${kernel.blockedReason}`
        );
      }
      this._mode = defaultMode(kernel.attached);
      this._target = { kind: 'kernel', name: kernel.name };
    } else {
      this._target = SESSION_TARGET;
    }
    this._changed.emit();
  }
  /** What the panel is doing now ("Loading gcc/12.2.0"), or null. */
  get busy(): string | null {
    return this._busy;
  }

  get filter(): string {
    return this._filter;
  }
  set filter(value: string) {
    if (value !== this._filter) {
      this._filter = value;
      this._visiblePackages = null;
      this._changed.emit();
    }
  }

  get showHidden(): boolean {
    return this._showHidden;
  }
  set showHidden(value: boolean) {
    if (value !== this._showHidden) {
      this._showHidden = value;
      this._packages = null;
      this._visiblePackages = null;
      this._changed.emit();
      // The first time, the hidden modules are listed (Lmod lists them apart).
      if (value && this._avail && !this._avail.with_hidden) {
        void this._listAvail(false).then(() => this._changed.emit());
      }
    }
  }

  /** Every package (hidden modules only when shown), versions newest first. */
  get packages(): ModulePackage[] {
    if (this._packages === null) {
      this._packages = groupModules(
        this._avail?.modules ?? [],
        this._showHidden
      );
    }
    return this._packages;
  }

  /** The packages that match the search box (instant: no server call). */
  get visiblePackages(): ModulePackage[] {
    if (this._visiblePackages === null) {
      this._visiblePackages = filterPackages(this.packages, this._filter);
    }
    return this._visiblePackages;
  }

  /** The loaded module of a package, e.g. `gcc/12.2.0` for `gcc`. */
  loadedOf(pkg: string): string | null {
    const found = this.loaded.find(m => packageOf(m.full_name) === pkg);
    return found ? found.full_name : null;
  }

  isLoaded(fullName: string): boolean {
    return this.loaded.some(m => m.full_name === fullName);
  }

  get selected(): string | null {
    return this._selected;
  }
  get details(): ModuleDetails | null {
    return this._details;
  }
  get detailsError(): string | null {
    return this._detailsError;
  }
  get spider(): SpiderResult | null {
    return this._spider;
  }
  get spiderBusy(): boolean {
    return this._spiderBusy;
  }
  get collections(): string[] {
    return this._collections;
  }

  get refreshInterval(): number {
    return this._refreshInterval;
  }
  set refreshInterval(seconds: number) {
    if (seconds > 0 && seconds !== this._refreshInterval) {
      this._refreshInterval = seconds;
      this._poll.frequency = {
        ...this._poll.frequency,
        interval: seconds * 1000
      };
    }
  }

  /** The panel tells the model whether it is shown; hidden means no polls. */
  setVisible(visible: boolean): void {
    if (visible === this._visible) {
      return;
    }
    this._visible = visible;
    if (visible) {
      void this._poll.refresh();
    }
  }

  /**
   * Look at the session; list the available modules only the first time and
   * when MODULEPATH changed (the server caches the listing per MODULEPATH).
   */
  async refresh(): Promise<void> {
    const kernels = this.refreshKernels();
    try {
      this._status = await this._api.fetchStatus();
      this._error = this._status.system.available
        ? null
        : this._status.system.message;
    } catch (e) {
      this._error = errorText(e);
      this._changed.emit();
      throw e;
    }
    if (this.available && this._modulepathChanged()) {
      await this._listAvail(false);
    }
    await kernels;
    this._changed.emit();
  }

  /** List the kernels again (targets); a failure is kept in `kernelsError`. */
  async refreshKernels(): Promise<void> {
    try {
      const listing = await this._kernelsApi.listKernelSpecs();
      this._kernels = kernelTargets(listing.kernelspecs);
      this._kernelsError = null;
    } catch (e) {
      this._kernelsError = `The kernels could not be listed: ${errorText(e)}`;
    }
    this._changed.emit();
  }

  /** List the available modules again, bypassing every cache. */
  async refreshAvail(): Promise<void> {
    await this._listAvail(true);
    this._changed.emit();
  }

  async select(fullName: string | null): Promise<void> {
    this._selected = fullName;
    this._details = null;
    this._detailsError = null;
    this._changed.emit();
    if (fullName === null) {
      return;
    }
    try {
      const details = await this._api.fetchDetails(fullName);
      if (this._selected === fullName) {
        this._details = details;
      }
    } catch (e) {
      if (this._selected === fullName) {
        this._detailsError = errorText(e);
      }
    }
    this._changed.emit();
  }

  /** Open the module that best matches the filter (Enter in the filter box); null when none. */
  selectBestMatch(): string | null {
    const best = bestMatch(this.visiblePackages, this._filter);
    if (best) {
      void this.select(best.full_name);
    }
    return best ? best.full_name : null;
  }

  /** Search the whole hierarchy (Lmod spider) on the server. */
  async searchAll(query: string): Promise<SpiderResult> {
    this._spiderBusy = true;
    this._changed.emit();
    try {
      this._spider = await this._api.fetchSpider(query.trim());
      return this._spider;
    } finally {
      this._spiderBusy = false;
      this._changed.emit();
    }
  }

  clearSpider(): void {
    this._spider = null;
    this._changed.emit();
  }

  load(names: string[]): Promise<ModuleChange> {
    const what = `Loading ${names.join(', ')}`;
    return this._target.kind === 'kernel'
      ? this._changeKernel(what, list => planLoad(list, names))
      : this._change(what, () => this._api.loadModules(names, 'server'));
  }

  unload(names: string[]): Promise<ModuleChange> {
    const what = `Unloading ${names.join(', ')}`;
    return this._target.kind === 'kernel'
      ? this._changeKernel(what, list => planUnload(list, names))
      : this._change(what, () => this._api.unloadModules(names, 'server'));
  }

  swap(oldName: string, newName: string): Promise<ModuleChange> {
    const what = `Swapping ${oldName} for ${newName}`;
    return this._target.kind === 'kernel'
      ? this._changeKernel(what, list => planSwap(list, oldName, newName))
      : this._change(what, () =>
          this._api.swapModules(oldName, newName, 'server')
        );
  }

  /** `none`: unload everything (for a kernel: take its modules away); `start`: the session's site defaults. */
  reset(to: 'start' | 'none'): Promise<ModuleChange> {
    if (this._target.kind === 'kernel') {
      if (to === 'start') {
        return this._sessionOnly('Resetting to the site defaults');
      }
      return this._changeKernel('Taking every module away', () => []);
    }
    const what =
      to === 'start'
        ? 'Resetting to the site defaults'
        : 'Unloading every module';
    return this._change(what, () => this._api.resetModules(to, 'server'));
  }

  /** Attach the kernel's modules again in the chosen mode (capture <-> launch). */
  applyMode(): Promise<ModuleChange> {
    return this._changeKernel(
      `Switching to ${this._mode === 'capture' ? 'capture' : 'load at launch'}`,
      list => list
    );
  }

  use(path: string): Promise<ModuleChange> {
    if (this._target.kind === 'kernel') {
      return this._sessionOnly('module use');
    }
    return this._change(`Adding ${path}`, () =>
      this._api.changeModulePath('use', path, 'server')
    );
  }

  unuse(path: string): Promise<ModuleChange> {
    if (this._target.kind === 'kernel') {
      return this._sessionOnly('module unuse');
    }
    return this._change(`Removing ${path}`, () =>
      this._api.changeModulePath('unuse', path, 'server')
    );
  }

  restore(name: string): Promise<ModuleChange> {
    if (this._target.kind === 'kernel') {
      return this._sessionOnly('Restoring a collection');
    }
    return this._change(`Restoring ${name}`, () =>
      this._api.restoreCollection(name, 'server')
    );
  }

  async listCollections(): Promise<void> {
    this._collections = await this._api.fetchCollections();
    this._changed.emit();
  }

  async saveCollection(name: string): Promise<void> {
    this._collections = await this._api.saveCollection(name);
    this._changed.emit();
  }

  async deleteCollection(name: string): Promise<void> {
    this._collections = await this._api.deleteCollection(name);
    this._changed.emit();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _sessionOnly(what: string): Promise<ModuleChange> {
    return Promise.reject(
      new Error(
        `${what} applies to this server session only: choose “This server session” as the target.`
      )
    );
  }

  /**
   * Give the target kernel the list `plan` makes of its current one, in the
   * chosen mode, through the kernelspec service (which checks and saves).
   */
  private async _changeKernel(
    what: string,
    plan: (current: string[]) => string[]
  ): Promise<ModuleChange> {
    if (this._busy !== null) {
      throw new Error(`Wait: ${this._busy.toLowerCase()} is not finished.`);
    }
    const kernel = this.targetKernel;
    const target = this._target;
    if (kernel === null || target.kind !== 'kernel') {
      throw new Error(
        target.kind === 'kernel'
          ? `The kernel “${target.name}” is gone; choose another target.`
          : 'The target is not a kernel.'
      );
    }
    if (kernel.blockedReason || kernel.record.version === null) {
      throw new Error(
        `“${kernel.displayName}” cannot take modules: ${kernel.blockedReason}`
      );
    }
    const before = kernel.attached;
    const mode = this._mode;
    const modules = plan(before?.modules ?? []);
    const change: IKernelChange = {
      displayName: kernel.displayName,
      mode,
      before,
      modules,
      running: this.runningOfTarget.length
    };
    if (!changesKernel(before, mode, modules)) {
      return { target: 'kernel', kernel: change, changed: false };
    }
    this._busy = `${what} (${kernel.displayName})`;
    this._changed.emit();
    try {
      const saved = await this._kernelsApi.attachModules(
        kernel.name,
        mode,
        modules,
        kernel.record.version
      );
      this._kernels = kernelTargets(
        this._kernels.map(k => (k.name === saved.name ? saved : k.record))
      );
      return { target: 'kernel', kernel: change, changed: true };
    } catch (e) {
      if (e instanceof HPCApiError && e.status === 409) {
        // Changed on disk meanwhile (the kernel editor, another window): read it again.
        await this.refreshKernels();
      }
      throw e;
    } finally {
      this._busy = null;
      this._changed.emit();
    }
  }

  private async _change(
    what: string,
    call: () => Promise<ChangeResult>
  ): Promise<ModuleChange> {
    if (this._busy !== null) {
      throw new Error(`Wait: ${this._busy.toLowerCase()} is not finished.`);
    }
    this._busy = what;
    this._changed.emit();
    try {
      const result = await call();
      if (this._status) {
        this._status = {
          ...this._status,
          loaded: result.loaded,
          modulepath: result.modulepath,
          not_affected: result.not_affected
        };
      }
      // A load that does not change MODULEPATH does not list again.
      if (this._modulepathChanged()) {
        await this._listAvail(false);
      }
      return { target: 'server', result };
    } finally {
      this._busy = null;
      this._changed.emit();
    }
  }

  private _modulepathChanged(): boolean {
    const listed = this._avail?.modulepath;
    return (
      listed === undefined || listed.join(':') !== this.modulepath.join(':')
    );
  }

  private async _listAvail(refresh: boolean): Promise<void> {
    try {
      this._avail = await this._api.fetchAvail(refresh, this._showHidden);
      this._packages = null;
      this._visiblePackages = null;
      this._error = null;
    } catch (e) {
      this._error = errorText(e);
    }
  }

  private _api: IModulesApi;
  private _kernelsApi: IKernelTargetApi;
  private _kernels: IKernelTarget[] = [];
  private _kernelsError: string | null = null;
  private _mode: ModulesMode = 'launch';
  private _changed = new Signal<this, void>(this);
  private _poll: Poll;
  private _refreshInterval: number;
  private _visible: boolean;
  private _isDisposed = false;
  private _status: ModuleStatus | null = null;
  private _error: string | null = null;
  private _avail: AvailResult | null = null;
  private _packages: ModulePackage[] | null = null;
  private _visiblePackages: ModulePackage[] | null = null;
  private _filter = '';
  private _showHidden = false;
  private _target: TargetChoice = SESSION_TARGET;
  private _busy: string | null = null;
  private _selected: string | null = null;
  private _details: ModuleDetails | null = null;
  private _detailsError: string | null = null;
  private _spider: SpiderResult | null = null;
  private _spiderBusy = false;
  private _collections: string[] = [];
}
