/**
 * The state of the submit panel: the script (the one truth for every option
 * a directive can carry), the form's drafts, what the cluster offers
 * (partitions, templates), and the check / submit requests.
 *
 * The form shows what the script's directives set; editing a field rewrites
 * its directive. Only the working directory and "hold" live outside the
 * script: they are sent as submit options.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import * as api from '../api';
import { HPCApiError } from '../../common/request';
import { isPbsFamily, schedulerName } from '../../common/scheduler';
import type {
  Capabilities,
  Partition,
  SubmitOptions,
  SubmitResult,
  SubmitTemplate
} from '../api';
import {
  FieldName,
  IParsedScript,
  SchedulerKind,
  directiveKindOf,
  extraToWords,
  fieldsOf,
  parseScript,
  setExtra,
  setField
} from './directives';

/** The server calls the model makes; tests pass fakes. */
export interface ISubmitApi {
  fetchCapabilities(): Promise<Capabilities>;
  fetchPartitions(): Promise<Partition[]>;
  fetchTemplates(): Promise<SubmitTemplate[]>;
  saveTemplate(
    name: string,
    template: Pick<SubmitTemplate, 'description' | 'script' | 'options'>
  ): Promise<SubmitTemplate>;
  deleteTemplate(name: string): Promise<void>;
  submitJob(
    script: string,
    options: SubmitOptions,
    testOnly: boolean
  ): Promise<SubmitResult>;
}

const DEFAULT_API: ISubmitApi = {
  fetchCapabilities: api.fetchCapabilities,
  fetchPartitions: api.fetchPartitions,
  fetchTemplates: api.fetchTemplates,
  saveTemplate: api.saveTemplate,
  deleteTemplate: api.deleteTemplate,
  submitJob: api.submitJob
};

/** What a new panel starts with when it is given no script. */
export const STARTER_SCRIPT: Record<SchedulerKind, string> = {
  slurm: [
    '#!/bin/bash',
    '#SBATCH --job-name=my-job',
    '#SBATCH --time=00:10:00',
    '',
    'echo "Running on $(hostname)"',
    ''
  ].join('\n'),
  pbs: [
    '#!/bin/bash',
    '#PBS -N my-job',
    '#PBS -l walltime=00:10:00',
    '',
    'cd "$PBS_O_WORKDIR"',
    'echo "Running on $(hostname)"',
    ''
  ].join('\n'),
  torque: [
    '#!/bin/bash',
    '#PBS -N my-job',
    '#PBS -l walltime=00:10:00',
    '',
    'cd "$PBS_O_WORKDIR"',
    'echo "Running on $(hostname)"',
    ''
  ].join('\n')
};

/** Who changed the script: the view skips echoing its own edits back. */
export type ScriptOrigin = 'editor' | 'model';

/** What the panel is doing. */
export type SubmitPhase = 'idle' | 'checking' | 'submitting';

/** The outcome of the last check or submission, shown in the panel. */
export interface IOutcome {
  kind: 'check' | 'submit';
  result: SubmitResult | null;
  error: HPCApiError | null;
}

const NUMBER_FIELDS: ReadonlySet<FieldName> = new Set<FieldName>([
  'nodes',
  'ntasks',
  'cpus',
  'gpus'
]);

const PBS_MAIL: [string, string][] = [
  ['a', 'FAIL'],
  ['b', 'BEGIN'],
  ['e', 'END']
];

/** Slurm's mail events (`END,FAIL`) as PBS letters (`ae`), and back. */
export function mailTypeFor(value: string, kind: SchedulerKind): string {
  if (isPbsFamily(kind)) {
    if (/^[abne]+$/.test(value)) {
      return value;
    }
    const events = value.toUpperCase().split(',');
    if (events.includes('NONE')) {
      return 'n';
    }
    if (events.includes('ALL')) {
      return 'abe';
    }
    return PBS_MAIL.filter(([, e]) => events.includes(e))
      .map(([l]) => l)
      .join('');
  }
  if (/^[abne]+$/.test(value)) {
    if (value === 'n') {
      return 'NONE';
    }
    return PBS_MAIL.filter(([l]) => value.includes(l))
      .map(([, e]) => e)
      .join(',');
  }
  return value;
}

