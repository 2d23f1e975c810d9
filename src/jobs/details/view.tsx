/**
 * The job details view: header with actions, state timeline, resources,
 * output, batch script, array tasks and every raw field.
 */
import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { JobAction, JobRecord, PendingExplanation } from '../api';
import { pendingLines } from '../queue/pendingWords';
import { useModel } from '../../common/useModel';
import { STATE_LABELS, formatDuration, formatTime } from '../queue/jobs';
import { IDetailsScheduler, headerFacts, scriptMissingText } from './facts';
import type { JobDetailsModel } from './model';
import { OutputSection } from './outputView';
import { tokenizeScript } from './script';
import {
  ITimelineStep,
  isLive,
  jobDurations,
  jobTimeline,
  localIso
} from './timeline';
import {
  DEFAULT_RIGHTSIZE,
  IRightsizeSettings,
  ISuggestion
} from '../rightsize/rightsize';
import { RightsizeSection } from '../rightsize/view';

export interface IDetailsViewProps {
  model: JobDetailsModel;
  serverRoot: string;
  openFile: (path: string) => void;
  runAction: (action: JobAction) => void;
  /**
   * What "Resubmit a copy" does now: open the submit panel with a copy, or a
   * sentence saying why it cannot.
   */
  resubmit: () => (() => void) | string;
  openJob: (jobId: string) => void;
  /** The batch system, for its words (a PBS queue is a Slurm partition). */
  scheduler: () => IDetailsScheduler;
  /** The margins and floors of the next run's request (the settings). */
  rightsize?: () => IRightsizeSettings;
  /** "Resubmit with these": open the submit panel, or say why it cannot. */
  resubmitWith?: (suggestion: ISuggestion) => (() => void) | string;
}

export function DetailsView(props: IDetailsViewProps): JSX.Element {
  const { model } = props;
  useModel(model);
  const detail = model.detail;
  if (!detail) {
    return (
      <div className="jp-hpc-details">
        <div className="jp-hpc-details-empty">
          {model.error ? (
            <p role="alert">{model.error.message}</p>
          ) : (
            <p>Loading job {model.jobId}…</p>
          )}
        </div>
      </div>
    );
  }
  const job = detail.job;
  return (
    <div className="jp-hpc-details" data-job-id={job.id} data-state={job.state}>
      <Header {...props} job={job} />
      {model.error && (
        <div className="jp-hpc-details-banner" role="alert">
          {model.error.message} Showing the last known record.
        </div>
      )}
      <div className="jp-hpc-details-body">
        {model.pending && (
          <Section title="Why it waits" className="jp-hpc-details-pending">
            <PendingLines explanation={model.pending} />
          </Section>
        )}
        <Section title="Timeline">
          <Timeline job={job} />
        </Section>
        <Section title="Resources">
          <Resources
            requested={detail.requested}
            used={detail.used}
            job={job}
          />
        </Section>
        {!isLive(job.state) && props.resubmitWith && (
          <Section
            title="Used against asked"
            className="jp-hpc-details-rightsize"
          >
            <RightsizeSection
              state={job.state}
              rawState={job.raw_state}
              usage={detail.usage}
              family={props.scheduler().family}
              settings={props.rightsize?.() ?? DEFAULT_RIGHTSIZE}
              resubmit={props.resubmitWith}
            />
          </Section>
        )}
        <Section title="Output" className="jp-hpc-details-output">
          <OutputSection
            model={model}
            serverRoot={props.serverRoot}
            openFile={props.openFile}
            schedulerKind={props.scheduler().family}
          />
        </Section>
        {detail.tasks.length > 0 && (
          <Section title={`Array tasks (${detail.tasks.length})`}>
            <Tasks tasks={detail.tasks} openJob={props.openJob} />
          </Section>
        )}
        <Section title="Batch script" collapsible open={!!detail.script}>
          {detail.script ? (
            <Script script={detail.script} />
          ) : (
            <p className="jp-hpc-details-muted jp-hpc-details-no-script">
              {scriptMissingText(props.scheduler())}
            </p>
          )}
        </Section>
        <Section
          title={`All fields (${detail.fields.length})`}
          collapsible
          open={false}
        >
          <Fields fields={detail.fields} />
        </Section>
      </div>
    </div>
  );
}

function Section(props: {
  title: string;
  className?: string;
  collapsible?: boolean;
  open?: boolean;
  children: React.ReactNode;
}): JSX.Element {
  const className = `jp-hpc-details-section ${props.className ?? ''}`.trim();
  if (props.collapsible) {
    return (
      <details className={className} open={props.open}>
        <summary className="jp-hpc-details-section-title">
          {props.title}
        </summary>
        {props.children}
      </details>
    );
  }
  return (
    <section className={className}>
      <h3 className="jp-hpc-details-section-title">{props.title}</h3>
      {props.children}
    </section>
  );
}

