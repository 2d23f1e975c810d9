/**
 * The submit form (React): Check / Submit with their outcome, templates,
 * the resource fields and the extra options. The script editor beside it is
 * a CodeMirror widget (see widget.ts); both follow the same SubmitModel.
 */
import * as React from 'react';

import type { Partition } from '../api';
import { useModel } from '../../common/useModel';
import { estimateText, freeNowText } from './availability';
import type { SubmitAvailability } from './availabilityModel';
import { familyWords, isPbsFamily } from '../../common/scheduler';
import { DIRECTIVE_PREFIX, FieldName } from './directives';
import { SECTIONS, fieldProblem, fieldText } from './fields';
import { checkOkText, checkTitle, checkingText, refusedText } from './outcome';
import { SubmitModel } from './model';

/** What the buttons do besides changing the model (dialogs, notifications). */
export interface ISubmitActions {
  check(): void;
  submit(): void;
  showJob(jobId: string): void;
  saveTemplate(): void;
  deleteTemplate(): void;
}

export interface ISubmitViewProps {
  model: SubmitModel;
  actions: ISubmitActions;
  /** What is free in the chosen partition and when the job would start. */
  availability?: SubmitAvailability;
}

export function SubmitView({
  model,
  actions,
  availability
}: ISubmitViewProps): JSX.Element {
  useModel(model);
  if (!model.loaded) {
    return (
      <div className="jp-hpc-submit-form">
        <p className="jp-hpc-submit-note">
          Asking the server about the cluster…
        </p>
      </div>
    );
  }
  return (
    <div className="jp-hpc-submit-form">
      <div className="jp-hpc-submit-head">
        <SubmitBar model={model} actions={actions} />
        <Outcome model={model} actions={actions} />
      </div>
      <Templates model={model} actions={actions} />
      <fieldset className="jp-hpc-submit-section">
        <legend>Where it runs</legend>
        <label
          className={`jp-hpc-submit-field${invalidClass(model, 'workdir')}`}
          data-field="workdir"
        >
          <span className="jp-hpc-submit-label">Working directory</span>
          <input
            type="text"
            name="workdir"
            value={model.workdir}
            placeholder="the server's root folder"
            title="Where the job starts, relative to the server's root folder (or absolute). Relative output paths are taken from here."
            onChange={e => (model.workdir = e.target.value)}
          />
        </label>
      </fieldset>
      {SECTIONS.map(section => (
        <Section
          key={section.title}
          model={model}
          availability={availability}
          {...section}
        />
      ))}
      <fieldset className="jp-hpc-submit-section">
        <legend>Extra options</legend>
        <label className="jp-hpc-submit-field jp-mod-wide" data-field="extra">
          <span className="jp-hpc-submit-label">
            Other {DIRECTIVE_PREFIX[model.kind]} options, one per line
          </span>
          <textarea
            name="extra"
            rows={3}
            spellCheck={false}
            value={model.extraText}
            placeholder={isPbsFamily(model.kind) ? '-j oe' : '--exclusive'}
            onChange={e => model.setExtraText(e.target.value)}
            onBlur={() => model.commitExtra()}
          />
        </label>
      </fieldset>
    </div>
  );
}

function SubmitBar({ model, actions }: ISubmitViewProps): JSX.Element {
  const busy = model.phase !== 'idle';
  const available = model.schedulerAvailable && model.loadError === null;
  return (
    <div className="jp-hpc-submit-bar">
      <button
        type="button"
        className="jp-hpc-submit-button jp-hpc-submit-check"
        disabled={busy || !available}
        title={checkTitle(model.kind, model.schedulerName)}
        onClick={() => actions.check()}
      >
        {model.phase === 'checking' ? 'Checking…' : 'Check'}
      </button>
      <button
        type="button"
        className="jp-hpc-submit-button jp-hpc-submit-submit jp-mod-accept"
        disabled={busy || !available}
        title={`Submit the script to ${model.schedulerName}`}
        onClick={() => actions.submit()}
      >
        {model.phase === 'submitting' ? 'Submitting…' : 'Submit'}
      </button>
      <label
        className="jp-hpc-submit-hold"
        title="The job waits in the queue until you release it"
      >
        <input
          type="checkbox"
          name="hold"
          checked={model.hold}
          onChange={e => (model.hold = e.target.checked)}
        />
        Submit held
      </label>
    </div>
  );
}

/** Marks the field the server refused in the last answer. */
function invalidClass(model: SubmitModel, field: string): string {
  return model.outcome?.error?.field === field ? ' jp-mod-invalid' : '';
}

