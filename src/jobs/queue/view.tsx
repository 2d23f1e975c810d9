/**
 * The job queue view: toolbar, banner, status line and a virtualized table.
 *
 * Only the rows in view (plus a few above and below) are in the DOM, so the
 * table stays smooth at 50,000 jobs.
 */
import { addIcon, refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { JOB_STATES, Job, JobAction, PendingExplanation } from '../api';
import { pendingTooltip } from './pendingWords';
import { ACTION_WORDS, runJobAction } from './actions';
import {
  ColumnId,
  IColumn,
  STATE_LABELS,
  cellText,
  formatAge,
  getColumn
} from './jobs';
import type { IRowMark } from './marks';
import { QueueModel } from './model';
import { emptyAllJobsText, ownJobsOnlyNote } from './ownJobs';
import { sourceNote } from './source';
import { useModel } from '../../common/useModel';
import { familyOf, familyWords, schedulerName } from '../../common/scheduler';
import { clusterIcon } from '../../icons';

/** Every row has this height (px); virtualization relies on it. */
export const ROW_HEIGHT = 24;
/** Height of the sticky header row (px); must match style/base.css. */
export const HEADER_HEIGHT = 26;
/** Rows rendered above and below the viewport. */
const OVERSCAN = 12;
/** Width of the checkbox column (px). */
const CHECK_WIDTH = 28;

/**
 * The current time, re-rendering every `ms` (for "5 s ago"). Read at render
 * time, so a render caused by new data never shows a stale age.
 */
function useNow(ms = 1000): number {
  const [, tick] = React.useReducer((n: number) => n + 1, 0);
  React.useEffect(() => {
    const timer = window.setInterval(tick, ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return Date.now();
}

// ---------------------------------------------------------------------------

export interface IQueueViewProps {
  model: QueueModel;
  /** Opens the submit panel; no Submit button without it. */
  onSubmitJob?: () => void;
  /** Open a job's details (double-click or Enter on a row). */
  onOpenJob?: (jobId: string) => void;
  /** Open the job history (a toolbar button). */
  onOpenHistory?: () => void;
  /** Open the Cluster tab (a toolbar button). */
  onOpenCluster?: () => void;
}

/** The whole panel. */
export function QueueView(props: IQueueViewProps): JSX.Element {
  const { model } = props;
  useModel(model);
  return (
    <div className="jp-hpc-queue">
      <QueueToolbar {...props} />
      <Banner model={model} />
      <SourceNote model={model} />
      <OwnJobsNote model={model} />
      <QueueContent {...props} />
      <StatusLine model={model} />
    </div>
  );
}

// ---------------------------------------------------------------------------
// Toolbar

/** Commands that each action runs, shown in the buttons' tooltips. */
function actionTitle(model: QueueModel, action: JobAction): string {
  const command = familyWords(model.capabilities?.scheduler.kind)[action];
  const which = {
    cancel: 'selected jobs',
    hold: 'selected pending jobs',
    release: 'selected held jobs'
  }[action];
  return `${ACTION_WORDS[action].verb} the ${which} (${command})`;
}

function QueueToolbar({
  model,
  onSubmitJob,
  onOpenHistory,
  onOpenCluster
}: IQueueViewProps): JSX.Element {
  const selected = model.selectedIds.length;
  const available = model.schedulerAvailable;
  const counts = model.stateCounts;

  const actionButton = (action: JobAction) => (
    <button
      type="button"
      className={`jp-hpc-queue-button jp-hpc-queue-${action}`}
      disabled={selected === 0}
      title={actionTitle(model, action)}
      onClick={() => void runJobAction(model, action)}
    >
      {ACTION_WORDS[action].verb}
    </button>
  );

  return (
    <div className="jp-hpc-queue-toolbar">
      <div className="jp-hpc-queue-toolbar-row jp-hpc-queue-toolbar-first">
        <div
          className="jp-hpc-queue-scope"
          role="group"
          aria-label="Whose jobs to show"
        >
          <button
            type="button"
            className="jp-hpc-queue-scope-mine"
            aria-pressed={model.scope === 'mine'}
            disabled={!available}
            title="Show only your jobs"
            onClick={() => (model.scope = 'mine')}
          >
            My jobs
          </button>
          <button
            type="button"
            className="jp-hpc-queue-scope-all"
            aria-pressed={model.scope === 'all'}
            disabled={!available}
            title="Show every user's jobs"
            onClick={() => (model.scope = 'all')}
          >
            All jobs
          </button>
        </div>
        <span className="jp-hpc-queue-toolbar-spacer" />
        {/* One group: in a narrow sidebar it wraps under the scope as a whole. */}
        <span className="jp-hpc-queue-toolbar-tools">
          {onSubmitJob && (
            <button
              type="button"
              className="jp-hpc-queue-button jp-hpc-queue-submit"
              disabled={!available}
              title="Submit a job: write a batch script, check it and submit it"
              aria-label="Submit a job"
              onClick={onSubmitJob}
            >
              <addIcon.react tag="span" className="jp-hpc-queue-button-icon" />
            </button>
          )}
          {onOpenHistory && (
            <button
              type="button"
              className="jp-hpc-queue-button jp-hpc-queue-history"
              title="Open the history of your finished jobs"
              onClick={onOpenHistory}
            >
              History
            </button>
          )}
          {onOpenCluster && (
            <button
              type="button"
              className="jp-hpc-queue-button jp-hpc-queue-cluster"
              title="Cluster: partitions and nodes, what is free now, limits"
              aria-label="Cluster"
              onClick={onOpenCluster}
            >
              <clusterIcon.react
                tag="span"
                className="jp-hpc-queue-button-icon"
              />
            </button>
          )}
          <button
            type="button"
            className="jp-hpc-queue-button jp-hpc-queue-refresh"
            title="Refresh the job list"
            aria-label="Refresh"
            onClick={() => void model.refresh()}
          >
            <refreshIcon.react
              tag="span"
              className="jp-hpc-queue-button-icon"
            />
          </button>
        </span>
      </div>
      <div className="jp-hpc-queue-toolbar-row">
        <input
          type="search"
          className="jp-hpc-queue-filter"
          placeholder="Filter jobs"
          aria-label="Filter jobs"
          title="Show jobs whose id, name, user, account, partition, state, reason or nodes contain this text"
          value={model.filterText}
          disabled={!available}
          onChange={e => (model.filterText = e.target.value)}
        />
        <select
          className="jp-hpc-queue-state-filter"
          aria-label="Filter by state"
          title="Show only jobs in this state"
          value={model.stateFilter}
          disabled={!available}
          onChange={e =>
            (model.stateFilter = e.target.value as QueueModel['stateFilter'])
          }
        >
          <option value="">All states</option>
          {JOB_STATES.map(state => (
            <option key={state} value={state}>
              {STATE_LABELS[state]}
              {counts.get(state) ? ` (${counts.get(state)})` : ''}
            </option>
          ))}
        </select>
      </div>
      <div className="jp-hpc-queue-toolbar-row jp-hpc-queue-actions">
        {actionButton('cancel')}
        {actionButton('hold')}
        {actionButton('release')}
        <span className="jp-hpc-queue-selection-count">
          {selected > 0 ? `${selected} selected` : ''}
        </span>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------
// Banner and status line

function Banner({ model }: IQueueViewProps): JSX.Element | null {
  const now = useNow();
  const status = model.status;
  const error = model.error;
  let problem: string | null = null;
  if (error) {
    problem = error.message.replace(/\.$/, '');
  } else if (status && !status.ok) {
    problem = `The scheduler did not answer: ${status.error ?? 'unknown error'}`;
  }
  if (!problem) {
    return null;
  }
  const age = model.dataAge(now);
  const tail =
    age === null
      ? 'There is no data to show yet; retrying.'
      : `Showing data from ${formatAge(age)}.`;
  return (
    <div className="jp-hpc-queue-banner" role="alert">
      {problem}. {tail}
    </div>
  );
}

/** Where the rows came from, where the hub runs a queue service. */
function SourceNote({ model }: IQueueViewProps): JSX.Element | null {
  const now = useNow();
  const note = sourceNote(model.status, model.dataAge(now));
  if (!note) {
    return null;
  }
  return (
    <div
      className={`jp-hpc-queue-source jp-mod-${note.kind}`}
      role="note"
      title={note.detail || undefined}
    >
      {note.text}
    </div>
  );
}

/** "All jobs" on a server that shows each user only their own jobs. */
function OwnJobsNote({ model }: IQueueViewProps): JSX.Element | null {
  // An empty listing says it in its own words (QueueContent).
  const note =
    model.jobs.length > 0
      ? ownJobsOnlyNote(model.capabilities, model.scope, model.jobs)
      : null;
  if (!note) {
    return null;
  }
  return (
    <div className="jp-hpc-queue-note" role="note">
      {note}
    </div>
  );
}

function StatusLine({ model }: IQueueViewProps): JSX.Element {
  const now = useNow();
  let text = '';
  if (!model.schedulerAvailable) {
    text = '';
  } else if (model.loading) {
    text = 'Loading jobs…';
  } else {
    const total = model.jobs.length;
    const shown = model.visibleJobs.length;
    const count = model.isFiltered
      ? `${shown} of ${total} jobs`
      : total === 1
        ? '1 job'
        : `${total} jobs`;
    const age = model.dataAge(now);
    text = age === null ? count : `${count} · updated ${formatAge(age)}`;
  }
  const caps = model.capabilities;
  const where =
    caps?.scheduler.available && caps.scheduler.kind
      ? `${schedulerName(caps.scheduler)}${
          caps.scheduler.version ? ` ${caps.scheduler.version}` : ''
        }${caps.scheduler.cluster ? ` on ${caps.scheduler.cluster}` : ''}`
      : '';
  return (
    <div className="jp-hpc-queue-status" aria-live="polite">
      <span className="jp-hpc-queue-status-text">{text}</span>
      {where && <span className="jp-hpc-queue-status-scheduler">{where}</span>}
    </div>
  );
}

// ---------------------------------------------------------------------------
// Empty states and the table

function QueueContent(props: IQueueViewProps): JSX.Element {
  const { model } = props;
  if (!model.schedulerAvailable) {
    const message = model.capabilities?.scheduler.message ?? '';
    return (
      <Empty kind="no-scheduler">
        <p>No batch system found on this server.</p>
        {message && <p className="jp-hpc-queue-empty-detail">{message}</p>}
      </Empty>
    );
  }
  if (model.loading) {
    return (
      <Empty kind="loading">
        <p>Loading jobs…</p>
      </Empty>
    );
  }
  if (model.jobs.length === 0) {
    if (model.error || (model.status && !model.status.ok)) {
      return (
        <Empty kind="no-data">
          <p>No job list yet.</p>
        </Empty>
      );
    }
    const submit = familyWords(model.capabilities?.scheduler.kind).submit;
    return (
      <Empty kind="no-jobs">
        {model.scope === 'mine' ? (
          <p>
            You have no jobs in the queue. Submit one with <code>{submit}</code>
            , then it appears here.
          </p>
        ) : (
          <p>{emptyAllJobsText(model.capabilities)}</p>
        )}
      </Empty>
    );
  }
  if (model.visibleJobs.length === 0) {
    return (
      <Empty kind="no-match">
        <p>No job matches the filter.</p>
        <button
          type="button"
          className="jp-hpc-queue-button jp-hpc-queue-clear-filter"
          onClick={() => {
            model.filterText = '';
            model.stateFilter = '';
          }}
        >
          Clear the filter
        </button>
      </Empty>
    );
  }
  return <QueueTable model={model} onOpenJob={props.onOpenJob} />;
}

function Empty(props: {
  kind: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-hpc-queue-empty" data-empty={props.kind}>
      {props.children}
    </div>
  );
}

/** The grid template shared by the header and every row. */
function gridTemplate(columns: readonly IColumn[]): {
  template: string;
  minWidth: number;
} {
  let minWidth = CHECK_WIDTH;
  const parts = [`${CHECK_WIDTH}px`];
  for (const c of columns) {
    minWidth += c.width;
    // The name takes what is left; when it is hidden, the last column does.
    const flexible =
      c.id === 'name' ||
      (!columns.some(x => x.id === 'name') &&
        c === columns[columns.length - 1]);
    parts.push(flexible ? `minmax(${c.width}px, 1fr)` : `${c.width}px`);
  }
  return { template: parts.join(' '), minWidth };
}

function QueueTable({ model, onOpenJob }: IQueueViewProps): JSX.Element {
  const jobs = model.visibleJobs;
  const selection = model.selection;
  const scheduler = familyOf(model.capabilities?.scheduler.kind);
  const columns = React.useMemo(
    () =>
      model.columns
        .map(id => getColumn(id, scheduler))
        .filter((c): c is IColumn => c !== undefined),
    [model.columns, scheduler]
  );
  const grid = React.useMemo(() => gridTemplate(columns), [columns]);

  const scrollRef = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [viewport, setViewport] = React.useState(600);
  // By id, since indexes move with each poll: `anchor` is where a shift
  // range starts, `cursor` the row the keyboard is on.
  const anchor = React.useRef<string | null>(null);
  const cursor = React.useRef<string | null>(null);

  React.useEffect(() => {
    const el = scrollRef.current;
    if (!el) {
      return;
    }
    setViewport(el.clientHeight || 600);
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() => {
      setViewport(el.clientHeight || 600);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // "Show in queue": scroll the requested job's row to the middle.
  const revealRequest = model.revealRequest;
  React.useEffect(() => {
    const el = scrollRef.current;
    if (!revealRequest || !el) {
      return;
    }
    const index = jobs.findIndex(j => j.id === revealRequest.jobId);
    if (index >= 0) {
      cursor.current = anchor.current = revealRequest.jobId;
      el.scrollTop = Math.max(
        0,
        index * ROW_HEIGHT - (el.clientHeight - HEADER_HEIGHT) / 2
      );
    }
    // Only a new request scrolls; polls do not.
  }, [revealRequest?.token]);

  // The header is sticky inside the scroll container, so the first row sits
  // one header height below the top.
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(
    jobs.length,
    Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN
  );
  const rows: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const job = jobs[i];
    rows.push(
      <QueueRow
        key={job.id}
        job={job}
        index={i}
        columns={columns}
        selected={selection.has(job.id)}
        marks={model.marksOf(job.id)}
        session={job.id === model.sessionJobId}
        explanation={model.pending?.get(job.id)}
      />
    );
  }

  const selectRange = (fromId: string | null, to: number, add: boolean) => {
    const from = fromId === null ? -1 : jobs.findIndex(j => j.id === fromId);
    const start = from < 0 ? to : Math.min(from, to);
    const end = from < 0 ? to : Math.max(from, to);
    const ids = jobs.slice(start, end + 1).map(j => j.id);
    model.select(add ? [...model.selection, ...ids] : ids);
  };

  const onClick = (event: React.MouseEvent) => {
    const target = event.target as HTMLElement;
    const row = target.closest<HTMLElement>('.jp-hpc-queue-row');
    if (!row) {
      return;
    }
    const index = Number(row.dataset.index);
    const job = jobs[index];
    if (!job) {
      return;
    }
    const checkbox = target.closest('.jp-hpc-queue-row-check') !== null;
    cursor.current = job.id;
    if (event.shiftKey) {
      selectRange(anchor.current, index, event.ctrlKey || event.metaKey);
      return;
    }
    if (checkbox || event.ctrlKey || event.metaKey) {
      model.toggleSelected(job.id);
    } else {
      model.select([job.id]);
    }
    anchor.current = job.id;
  };

  /** Scroll so that row `index` is in view. */
  const reveal = (index: number) => {
    const el = scrollRef.current;
    if (!el) {
      return;
    }
    const header = HEADER_HEIGHT;
    const top = index * ROW_HEIGHT;
    if (top < el.scrollTop) {
      el.scrollTop = top;
    } else if (top + ROW_HEIGHT + header > el.scrollTop + el.clientHeight) {
      el.scrollTop = top + ROW_HEIGHT + header - el.clientHeight;
    }
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const from = cursor.current ?? anchor.current;
    const current = from === null ? -1 : jobs.findIndex(j => j.id === from);
    let next = -1;
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(jobs.length - 1, current + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, current < 0 ? 0 : current - 1);
        break;
      case 'PageDown':
        next = Math.min(jobs.length - 1, Math.max(0, current) + page);
        break;
      case 'PageUp':
        next = Math.max(0, current - page);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = jobs.length - 1;
        break;
      case 'Enter':
        if (onOpenJob && current >= 0) {
          event.preventDefault();
          onOpenJob(jobs[current].id);
        }
        return;
      case 'Escape':
        model.clearSelection();
        event.preventDefault();
        return;
      case 'a':
        if (event.ctrlKey || event.metaKey) {
          model.select(jobs.map(j => j.id));
          event.preventDefault();
        }
        return;
      default:
        return;
    }
    event.preventDefault();
    if (next < 0 || next >= jobs.length) {
      return;
    }
    cursor.current = jobs[next].id;
    if (event.shiftKey) {
      selectRange(anchor.current ?? cursor.current, next, false);
    } else {
      model.select([jobs[next].id]);
      anchor.current = jobs[next].id;
    }
    reveal(next);
  };

  return (
    <div
      className="jp-hpc-queue-scroll"
      ref={scrollRef}
      onScroll={e => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div
        className="jp-hpc-queue-table"
        role="grid"
        aria-label="Jobs"
        aria-rowcount={jobs.length + 1}
        aria-multiselectable="true"
        tabIndex={0}
        onKeyDown={onKeyDown}
        style={
          {
            '--jp-hpc-queue-grid': grid.template,
            minWidth: `${grid.minWidth}px`
          } as React.CSSProperties
        }
      >
        <QueueHeader model={model} columns={columns} jobs={jobs} />
        <div
          className="jp-hpc-queue-body"
          role="rowgroup"
          style={{ height: jobs.length * ROW_HEIGHT }}
          onClick={onClick}
          onDoubleClick={event => {
            const row = (event.target as HTMLElement).closest<HTMLElement>(
              '.jp-hpc-queue-row'
            );
            const id = row?.dataset.jobId;
            if (
              onOpenJob &&
              id &&
              !(event.target as HTMLElement).closest('input')
            ) {
              onOpenJob(id);
            }
          }}
          // Keep shift-click from selecting text.
          onMouseDown={e => e.shiftKey && e.preventDefault()}
        >
          <div
            className="jp-hpc-queue-window"
            style={{ transform: `translateY(${first * ROW_HEIGHT}px)` }}
          >
            {rows}
          </div>
        </div>
      </div>
    </div>
  );
}

function QueueHeader(props: {
  model: QueueModel;
  columns: IColumn[];
  jobs: readonly Job[];
}): JSX.Element {
  const { model, columns, jobs } = props;
  const selectedVisible = model.selectedIds.length;
  const all = jobs.length > 0 && selectedVisible === jobs.length;
  const some = selectedVisible > 0 && !all;
  const checkRef = React.useRef<HTMLInputElement>(null);
  React.useEffect(() => {
    if (checkRef.current) {
      checkRef.current.indeterminate = some;
    }
  }, [some]);

  return (
    <div className="jp-hpc-queue-header" role="row" aria-rowindex={1}>
      <div className="jp-hpc-queue-cell jp-hpc-queue-check" role="columnheader">
        <input
          type="checkbox"
          ref={checkRef}
          className="jp-hpc-queue-select-all"
          aria-label="Select all shown jobs"
          title="Select all shown jobs"
          checked={all}
          onChange={() => {
            if (all) {
              const shown = new Set(jobs.map(j => j.id));
              model.select([...model.selection].filter(id => !shown.has(id)));
            } else {
              model.select([...model.selection, ...jobs.map(j => j.id)]);
            }
          }}
        />
      </div>
      {columns.map(c => {
        const sorted = model.sortColumn === c.id;
        const arrow = sorted
          ? model.sortDirection === 'ascending'
            ? ' ▲'
            : ' ▼'
          : '';
        return (
          <div
            key={c.id}
            className={`jp-hpc-queue-cell jp-hpc-queue-colhead jp-mod-${c.align}${
              sorted ? ' jp-mod-sorted' : ''
            }`}
            role="columnheader"
            data-column={c.id}
            aria-sort={sorted ? model.sortDirection : 'none'}
            title={`${c.title}. Click to sort.`}
            tabIndex={0}
            onClick={() => model.toggleSort(c.id)}
            onKeyDown={e => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                model.toggleSort(c.id);
              }
            }}
          >
            <span className="jp-hpc-queue-colhead-label">{c.label}</span>
            <span className="jp-hpc-queue-sort-arrow" aria-hidden="true">
              {arrow}
            </span>
          </div>
        );
      })}
    </div>
  );
}

interface IQueueRowProps {
  job: Job;
  index: number;
  columns: IColumn[];
  selected: boolean;
  /** Other features' marks ("Kernel"), shown before the job's name. */
  marks: readonly IRowMark[];
  /** The job this Jupyter server runs in. */
  session: boolean;
  /** Why it waits (`jobs/pending`), for a waiting job of the user's. */
  explanation?: PendingExplanation;
}

/** One job; memoized so scrolling renders only the rows that change. */
const QueueRow = React.memo(function QueueRow({
  job,
  index,
  columns,
  selected,
  marks,
  session,
  explanation
}: IQueueRowProps): JSX.Element {
  const markColumn = badgeColumn(columns);
  const tooltip = pendingTooltip(job, explanation);
  return (
    <div
      className={`jp-hpc-queue-row${selected ? ' jp-mod-selected' : ''}${
        session ? ' jp-mod-session' : ''
      }`}
      title={tooltip || undefined}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-index={index}
      data-job-id={job.id}
      data-state={job.state}
    >
      <div className="jp-hpc-queue-cell jp-hpc-queue-check" role="gridcell">
        <input
          type="checkbox"
          className="jp-hpc-queue-row-check"
          aria-label={`Select job ${job.id}`}
          checked={selected}
          // The row's click handler toggles; React wants a handler anyway.
          onChange={() => undefined}
        />
      </div>
      {columns.map(c => (
        <Cell
          key={c.id}
          job={job}
          column={c.id}
          align={c.align}
          marks={c.id === markColumn ? marks : undefined}
          session={session && c.id === markColumn}
          explanation={explanation}
          rowTooltip={tooltip}
        />
      ))}
    </div>
  );
});

/** Where the session badge and the marks go: the Name column, else the first one. */
function badgeColumn(columns: IColumn[]): ColumnId {
  return columns.some(c => c.id === 'name') ? 'name' : columns[0].id;
}

/** The badge of the job that runs this Jupyter server. */
const SESSION_BADGE_TITLE =
  'This job runs this Jupyter server: when it ends, this session ends.';

function Cell(props: {
  job: Job;
  column: ColumnId;
  align: 'left' | 'right';
  marks?: readonly IRowMark[];
  /** Show the session badge in this cell. */
  session?: boolean;
  explanation?: PendingExplanation;
  rowTooltip: string;
}): JSX.Element {
  const { job, column, align, marks, explanation, rowTooltip } = props;
  const text = cellText(job, column, explanation);
  let content: React.ReactNode = text;
  if (marks && marks.length) {
    content = (
      <>
        {marks.map(m => (
          <span
            key={m.source}
            className="jp-hpc-queue-mark"
            data-mark={m.source}
            title={m.title}
          >
            {m.label}
          </span>
        ))}
        {text}
      </>
    );
  }
  if (column === 'state') {
    content = (
      <span
        className="jp-hpc-state-pill"
        data-state={job.state}
        title={job.raw_state || text}
      >
        {text}
      </span>
    );
  }
  return (
    <div
      className={`jp-hpc-queue-cell jp-mod-${align}`}
      role="gridcell"
      data-column={column}
      title={
        column === 'state' ? undefined : cellTitle(text, column, rowTooltip)
      }
    >
      {props.session && (
        <span className="jp-hpc-session-badge" title={SESSION_BADGE_TITLE}>
          this session
        </span>
      )}
      {content}
    </div>
  );
}

/** A cell's tooltip: its text, and for a waiting job why it waits. */
function cellTitle(text: string, column: ColumnId, rowTooltip: string): string {
  if (!rowTooltip) {
    return text;
  }
  return column === 'why' || !text ? rowTooltip : `${text}\n\n${rowTooltip}`;
}