/** A time limit for PBS walltime: plain minutes become `hh:mm:ss`. */
function walltimeFor(value: string): string {
  if (!/^\d+$/.test(value)) {
    return value;
  }
  const minutes = Number(value);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:00`;
}

/** PBS memory (`4gb`) as the API's `<n>[KMGT]`, and back. */
function memoryFor(value: string, kind: SchedulerKind): string {
  const m = /^(\d+)\s*([kmgt])?b?$/i.exec(value);
  if (!m) {
    return value;
  }
  const unit = (m[2] ?? '').toLowerCase();
  return isPbsFamily(kind)
    ? `${m[1]}${unit || 'm'}b` // the API's bare number is megabytes
    : `${m[1]}${unit.toUpperCase()}`;
}

const MEMORY_UNITS = ['', 'k', 'm', 'g', 't'];

/**
 * Torque's `-l mem=` is the whole job's memory; the API's `memory` (like
 * Slurm's `--mem`) is per node, and the server writes `mem=` as per-node
 * memory times the nodes. `scaleMemory('4gb', 2)` is `8gb`;
 * `scaleMemory('8gb', 1, 2)` is `4gb`, in a smaller unit when the division
 * is not whole (`3gb` / 2 = `1536mb`), rounded up in kilobytes at worst.
 */
export function scaleMemory(value: string, times: number, over = 1): string {
  const m = /^(\d+)\s*([kmgt])?(b?)$/i.exec(value.trim());
  if (!m || times < 1 || over < 1) {
    return value;
  }
  let amount = Number(m[1]) * times;
  let unit = MEMORY_UNITS.indexOf((m[2] ?? '').toLowerCase());
  while (amount % over !== 0 && unit > 1) {
    amount *= 1024;
    unit--;
  }
  const letter = MEMORY_UNITS[unit];
  const upper = m[2] !== undefined && m[2] === m[2].toUpperCase();
  return `${Math.ceil(amount / over)}${upper ? letter.toUpperCase() : letter}${m[3]}`;
}

/** A count as written in a field, or null when it is not a whole number. */
function countOf(value: string | number | null | undefined): number | null {
  const text = String(value ?? '');
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : null;
}

export namespace SubmitModel {
  export interface IOptions {
    api?: ISubmitApi;
    /** The script to start with; the batch system's starter when absent. */
    script?: string;
    /** Options to write into the script (e.g. from "resubmit a copy"). */
    options?: SubmitOptions;
    /** Where the job runs, relative to the server's root folder. */
    workdir?: string;
    /** The file the script came from, for the title. */
    path?: string;
    /**
     * A template to start from when given neither script nor path (the
     * `defaultTemplate` setting); the starter script when there is none.
     */
    defaultTemplate?: string;
  }
}

export class SubmitModel implements IDisposable {
  constructor(options: SubmitModel.IOptions = {}) {
    this._api = options.api ?? DEFAULT_API;
    this._script = options.script ?? '';
    this._pendingOptions = options.options ?? null;
    this._workdir = options.options?.workdir ?? options.workdir ?? '';
    this._hold = options.options?.hold ?? false;
    this.path = options.path ?? null;
    this._defaultTemplate =
      options.script === undefined && !options.path
        ? (options.defaultTemplate ?? '')
        : '';
  }

  /** The file the script was loaded from, if any. */
  readonly path: string | null;

  /** Emitted whenever anything the view shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when the script changes, with who changed it. */
  get scriptChanged(): ISignal<this, ScriptOrigin> {
    return this._scriptChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  // -- Cluster ---------------------------------------------------------------

  /**
   * Ask the server what it has: the batch system (which decides `#SBATCH` or
   * `#PBS`), partitions and templates. Never throws: failures are kept.
   */
  async load(): Promise<void> {
    try {
      this._capabilities = await this._api.fetchCapabilities();
    } catch (error) {
      this._loadError = asApiError(error);
    }
    if (!this._script) {
      this._setScript(STARTER_SCRIPT[this.kind], 'model');
    }
    this._starter = this._script;
    if (this._pendingOptions) {
      this.applyOptions(this._pendingOptions);
      this._pendingOptions = null;
    }
    this._loaded = true;
    this._emit();
    await Promise.all([this.refreshPartitions(), this.refreshTemplates()]);
    // Only while the person has not changed the starter script yet.
    if (
      this._defaultTemplate &&
      this._script === this._starter &&
      this._templates.some(t => t.name === this._defaultTemplate)
    ) {
      this.loadTemplate(this._defaultTemplate);
    }
  }

  get loaded(): boolean {
    return this._loaded;
  }

  get capabilities(): Capabilities | null {
    return this._capabilities;
  }

  /** Why the server could not say what it has; null when it could. */
  get loadError(): HPCApiError | null {
    return this._loadError;
  }

  /**
   * The directives' dialect: Slurm unless the server says PBS or Torque
   * (both write `#PBS`, in different forms).
   */
  get kind(): SchedulerKind {
    return directiveKindOf(this._capabilities?.scheduler.kind);
  }

  /** `Slurm`, `OpenPBS`, `Torque`... for labels. */
  get schedulerName(): string {
    return schedulerName(
      this._capabilities?.scheduler ?? { kind: this.kind, flavour: null }
    );
  }

  get schedulerAvailable(): boolean {
    return this._capabilities?.scheduler.available ?? true;
  }

  get partitions(): readonly Partition[] {
    return this._partitions;
  }

  get partitionsError(): string | null {
    return this._partitionsError;
  }

  /** The partition jobs go to when the script names none. */
  get defaultPartition(): string | null {
    return this._partitions.find(p => p.default)?.name ?? null;
  }

  async refreshPartitions(): Promise<void> {
    try {
      this._partitions = await this._api.fetchPartitions();
      this._partitionsError = null;
    } catch (error) {
      this._partitionsError = asApiError(error).message;
    }
    this._emit();
  }

  // -- Script and form -------------------------------------------------------

  get script(): string {
    return this._script;
  }

  /** The editor's text changed. */
  setScript(text: string): void {
    if (text !== this._script) {
      // What the person types in the script wins over half-typed fields.
      this._drafts = {};
      this._extraDraft = null;
      this._setScript(text, 'editor');
    }
  }

  /** What the script's directives set (memoized per script and kind). */
  get parsed(): IParsedScript {
    const memo = this._parsedMemo;
    if (memo && memo.script === this._script && memo.kind === this.kind) {
      return memo.parsed;
    }
    const parsed = parseScript(this._script, this.kind);
    this._parsedMemo = { script: this._script, kind: this.kind, parsed };
    return parsed;
  }

  /** The fields this batch system has, in form order. */
  get fieldNames(): FieldName[] {
    return fieldsOf(this.kind);
  }

  /** What a field shows: the person's draft while typing, else the script's. */
  fieldValue(field: FieldName): string {
    return this._drafts[field] ?? this.parsed.fields[field] ?? '';
  }

  /** A field was edited: rewrite (insert, remove) its directive. */
  setField(field: FieldName, value: string): void {
    this._drafts = { ...this._drafts, [field]: value };
    const next = setField(this._script, this.kind, field, value);
    if (next !== this._script) {
      this._setScript(next, 'model');
    } else {
      this._emit();
    }
  }

  /** The field lost focus: show what the script says from now on. */
  commitField(field: FieldName): void {
    if (field in this._drafts) {
      const drafts = { ...this._drafts };
      delete drafts[field];
      this._drafts = drafts;
      this._emit();
    }
  }

  /** The options no field stands for, one per line. */
  get extraText(): string {
    return this._extraDraft ?? this.parsed.extra.join('\n');
  }

  setExtraText(text: string): void {
    this._extraDraft = text;
    const next = setExtra(this._script, this.kind, text.split('\n'));
    if (next !== this._script) {
      this._setScript(next, 'model');
    } else {
      this._emit();
    }
  }

  commitExtra(): void {
    if (this._extraDraft !== null) {
      this._extraDraft = null;
      this._emit();
    }
  }

  /** Where the job runs, relative to the server's root ('' = the root). */
  get workdir(): string {
    return this._workdir;
  }
  set workdir(path: string) {
    if (path !== this._workdir) {
      this._workdir = path;
      this._emit();
    }
  }

  /** Submit held: the job waits until released. */
  get hold(): boolean {
    return this._hold;
  }
  set hold(hold: boolean) {
    if (hold !== this._hold) {
      this._hold = hold;
      this._emit();
    }
  }

  /**
   * Write options into the script's directives (a template's, or a job's
   * being resubmitted). Absent or empty options leave the script alone.
   */
  applyOptions(options: SubmitOptions): void {
    const kind = this.kind;
    let script = this._script;
    if (kind === 'torque') {
      options = this._torqueOptions(options);
    }
    for (const field of fieldsOf(kind)) {
      const raw = options[field];
      if (raw === null || raw === undefined || raw === '') {
        continue;
      }
      let value = String(raw);
      if (isPbsFamily(kind) && field === 'time_limit') {
        value = walltimeFor(value);
      } else if (field === 'memory') {
        value = memoryFor(value, kind);
      } else if (field === 'mail_type') {
        value = mailTypeFor(value, kind);
      }
      script = setField(script, kind, field, value);
    }
    if (options.extra && options.extra.length > 0) {
      const extra = [...parseScript(script, kind).extra];
      for (const word of options.extra) {
        if (word.startsWith('-') || extra.length === 0) {
          extra.push(word);
        } else {
          extra[extra.length - 1] += ` ${word}`;
        }
      }
      script = setExtra(script, kind, extra);
    }
    if (options.workdir) {
      this._workdir = options.workdir;
    }
    if (options.hold !== undefined) {
      this._hold = options.hold;
    }
    this._drafts = {};
    this._extraDraft = null;
    this._setScript(script, 'model');
  }

  /**
   * The form as API options (for templates and other clients): numbers
   * where the API wants numbers, PBS values in the API's units.
   */
  toOptions(): SubmitOptions {
    const kind = this.kind;
    const fields = this.parsed.fields;
    const options: Record<string, unknown> = {};
    for (const field of fieldsOf(kind)) {
      const value = fields[field];
      if (value === undefined || value === '') {
        continue;
      }
      if (NUMBER_FIELDS.has(field)) {
        if (/^\d+$/.test(value)) {
          options[field] = Number(value);
        }
      } else if (field === 'memory') {
        // Torque's mem is the job's; the API's memory is per node.
        const nodes = kind === 'torque' ? (countOf(fields.nodes) ?? 1) : 1;
        options[field] = memoryFor(scaleMemory(value, 1, nodes), 'slurm');
      } else if (field === 'mail_type') {
        options[field] = mailTypeFor(value, 'slurm');
      } else {
        options[field] = value;
      }
    }
    const extra = extraToWords(this.parsed.extra, kind);
    if (extra.length > 0) {
      options.extra = extra;
    }
    return options as SubmitOptions;
  }

  /**
   * API options as Torque's directives say them, the way the server turns a
   * request into qsub options: ppn is CPUs per task times the tasks on each
   * node, and mem the per-node memory times the nodes.
   */
  private _torqueOptions(options: SubmitOptions): SubmitOptions {
    const nodes =
      countOf(options.nodes) ??
      countOf(parseScript(this._script, 'torque').fields.nodes) ??
      1;
    const out: SubmitOptions = { ...options };
    const tasks = countOf(options.ntasks);
    if (tasks !== null) {
      const perNode = Math.ceil(tasks / nodes);
      out.cpus = (countOf(options.cpus) ?? 1) * perNode;
    }
    if (options.memory) {
      out.memory = scaleMemory(String(options.memory), nodes);
    }
    return out;
  }

  /**
   * What a check or submission sends besides the script: the directives in
   * the script carry the rest, so the scheduler reads one source.
   */
  requestOptions(): SubmitOptions {
    const options: SubmitOptions = {};
    if (this._workdir.trim() !== '') {
      options.workdir = this._workdir.trim();
    }
    if (this._hold) {
      options.hold = true;
    }
    return options;
  }

  // -- Check and submit ------------------------------------------------------

  get phase(): SubmitPhase {
    return this._phase;
  }

  /** The last check's or submission's outcome; null before the first. */
  get outcome(): IOutcome | null {
    return this._outcome;
  }

  /** Every job id this panel submitted, newest last. */
  get submitted(): readonly string[] {
    return this._submitted;
  }

  /** Ask the scheduler whether it would take the job (`--test-only`). */
  check(): Promise<SubmitResult> {
    return this._request('check');
  }

  /**
   * Submit the job. A second call while one is in flight is refused (no
   * double submission): it rejects without a request.
   */
  submit(): Promise<SubmitResult> {
    return this._request('submit');
  }

  private async _request(kind: 'check' | 'submit'): Promise<SubmitResult> {
    if (this._phase !== 'idle') {
      throw new HPCApiError(
        'A check or submission is already on its way; wait for its answer.',
        0
      );
    }
    this._phase = kind === 'check' ? 'checking' : 'submitting';
    this._outcome = null;
    this._emit();
    try {
      const result = await this._api.submitJob(
        this._script,
        this.requestOptions(),
        kind === 'check'
      );
      if (result.job_id && kind === 'submit') {
        this._submitted = [...this._submitted, result.job_id];
      }
      this._outcome = { kind, result, error: null };
      return result;
    } catch (error) {
      const apiError = asApiError(error);
      this._outcome = { kind, result: null, error: apiError };
      throw apiError;
    } finally {
      this._phase = 'idle';
      this._emit();
    }
  }

  // -- Templates -------------------------------------------------------------

  get templates(): readonly SubmitTemplate[] {
    return this._templates;
  }

  get templatesError(): string | null {
    return this._templatesError;
  }

  /** The template last loaded or saved, by name ('' = none). */
  get templateName(): string {
    return this._templateName;
  }

  get selectedTemplate(): SubmitTemplate | null {
    return this._templates.find(t => t.name === this._templateName) ?? null;
  }

  async refreshTemplates(): Promise<void> {
    try {
      this._templates = await this._api.fetchTemplates();
      this._templatesError = null;
    } catch (error) {
      this._templatesError = asApiError(error).message;
    }
    this._emit();
  }

  /** Fill the script and the form from a template. */
  loadTemplate(name: string): void {
    const template = this._templates.find(t => t.name === name);
    if (!template) {
      return;
    }
    this._templateName = name;
    this._drafts = {};
    this._extraDraft = null;
    this._script = template.script || STARTER_SCRIPT[this.kind];
    this.applyOptions(template.options ?? {});
  }

  /** Save the script and form as the user's template `name` (replacing it). */
  async saveTemplate(name: string, description = ''): Promise<SubmitTemplate> {
    const saved = await this._api.saveTemplate(name, {
      description,
      script: this._script,
      options: this.toOptions()
    });
    this._templateName = saved.name;
    await this.refreshTemplates();
    return saved;
  }

  /** Delete one of the user's own templates. */
  async deleteTemplate(name: string): Promise<void> {
    await this._api.deleteTemplate(name);
    if (this._templateName === name) {
      this._templateName = '';
    }
    await this.refreshTemplates();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  // -- Private ---------------------------------------------------------------

  private _setScript(text: string, origin: ScriptOrigin): void {
    this._script = text;
    this._scriptChanged.emit(origin);
    this._emit();
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _api: ISubmitApi;
  private _changed = new Signal<this, void>(this);
  private _scriptChanged = new Signal<this, ScriptOrigin>(this);
  private _isDisposed = false;
  private _loaded = false;
  private _capabilities: Capabilities | null = null;
  private _loadError: HPCApiError | null = null;
  private _partitions: Partition[] = [];
  private _partitionsError: string | null = null;
  private _templates: SubmitTemplate[] = [];
  private _templatesError: string | null = null;
  private _templateName = '';
  private _script: string;
  private _pendingOptions: SubmitOptions | null;
  private _defaultTemplate: string;
  private _starter = '';
  private _parsedMemo: {
    script: string;
    kind: SchedulerKind;
    parsed: IParsedScript;
  } | null = null;
  private _drafts: Partial<Record<FieldName, string>> = {};
  private _extraDraft: string | null = null;
  private _workdir: string;
  private _hold: boolean;
  private _phase: SubmitPhase = 'idle';
  private _outcome: IOutcome | null = null;
  private _submitted: string[] = [];
}

function asApiError(error: unknown): HPCApiError {
  return error instanceof HPCApiError
    ? error
    : new HPCApiError(
        error instanceof Error ? error.message : String(error),
        0
      );
}