function formatTime(iso: string | null): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function Outcome({ model, actions }: ISubmitViewProps): JSX.Element | null {
  const name = model.schedulerName;
  if (!model.schedulerAvailable) {
    return (
      <div className="jp-hpc-submit-outcome jp-mod-error" role="alert">
        No batch system found on this server.{' '}
        {model.capabilities?.scheduler.message}
      </div>
    );
  }
  if (model.loadError) {
    return (
      <div className="jp-hpc-submit-outcome jp-mod-error" role="alert">
        {model.loadError.message}
      </div>
    );
  }
  if (model.phase !== 'idle') {
    return (
      <div
        className="jp-hpc-submit-outcome jp-mod-progress"
        role="status"
        data-phase={model.phase}
      >
        <span className="jp-hpc-submit-spinner" aria-hidden="true" />
        {model.phase === 'checking'
          ? checkingText(model.kind, name)
          : `Submitting to ${name}…`}
      </div>
    );
  }
  const outcome = model.outcome;
  if (!outcome) {
    return null;
  }
  if (outcome.error) {
    return (
      <div
        className="jp-hpc-submit-outcome jp-mod-error"
        role="alert"
        data-outcome={`${outcome.kind}-error`}
      >
        <div>
          {outcome.error.status === 0 || outcome.error.status >= 500
            ? 'The request failed:'
            : refusedText(model.kind, name, outcome.kind)}
        </div>
        <pre className="jp-hpc-submit-message">{outcome.error.message}</pre>
        {outcome.error.detail && (
          <details>
            <summary>Command</summary>
            <pre className="jp-hpc-submit-message">{outcome.error.detail}</pre>
          </details>
        )}
      </div>
    );
  }
  const result = outcome.result;
  if (!result) {
    return null;
  }
  if (outcome.kind === 'check') {
    const start = formatTime(result.estimated_start);
    return (
      <div
        className="jp-hpc-submit-outcome jp-mod-ok"
        role="status"
        data-outcome="check-ok"
      >
        <div>{checkOkText(model.kind, name, start, result.nodes)}</div>
        {result.message && (
          <pre className="jp-hpc-submit-message">{result.message}</pre>
        )}
      </div>
    );
  }
  const jobId = result.job_id ?? '';
  return (
    <div
      className="jp-hpc-submit-outcome jp-mod-ok"
      role="status"
      data-outcome="submit-ok"
      data-job-id={jobId}
    >
      <span>
        Submitted job <strong className="jp-hpc-submit-jobid">{jobId}</strong>.
      </span>
      {jobId && (
        <button
          type="button"
          className="jp-hpc-submit-button jp-hpc-submit-show"
          onClick={() => actions.showJob(jobId)}
        >
          Show in queue
        </button>
      )}
    </div>
  );
}

