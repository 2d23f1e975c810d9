/**
 * The state of the Modules panel: the module system, what is loaded, what is
 * available (grouped, filtered on the client), details, the hierarchy search,
 * collections, and a slow Poll that notices changes made elsewhere.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import * as modulesApi from './api';
import type {
  AvailResult,
  ChangeResult,
  LoadedModule,
  ModuleDetails,
  ModuleStatus,
  ModuleTarget,
  NotAffected,
  SpiderResult
} from './api';
import {
  ModulePackage,
  filterPackages,
  groupModules,
  packageOf
} from './catalog';

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

export namespace ModulesModel {
  export interface IOptions {
    api?: IModulesApi;
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
  get loaded(): LoadedModule[] {
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
  get target(): ModuleTarget {
    return this._target;
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

  load(names: string[]): Promise<ChangeResult> {
    return this._change(`Loading ${names.join(', ')}`, () =>
      this._api.loadModules(names, this._target)
    );
  }

  unload(names: string[]): Promise<ChangeResult> {
    return this._change(`Unloading ${names.join(', ')}`, () =>
      this._api.unloadModules(names, this._target)
    );
  }

  swap(oldName: string, newName: string): Promise<ChangeResult> {
    return this._change(`Swapping ${oldName} for ${newName}`, () =>
      this._api.swapModules(oldName, newName, this._target)
    );
  }

  reset(to: 'start' | 'none'): Promise<ChangeResult> {
    const what =
      to === 'start'
        ? 'Resetting to the site defaults'
        : 'Unloading every module';
    return this._change(what, () => this._api.resetModules(to, this._target));
  }

  use(path: string): Promise<ChangeResult> {
    return this._change(`Adding ${path}`, () =>
      this._api.changeModulePath('use', path, this._target)
    );
  }

  unuse(path: string): Promise<ChangeResult> {
    return this._change(`Removing ${path}`, () =>
      this._api.changeModulePath('unuse', path, this._target)
    );
  }

  restore(name: string): Promise<ChangeResult> {
    return this._change(`Restoring ${name}`, () =>
      this._api.restoreCollection(name, this._target)
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

  private async _change(
    what: string,
    call: () => Promise<ChangeResult>
  ): Promise<ChangeResult> {
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
      return result;
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
  private _target: ModuleTarget = 'server';
  private _busy: string | null = null;
  private _selected: string | null = null;
  private _details: ModuleDetails | null = null;
  private _detailsError: string | null = null;
  private _spider: SpiderResult | null = null;
  private _spiderBusy = false;
  private _collections: string[] = [];
}