// ---------------------------------------------------------------------------

function Header(props: IDetailsViewProps & { job: JobRecord }): JSX.Element {
  const { job, model } = props;
  const live = model.live;
  const resubmit = props.resubmit();
  const waiting = job.state === 'pending' || job.state === 'held';
  const action = (
    name: JobAction,
    label: string,
    enabled: boolean,
    title: string
  ) => (
    <button
      type="button"
      className={`jp-hpc-details-button jp-hpc-details-${name}`}
      disabled={!enabled}
      title={title}
      onClick={() => props.runAction(name)}
    >
      {label}
    </button>
  );
  const facts = headerFacts(job, props.scheduler().family);
  return (
    <div className="jp-hpc-details-header">
      <div className="jp-hpc-details-title">
        <span className="jp-hpc-state-pill" data-state={job.state}>
          {STATE_LABELS[job.state]}
        </span>
        <h2>
          <span className="jp-hpc-details-id">{job.id}</span>
          <span className="jp-hpc-details-name">{job.name}</span>
        </h2>
      </div>
      <div className="jp-hpc-details-facts">
        {facts.join(' · ')}
        {job.reason && waiting && ` · waiting: ${job.reason}`}
        {job.raw_state && ` · ${job.raw_state}`}
        <span className="jp-hpc-details-freshness">
          {live ? ' · refreshing while the job is live' : ' · final'}
        </span>
      </div>
      <div className="jp-hpc-details-actions">
        {action('cancel', 'Cancel', live, 'Cancel the job')}
        {action(
          'hold',
          'Hold',
          job.state === 'pending',
          'Keep the pending job from starting'
        )}
        {action(
          'release',
          'Release',
          job.state === 'held',
          'Let the held job start'
        )}
        <button
          type="button"
          className="jp-hpc-details-button jp-hpc-details-resubmit"
          disabled={typeof resubmit === 'string'}
          title={
            typeof resubmit === 'string'
              ? resubmit
              : 'Open the submit panel with this job’s script and options'
          }
          onClick={() => typeof resubmit === 'function' && resubmit()}
        >
          Resubmit a copy
        </button>
        <span className="jp-hpc-details-spacer" />
        <button
          type="button"
          className="jp-hpc-details-button jp-hpc-details-refresh"
          title="Ask the scheduler again now"
          aria-label="Refresh"
          onClick={() => void model.refresh()}
        >
          <refreshIcon.react tag="span" className="jp-hpc-details-icon" />
        </button>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------

function Timeline({ job }: { job: JobRecord }): JSX.Element {
  const steps = jobTimeline(job);
  const { waited, ran } = jobDurations(job, localIso(new Date()));
  const gaps: (string | null)[] = [
    waited === null ? null : `waited ${formatDuration(waited)}`,
    ran === null ? null : `ran ${formatDuration(ran)}`
  ];
  return (
    <ol className="jp-hpc-timeline">
      {steps.map((step, i) => (
        <React.Fragment key={step.id}>
          <TimelineStep step={step} />
          {i < steps.length - 1 && (
            <li
              className="jp-hpc-timeline-gap"
              aria-hidden={gaps[i] === null}
              data-status={steps[i + 1].status}
            >
              <span className="jp-hpc-timeline-line" />
              <span className="jp-hpc-timeline-gap-text">{gaps[i] ?? ''}</span>
            </li>
          )}
        </React.Fragment>
      ))}
    </ol>
  );
}

function TimelineStep({ step }: { step: ITimelineStep }): JSX.Element {
  return (
    <li
      className="jp-hpc-timeline-step"
      data-step={step.id}
      data-status={step.status}
    >
      <span className="jp-hpc-timeline-dot" aria-hidden="true" />
      <span className="jp-hpc-timeline-label">{step.label}</span>
      <span className="jp-hpc-timeline-time">
        {step.time ? clock(step.time) : '—'}
      </span>
      {step.time && (
        <span className="jp-hpc-timeline-date">{step.time.slice(0, 10)}</span>
      )}
      {step.note && <span className="jp-hpc-timeline-note">{step.note}</span>}
    </li>
  );
}

/** `2026-11-22T03:14:05` as `03:14:05`. */
function clock(iso: string): string {
  const match = /T(\d\d:\d\d:\d\d)/.exec(iso);
  return match ? match[1] : formatTime(iso);
}

// ---------------------------------------------------------------------------

const RESOURCE_LABELS: Record<string, string> = {
  nodes: 'Nodes',
  ntasks: 'Tasks',
  cpus: 'CPUs',
  cpus_per_task: 'CPUs per task',
  memory: 'Memory',
  mem: 'Memory',
  gres: 'GRES',
  gpus: 'GPUs',
  time: 'Time',
  time_limit: 'Time',
  walltime: 'Wall time',
  // PBS's own resource names.
  ncpus: 'CPUs',
  ngpus: 'GPUs',
  nodect: 'Nodes',
  select: 'Chunks (select)',
  place: 'Placement',
  cpupercent: 'CPU use (%)',
  // Torque's `-l nodes=2:ppn=4`, memory per process and virtual memory.
  node_spec: 'Nodes (nodes=)',
  pmem: 'Memory per process',
  vmem: 'Virtual memory',
  cpu_time: 'CPU time',
  max_rss: 'Max RSS',
  tasks: 'Tasks',
  allocated: 'Allocated (TRES)',
  exit_code: 'Exit code',
  billing: 'Billing'
};

const HEADER_KEYS = new Set(['partition', 'account', 'qos']);

function resourceLabel(key: string): string {
  return RESOURCE_LABELS[key] ?? key.replace(/_/g, ' ');
}

function PendingLines(props: { explanation: PendingExplanation }): JSX.Element {
  return (
    <dl className="jp-hpc-details-pending-lines">
      {pendingLines(props.explanation).map(([label, text]) => (
        <React.Fragment key={label}>
          <dt>{label}</dt>
          <dd>{text}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

function Resources(props: {
  requested: Record<string, string>;
  used: Record<string, string>;
  job: JobRecord;
}): JSX.Element {
  const requested = { ...props.requested };
  const used = { ...props.used };
  // The queue's own fields when the scheduler's maps leave them out.
  const { job } = props;
  if (Object.keys(requested).length === 0) {
    if (job.nodes !== null) {
      requested.nodes = String(job.nodes);
    }
    if (job.cpus !== null) {
      requested.cpus = String(job.cpus);
    }
    if (job.memory) {
      requested.memory = job.memory;
    }
    if (job.gres) {
      requested.gres = job.gres;
    }
    requested.time = formatDuration(job.time_limit);
  }
  if (!('time' in used) && job.time_used !== null) {
    used.time = formatDuration(job.time_used);
  }
  // Partition, account and QOS are in the header already.
  const keys = [
    ...Object.keys(requested),
    ...Object.keys(used).filter(k => !(k in requested))
  ].filter(k => !HEADER_KEYS.has(k));
  return (
    <table className="jp-hpc-details-table jp-hpc-resources">
      <thead>
        <tr>
          <th scope="col">Resource</th>
          <th scope="col">Requested</th>
          <th scope="col">Used</th>
        </tr>
      </thead>
      <tbody>
        {keys.map(key => (
          <tr key={key} data-resource={key}>
            <th scope="row">{resourceLabel(key)}</th>
            <td>{requested[key] ?? ''}</td>
            <td>{used[key] ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Tasks(props: {
  tasks: JobRecord[];
  openJob: (jobId: string) => void;
}): JSX.Element {
  return (
    <table className="jp-hpc-details-table jp-hpc-details-tasks">
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">State</th>
          <th scope="col">Started</th>
          <th scope="col">Ended</th>
          <th scope="col">Exit</th>
        </tr>
      </thead>
      <tbody>
        {props.tasks.map(task => (
          <tr
            key={task.id}
            className="jp-hpc-details-task"
            onDoubleClick={() => props.openJob(task.id)}
            title="Double-click to open this task's details"
          >
            <td>{task.id}</td>
            <td>
              <span className="jp-hpc-state-pill" data-state={task.state}>
                {STATE_LABELS[task.state]}
              </span>
            </td>
            <td>{formatTime(task.start_time)}</td>
            <td>{formatTime(task.end_time)}</td>
            <td>{task.exit_code ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Script({ script }: { script: string }): JSX.Element {
  const lines = React.useMemo(() => tokenizeScript(script), [script]);
  return (
    <pre className="jp-hpc-script" aria-label="Batch script">
      {lines.map((tokens, i) => (
        <div key={i} className="jp-hpc-script-line">
          <span className="jp-hpc-script-number" aria-hidden="true">
            {i + 1}
          </span>
          <code>
            {tokens.map((t, j) =>
              t.kind === 'text' ? (
                t.text
              ) : (
                <span key={j} className={`jp-hpc-script-${t.kind}`}>
                  {t.text}
                </span>
              )
            )}
          </code>
        </div>
      ))}
    </pre>
  );
}

function Fields({ fields }: { fields: [string, string][] }): JSX.Element {
  const [filter, setFilter] = React.useState('');
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? fields.filter(
        ([k, v]) =>
          k.toLowerCase().includes(needle) || v.toLowerCase().includes(needle)
      )
    : fields;
  return (
    <div className="jp-hpc-details-fields">
      <input
        type="search"
        className="jp-hpc-details-filter"
        placeholder="Filter fields"
        aria-label="Filter fields"
        value={filter}
        onChange={e => setFilter(e.target.value)}
      />
      <table className="jp-hpc-details-table">
        <tbody>
          {shown.map(([key, value], i) => (
            <tr key={`${key}-${i}`}>
              <th scope="row">{key}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