function Templates({ model, actions }: ISubmitViewProps): JSX.Element {
  const site = model.templates.filter(t => t.source === 'site');
  const user = model.templates.filter(t => t.source === 'user');
  const selected = model.selectedTemplate;
  return (
    <fieldset className="jp-hpc-submit-section jp-hpc-submit-templates">
      <legend>Template</legend>
      <div className="jp-hpc-submit-template-row">
        <select
          name="template"
          aria-label="Template"
          value={model.templateName}
          title={selected?.description || 'Start from a template'}
          onChange={e => model.loadTemplate(e.target.value)}
        >
          <option value="" disabled>
            {model.templates.length
              ? 'Start from a template…'
              : 'No templates yet'}
          </option>
          {site.length > 0 && (
            <optgroup label="Site templates">
              {site.map(t => (
                <option
                  key={`s-${t.name}`}
                  value={t.name}
                  title={t.description}
                >
                  {t.name} (site)
                </option>
              ))}
            </optgroup>
          )}
          {user.length > 0 && (
            <optgroup label="My templates">
              {user.map(t => (
                <option
                  key={`u-${t.name}`}
                  value={t.name}
                  title={t.description}
                >
                  {t.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        <button
          type="button"
          className="jp-hpc-submit-button jp-hpc-submit-save-template"
          title="Save the script and the form as one of your templates"
          onClick={() => actions.saveTemplate()}
        >
          Save as…
        </button>
        <button
          type="button"
          className="jp-hpc-submit-button jp-hpc-submit-delete-template"
          disabled={selected?.source !== 'user'}
          title={
            selected?.source === 'site'
              ? 'Site templates are set by the administrators'
              : 'Delete this template of yours'
          }
          onClick={() => actions.deleteTemplate()}
        >
          Delete
        </button>
      </div>
      {selected?.description && (
        <p className="jp-hpc-submit-note">{selected.description}</p>
      )}
      {model.templatesError && (
        <p className="jp-hpc-submit-note jp-mod-error">
          {model.templatesError}
        </p>
      )}
    </fieldset>
  );
}

function Section(props: {
  model: SubmitModel;
  availability?: SubmitAvailability;
  title: string;
  fields: FieldName[];
}): JSX.Element | null {
  const { model, title } = props;
  const fields = props.fields.filter(f => model.fieldNames.includes(f));
  if (fields.length === 0) {
    return null;
  }
  return (
    <fieldset className="jp-hpc-submit-section">
      <legend>{title}</legend>
      <div className="jp-hpc-submit-grid">
        {fields.map(field =>
          field === 'partition' ? (
            <PartitionField
              key={field}
              model={model}
              availability={props.availability}
            />
          ) : (
            <TextField key={field} model={model} field={field} />
          )
        )}
      </div>
    </fieldset>
  );
}

function TextField(props: {
  model: SubmitModel;
  field: FieldName;
}): JSX.Element {
  const { model, field } = props;
  const text = fieldText(model.kind, field);
  const value = model.fieldValue(field);
  const problem = fieldProblem(model.kind, field, value);
  const invalid = problem ? ' jp-mod-invalid' : invalidClass(model, field);
  return (
    <label className={`jp-hpc-submit-field${invalid}`} data-field={field}>
      <span className="jp-hpc-submit-label">{text.label}</span>
      <input
        type="text"
        name={field}
        spellCheck={false}
        value={value}
        placeholder={text.placeholder}
        title={`Writes ${DIRECTIVE_PREFIX[model.kind]} ${text.option} in the script`}
        aria-invalid={problem ? true : undefined}
        onChange={e => model.setField(field, e.target.value)}
        onBlur={() => model.commitField(field)}
      />
      {problem && (
        <span className="jp-hpc-submit-problem" role="alert">
          {problem}
        </span>
      )}
    </label>
  );
}

function partitionLabel(p: Partition): string {
  const notes: string[] = [];
  if (p.default) {
    notes.push('default');
  }
  if (p.available && p.available !== 'up') {
    notes.push(p.available);
  }
  return notes.length ? `${p.name} (${notes.join(', ')})` : p.name;
}

/** The option's tooltip: what the partition has now. */
function partitionTitle(p: Partition): string {
  const parts: string[] = [];
  if (p.cpus_idle !== null && p.cpus_total !== null) {
    parts.push(`${p.cpus_idle} of ${p.cpus_total} CPUs idle`);
  }
  if (p.nodes !== null) {
    parts.push(p.nodes === 1 ? '1 node' : `${p.nodes} nodes`);
  }
  parts.push(
    p.time_limit === null
      ? 'no time limit'
      : `time limit ${Math.round(p.time_limit / 60)} min`
  );
  return parts.join(', ');
}

function PartitionField({
  model,
  availability
}: {
  model: SubmitModel;
  availability?: SubmitAvailability;
}): JSX.Element {
  const text = fieldText(model.kind, 'partition');
  const value = model.fieldValue('partition');
  const known = model.partitions.some(p => p.name === value);
  const fallback = model.defaultPartition;
  return (
    <label className="jp-hpc-submit-field" data-field="partition">
      <span className="jp-hpc-submit-label">{text.label}</span>
      <select
        name="partition"
        value={value}
        title={model.partitionsError ?? `Writes ${text.option} in the script`}
        onChange={e => {
          model.setField('partition', e.target.value);
          model.commitField('partition');
        }}
      >
        <option value="">
          {fallback ? `Cluster default (${fallback})` : 'Cluster default'}
        </option>
        {model.partitions.map(p => (
          <option key={p.name} value={p.name} title={partitionTitle(p)}>
            {partitionLabel(p)}
          </option>
        ))}
        {value && !known && (
          <option value={value}>{`${value} (not on this cluster)`}</option>
        )}
      </select>
      {availability && (
        <Availability availability={availability} kind={model.kind} />
      )}
    </label>
  );
}

/** What is free there now, and when the job would start (Slurm). */
function Availability(props: {
  availability: SubmitAvailability;
  kind: string;
}): JSX.Element {
  const { availability, kind } = props;
  useModel(availability);
  const free = freeNowText(availability.partition, familyWords(kind).where);
  let estimate = '';
  let title = '';
  if (availability.estimate) {
    estimate = estimateText(availability.estimate);
    title = availability.estimate.message;
  } else if (availability.estimateError) {
    estimate = `Would not be taken: ${availability.estimateError}`;
    title = availability.estimateError;
  } else if (availability.estimating) {
    estimate = 'Asking when it would start…';
  }
  return (
    <span className="jp-hpc-submit-availability" aria-live="polite">
      {free && <span className="jp-hpc-submit-free">{free}</span>}
      {estimate && (
        <span
          className="jp-hpc-submit-estimate"
          title={title || 'sbatch --test-only: the start Slurm expects now'}
        >
          {estimate}
        </span>
      )}
    </span>
  );
}
