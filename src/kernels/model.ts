/**
 * The state of the kernel editor: the kernels the server found, the one being
 * edited (as a draft), and the outcome of saves and test launches.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { HPCApiError } from '../common/request';
import {
  CreateSource,
  IKernelSpecDocument,
  IKernelSpecRecord,
  IKernelsApi,
  ILaunchResult,
  ISpecFinding,
  KERNELS_API,
  ModulesMode
} from './api';
import {
  IDraft,
  IEnvRow,
  barePythonMatters,
  draftFromSpec,
  draftProblems,
  draftWarnings,
  envRowFromPair,
  moveItem,
  nameProblem,
  renameEnvRow,
  specFromDraft
} from './spec';

export namespace KernelsModel {
  export interface IOptions {
    api?: IKernelsApi;
    /** Called after a kernel was created, saved or deleted (refresh the Launcher). */
    onSpecsChanged?: () => Promise<unknown> | void;
  }
}

/** What the editor pane shows. */
export type EditorMode = 'edit' | 'create';

export class KernelsModel implements IDisposable {
  constructor(options: KernelsModel.IOptions = {}) {
    this._api = options.api ?? KERNELS_API;
    this._onSpecsChanged = options.onSpecsChanged;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  // -- the list ---------------------------------------------------------------

  get kernels(): readonly IKernelSpecRecord[] {
    return this._kernels;
  }
  get defaultName(): string | null {
    return this._defaultName;
  }
  get userDir(): string {
    return this._userDir;
  }
  get loading(): boolean {
    return this._loading;
  }
  /** Why the list could not be loaded, or "". */
  get listError(): string {
    return this._listError;
  }

  /** Ask the server for the kernels again; keeps the selection and the draft. */
  async refresh(): Promise<void> {
    this._loading = true;
    this._emit();
    try {
      const listing = await this._api.listKernelSpecs();
      this._kernels = listing.kernelspecs;
      this._defaultName = listing.default;
      this._userDir = listing.user_dir;
      this._serverPythonNames = listing.server_python_names;
      this._serverEnvNames = new Set(listing.server_env_names ?? []);
      this._listError = '';
      if (this._selected && !this.record(this._selected)) {
        this._selectRecord(null);
      } else if (!this._selected && this._mode === 'edit') {
        const first = this._kernels.find(k => k.writable) ?? this._kernels[0];
        this._selectRecord(first ?? null);
      }
    } catch (error) {
      this._listError = messageOf(error);
    } finally {
      this._loading = false;
      this._emit();
    }
  }

  record(name: string): IKernelSpecRecord | undefined {
    return this._kernels.find(k => k.name === name);
  }

  // -- selection and draft ----------------------------------------------------

  get mode(): EditorMode {
    return this._mode;
  }
  get selectedName(): string | null {
    return this._selected;
  }
  get selected(): IKernelSpecRecord | null {
    return this._selected ? (this.record(this._selected) ?? null) : null;
  }
  /** The record the draft was made from (may be older than `selected` after a reload elsewhere). */
  get base(): IKernelSpecRecord | null {
    return this._base;
  }
  get draft(): IDraft | null {
    return this._draft;
  }
  get canEdit(): boolean {
    return Boolean(this._base?.writable);
  }

  /** Whether the draft differs from what was loaded. */
  get dirty(): boolean {
    if (!this._draft || !this._base) {
      return false;
    }
    return JSON.stringify(this.draftSpec()) !== JSON.stringify(this._base.spec);
  }

  /** Show kernel `name` in the editor, dropping any unsaved draft. */
  select(name: string): void {
    this._mode = 'edit';
    this._selectRecord(this.record(name) ?? null);
    this._emit();
  }

  /** Show the form for a new kernel, copying `fromKernel` by default. */
  startCreate(fromKernel: string | null = null): void {
    this._mode = 'create';
    this._createFrom = fromKernel;
    this._emit();
  }

  /** The kernel the create form starts from (a duplicate), or null. */
  get createFrom(): string | null {
    return this._createFrom;
  }

  cancelCreate(): void {
    this._mode = 'edit';
    this._emit();
  }

  private _selectRecord(record: IKernelSpecRecord | null): void {
    this._selected = record?.name ?? null;
    this._base = record;
    this._draft = record ? draftFromSpec(record.spec) : null;
    this._conflict = false;
    this._launch = null;
    this._saveError = '';
  }

  /** The kernel.json the draft amounts to. */
  draftSpec(): IKernelSpecDocument {
    return this._draft ? specFromDraft(this._draft, this._base?.spec) : {};
  }

  get problems(): ISpecFinding[] {
    return this._draft ? draftProblems(this._draft) : [];
  }

  /** Warnings about the draft, as the user types (the server makes the same). */
  get warnings(): ISpecFinding[] {
    if (!this._draft) {
      return [];
    }
    return draftWarnings(
      this._draft,
      this._serverPythonNames,
      this._serverEnvNames,
      this._base ? barePythonMatters(this._base) : true
    );
  }

  /** Whether the server's environment sets `name` (so `${name}` expands). */
  serverHas(name: string): boolean {
    return this._serverEnvNames?.has(name) ?? false;
  }

  private _edit(change: (draft: IDraft) => IDraft): void {
    if (!this._draft || !this.canEdit) {
      return;
    }
    this._draft = change(this._draft);
    this._emit();
  }

  setDisplayName(value: string): void {
    this._edit(d => ({ ...d, displayName: value }));
  }
  setLanguage(value: string): void {
    this._edit(d => ({ ...d, language: value }));
  }
  setInterruptMode(value: IDraft['interruptMode']): void {
    this._edit(d => ({ ...d, interruptMode: value }));
  }
  setMetadataText(value: string): void {
    this._edit(d => ({ ...d, metadataText: value }));
  }

  // argv: an ordered list
  setArg(index: number, value: string): void {
    this._edit(d => ({
      ...d,
      argv: d.argv.map((a, i) => (i === index ? value : a))
    }));
  }
  /** Insert an empty argument after `index` (at the end by default). */
  addArg(index: number = Number.MAX_SAFE_INTEGER): void {
    this._edit(d => {
      const argv = [...d.argv];
      argv.splice(Math.min(index + 1, argv.length), 0, '');
      return { ...d, argv };
    });
  }
  removeArg(index: number): void {
    this._edit(d => ({ ...d, argv: d.argv.filter((_, i) => i !== index) }));
  }
  moveArg(index: number, delta: number): void {
    this._edit(d => ({ ...d, argv: moveItem(d.argv, index, index + delta) }));
  }

  // env: ordered rows; path-like rows hold a list of entries
  addEnv(key = '', value = ''): void {
    if (this._draft?.env.some(r => r.key === key && key)) {
      return;
    }
    this._edit(d => ({ ...d, env: [...d.env, envRowFromPair(key, value)] }));
  }
  removeEnv(row: number): void {
    this._edit(d => ({ ...d, env: d.env.filter((_, i) => i !== row) }));
  }
  moveEnv(row: number, delta: number): void {
    this._edit(d => ({ ...d, env: moveItem(d.env, row, row + delta) }));
  }
  setEnvKey(row: number, key: string): void {
    this._editRow(row, r => renameEnvRow(r, key));
  }
  /** The whole value of a variable that is not path-like. */
  setEnvValue(row: number, value: string): void {
    this._editRow(row, r => ({ ...r, entries: [value] }));
  }
  setPathEntry(row: number, entry: number, value: string): void {
    this._editRow(row, r => ({
      ...r,
      entries: r.entries.map((e, i) => (i === entry ? value : e))
    }));
  }
  /** Insert an entry after `entry` (at the end by default). */
  addPathEntry(
    row: number,
    value = '',
    entry: number = Number.MAX_SAFE_INTEGER
  ): void {
    this._editRow(row, r => {
      const entries = [...r.entries];
      entries.splice(Math.min(entry + 1, entries.length), 0, value);
      return { ...r, entries };
    });
  }
  removePathEntry(row: number, entry: number): void {
    this._editRow(row, r => ({
      ...r,
      entries: r.entries.filter((_, i) => i !== entry)
    }));
  }
  movePathEntry(row: number, entry: number, delta: number): void {
    this._editRow(row, r => ({
      ...r,
      entries: moveItem(r.entries, entry, entry + delta)
    }));
  }

  private _editRow(row: number, change: (r: IEnvRow) => IEnvRow): void {
    this._edit(d => ({
      ...d,
      env: d.env.map((r, i) => (i === row ? change(r) : r))
    }));
  }

  /** Drop the draft's changes. */
  revert(): void {
    this._selectRecord(this._base);
    this._emit();
  }

  // -- saving -----------------------------------------------------------------

  get saving(): boolean {
    return this._saving;
  }
  /** True after the server answered 409: kernel.json changed since it was loaded. */
  get conflict(): boolean {
    return this._conflict;
  }
  get saveError(): string {
    return this._saveError;
  }

  /**
   * Save the draft. Resolves to true when saved; on a 409 sets `conflict`
   * (the view offers to reload) and resolves to false.
   */
  async save(): Promise<boolean> {
    const base = this._base;
    if (!base || !base.version || !this._draft || this.problems.length > 0) {
      return false;
    }
    this._saving = true;
    this._saveError = '';
    this._emit();
    try {
      const saved = await this._api.saveKernelSpec(
        base.name,
        this.draftSpec(),
        base.version
      );
      this._replaceRecord(saved);
      this._selectRecord(saved);
      await this._specsChanged();
      return true;
    } catch (error) {
      if (error instanceof HPCApiError && error.status === 409) {
        this._conflict = true;
      }
      this._saveError = messageOf(error);
      throw error;
    } finally {
      this._saving = false;
      this._emit();
    }
  }

  /** Load the kernel as it is on disk now, dropping the draft. */
  async reload(): Promise<void> {
    const name = this._selected;
    await this.refresh();
    if (name && this.record(name)) {
      this._selectRecord(this.record(name)!);
      this._emit();
    }
  }

  // -- create, delete, launch --------------------------------------------------

  get busy(): boolean {
    return this._busy;
  }

  /** Why `name` cannot name a new kernel, or null. */
  nameProblem(name: string): string | null {
    return nameProblem(
      name,
      this._kernels.filter(k => k.location === 'user').map(k => k.name)
    );
  }

  async create(
    name: string,
    source: CreateSource,
    displayName?: string
  ): Promise<IKernelSpecRecord> {
    this._busy = true;
    this._emit();
    try {
      const created = await this._api.createKernelSpec(
        name,
        source,
        displayName
      );
      this._mode = 'edit';
      await this.refresh();
      this._selectRecord(this.record(created.name) ?? created);
      await this._specsChanged();
      return created;
    } finally {
      this._busy = false;
      this._emit();
    }
  }

  async remove(name: string): Promise<void> {
    this._busy = true;
    this._emit();
    try {
      await this._api.deleteKernelSpec(name);
      if (this._selected === name) {
        this._selectRecord(null);
      }
      await this.refresh();
      await this._specsChanged();
    } finally {
      this._busy = false;
      this._emit();
    }
  }

  get launching(): boolean {
    return this._launching;
  }
  get launchResult(): ILaunchResult | null {
    return this._launch;
  }

  /** Start the saved kernel, print its environment, stop it. */
  async testLaunch(): Promise<ILaunchResult | null> {
    const name = this._selected;
    if (!name) {
      return null;
    }
    this._launching = true;
    this._launch = null;
    this._emit();
    try {
      const result = await this._api.testLaunch(name);
      if (this._selected === name) {
        this._launch = result;
      }
      return result;
    } finally {
      this._launching = false;
      this._emit();
    }
  }

  get attaching(): boolean {
    return this._attaching;
  }

  /**
   * Attach modules to the selected kernel (the server computes and saves),
   * then show the saved kernel. Refused while the draft has unsaved changes,
   * which the reload would drop.
   */
  async attachModules(
    mode: ModulesMode,
    modules: string[]
  ): Promise<IKernelSpecRecord | null> {
    const base = this._base;
    if (!base || !base.version || this.dirty) {
      return null;
    }
    this._attaching = true;
    this._emit();
    try {
      const saved = await this._api.attachModules(
        base.name,
        mode,
        modules,
        base.version
      );
      this._replaceRecord(saved);
      this._selectRecord(saved);
      await this._specsChanged();
      return saved;
    } catch (error) {
      if (error instanceof HPCApiError && error.status === 409) {
        this._conflict = true;
      }
      throw error;
    } finally {
      this._attaching = false;
      this._emit();
    }
  }

  private _replaceRecord(record: IKernelSpecRecord): void {
    this._kernels = this._kernels.map(k =>
      k.name === record.name ? record : k
    );
  }

  private async _specsChanged(): Promise<void> {
    try {
      await this._onSpecsChanged?.();
    } catch (error) {
      console.warn('jupyterlab-hpc: could not refresh the kernel list', error);
    }
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _api: IKernelsApi;
  private _onSpecsChanged?: () => Promise<unknown> | void;
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _kernels: IKernelSpecRecord[] = [];
  private _defaultName: string | null = null;
  private _userDir = '';
  private _serverPythonNames: string[] = ['python', 'python3'];
  private _serverEnvNames: Set<string> | null = null;
  private _loading = false;
  private _listError = '';
  private _mode: EditorMode = 'edit';
  private _selected: string | null = null;
  private _base: IKernelSpecRecord | null = null;
  private _draft: IDraft | null = null;
  private _saving = false;
  private _conflict = false;
  private _saveError = '';
  private _busy = false;
  private _createFrom: string | null = null;
  private _attaching = false;
  private _launching = false;
  private _launch: ILaunchResult | null = null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
