/**
 * The job history view: range and state filter, then a table of finished
 * jobs with exit code, elapsed time, CPU efficiency and peak memory.
 */
import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { HistoryRecord, JobState } from '../api';
import { useModel } from '../../common/useModel';
import { STATE_LABELS, formatDuration } from '../queue/jobs';
import type { SchedulerFamily } from '../../common/scheduler';
import { HistoryModel } from './model';
import {
  DEFAULT_RIGHTSIZE,
  IRightsizeSettings,
  ISuggestion,
  efficiency,
  formatBytes as formatSize,
  formatSeconds
} from '../rightsize/rightsize';
import { RightsizeSection, UseMeter } from '../rightsize/view';
import {
  HISTORY_STATES,
  HistoryColumn,
  RANGE_LABELS,
  RangePreset,
  formatBytes,
  formatEfficiency,
  parseSize,
  shortTime
} from './range';

export interface IHistoryViewProps {
  model: HistoryModel;
  openJob: (jobId: string) => void;
  /** The batch system, for its words (PBS runs jobs in queues). */
  schedulerKind?: () => SchedulerFamily;
  /** The margins and floors of the next run's request (the settings). */
  rightsize?: () => IRightsizeSettings;
  /** "Resubmit with these" for a job: open the submit panel, or say why not. */
  resubmitWith?: (
    record: HistoryRecord,
    suggestion: ISuggestion
  ) => (() => void) | string;
}

export function HistoryView(props: IHistoryViewProps): JSX.Element {
  useModel(props.model);
  return (
    <div className="jp-hpc-history">
      <Toolbar model={props.model} />
      <Content {...props} />
    </div>
  );
}

function Toolbar({ model }: { model: HistoryModel }): JSX.Element {
  const count = model.result?.available ? model.result.jobs.length : null;
  return (
    <div className="jp-hpc-history-toolbar">
      <select
        className="jp-hpc-history-range"
        aria-label="Time range"
        value={model.preset}
        onChange={e => (model.preset = e.target.value as RangePreset)}
      >
        {(Object.keys(RANGE_LABELS) as RangePreset[]).map(p => (
          <option key={p} value={p}>
            {RANGE_LABELS[p]}
          </option>
        ))}
      </select>
      {model.preset === 'custom' && (
        <>
          <label className="jp-hpc-history-date">
            From
            <input
              type="datetime-local"
              aria-label="Start of the range"
              value={model.customStart}
              onChange={e =>
                model.setCustomRange(e.target.value, model.customEnd)
              }
            />
          </label>
          <label className="jp-hpc-history-date">
            to
            <input
              type="datetime-local"
              aria-label="End of the range (empty: now)"
              value={model.customEnd}
              onChange={e =>
                model.setCustomRange(model.customStart, e.target.value)
              }
            />
          </label>
        </>
      )}
      <select
        className="jp-hpc-history-state"
        aria-label="Filter by state"
        value={model.stateFilter}
        onChange={e => (model.stateFilter = e.target.value as JobState | '')}
      >
        <option value="">All states</option>
        {HISTORY_STATES.map(s => (
          <option key={s} value={s}>
            {STATE_LABELS[s]}
          </option>
        ))}
      </select>
      <span className="jp-hpc-history-spacer" />
      <span className="jp-hpc-history-count" aria-live="polite">
        {model.loading
          ? 'Loading…'
          : count === null
            ? ''
            : `${count} ${count === 1 ? 'job' : 'jobs'}${model.truncated ? ' (limit reached: narrow the range)' : ''}`}
      </span>
      <button
        type="button"
        className="jp-hpc-history-button jp-hpc-history-refresh"
        title="Ask the scheduler's accounting again"
        aria-label="Refresh"
        onClick={() => void model.refresh()}
      >
        <refreshIcon.react tag="span" className="jp-hpc-history-icon" />
      </button>
    </div>
  );
}

function Content(props: IHistoryViewProps): JSX.Element {
  const { model } = props;
  const result = model.result;
  if (model.error) {
    return (
      <div className="jp-hpc-history-message" role="alert">
        <p>Could not get the job history: {model.error}</p>
      </div>
    );
  }
  if (!result) {
    return (
      <div className="jp-hpc-history-message">
        <p>Loading the job history…</p>
      </div>
    );
  }
  if (!result.available) {
    return (
      <div className="jp-hpc-history-message jp-hpc-history-unavailable">
        <p className="jp-hpc-history-message-title">
          No job history on this cluster.
        </p>
        <p>{result.message}</p>
      </div>
    );
  }
  if (result.jobs.length === 0) {
    return (
      <div className="jp-hpc-history-message">
        <p>
          No job{' '}
          {model.stateFilter
            ? `${STATE_LABELS[model.stateFilter].toLowerCase()} `
            : ''}
          in this range.
        </p>
        {result.message && <p>{result.message}</p>}
      </div>
    );
  }
  return (
    <>
      <HistoryTable {...props} />
      <Selected {...props} />
    </>
  );
}

/** Under the table: the selected job's use against its request. */
function Selected(props: IHistoryViewProps): JSX.Element | null {
  const record = props.model.selected;
  if (!record || !props.resubmitWith) {
    return (
      <div className="jp-hpc-history-selected jp-hpc-history-hint">
        Select a job to see what it used against what it asked, and the request
        for its next run.
      </div>
    );
  }
  const resubmitWith = props.resubmitWith;
  return (
    <div
      className="jp-hpc-history-selected"
      data-job-id={record.id}
      aria-label={`Job ${record.id}: used against asked`}
    >
      <h3 className="jp-hpc-history-selected-title">
        Job {record.id}
        {record.name ? ` (${record.name})` : ''}: used against asked
      </h3>
      <RightsizeSection
        state={record.state}
        rawState={record.raw_state}
        usage={record.usage}
        family={props.model.family}
        settings={props.rightsize?.() ?? DEFAULT_RIGHTSIZE}
        resubmit={s => resubmitWith(record, s)}
      />
    </div>
  );
}

interface IHistoryColumnDef {
  id: HistoryColumn;
  label: string;
  title: string;
  align?: 'right';
}

const COLUMNS: IHistoryColumnDef[] = [
  { id: 'id', label: 'Job ID', title: 'The job id' },
  { id: 'name', label: 'Name', title: 'Job name' },
  { id: 'state', label: 'State', title: 'Final state' },
  { id: 'partition', label: 'Partition', title: 'Partition (queue)' },
  {
    id: 'submit_time',
    label: 'Submitted',
    title: 'When the job was submitted'
  },
  { id: 'end_time', label: 'Ended', title: 'When the job ended' },
  {
    id: 'elapsed',
    label: 'Elapsed',
    title: 'Wall time it ran',
    align: 'right'
  },
  {
    id: 'exit_code',
    label: 'Exit',
    title: 'Exit code (or the signal that stopped it)',
    align: 'right'
  },
  {
    id: 'cpu_efficiency',
    label: 'CPU efficiency',
    title: 'CPU time used / (elapsed × CPUs)'
  },
  {
    id: 'memory_use',
    label: 'Memory',
    title: 'Peak memory per node / memory asked per node'
  },
  {
    id: 'time_use',
    label: 'Time',
    title: 'Elapsed / time limit'
  },
  {
    id: 'max_rss',
    label: 'Max RSS',
    title: 'Peak memory of a task',
    align: 'right'
  }
];

/** PBS's words for the columns it names otherwise. */
const PBS_LABELS: Partial<Record<HistoryColumn, [string, string]>> = {
  partition: ['Queue', 'Queue of the job']
};

function HistoryTable({
  model,
  openJob,
  schedulerKind
}: IHistoryViewProps): JSX.Element {
  const records = model.records;
  const pbs = schedulerKind?.() === 'pbs';
  const select = React.useCallback((id: string) => model.select(id), [model]);
  return (
    <div className="jp-hpc-history-scroll">
      <table className="jp-hpc-history-table" aria-label="Job history">
        <thead>
          <tr>
            {COLUMNS.map(column => {
              const words = pbs ? PBS_LABELS[column.id] : undefined;
              const c = words
                ? { ...column, label: words[0], title: words[1] }
                : column;
              const sorted = model.sortColumn === c.id;
              return (
                <th
                  key={c.id}
                  scope="col"
                  data-column={c.id}
                  className={`${c.align === 'right' ? 'jp-mod-right' : ''}${sorted ? ' jp-mod-sorted' : ''}`}
                  aria-sort={
                    sorted
                      ? model.sortDescending
                        ? 'descending'
                        : 'ascending'
                      : 'none'
                  }
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
                  {c.label}
                  {sorted ? (model.sortDescending ? ' ▼' : ' ▲') : ''}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {records.map(r => (
            <HistoryRow
              key={r.id}
              record={r}
              openJob={openJob}
              selected={r.id === model.selectedId}
              select={select}
              family={model.family}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const HistoryRow = React.memo(function HistoryRow(props: {
  record: HistoryRecord;
  openJob: (jobId: string) => void;
  selected: boolean;
  select: (jobId: string) => void;
  family: 'slurm' | 'pbs';
}): JSX.Element {
  const { record: r, openJob, select } = props;
  const eff = efficiency(r.usage, props.family);
  const exit =
    r.exit_signal !== null && r.exit_signal !== undefined && r.exit_signal > 0
      ? `signal ${r.exit_signal}`
      : (r.exit_code ?? '');
  return (
    <tr
      className="jp-hpc-history-row"
      data-job-id={r.id}
      data-state={r.state}
      tabIndex={0}
      aria-selected={props.selected}
      title="Click to see its use against its request; double-click (or Enter) to open the job's details"
      onClick={() => select(r.id)}
      onFocus={() => select(r.id)}
      onDoubleClick={() => openJob(r.id)}
      onKeyDown={e => {
        if (e.key === 'Enter') {
          openJob(r.id);
        }
      }}
    >
      <td className="jp-hpc-history-id">{r.id}</td>
      <td className="jp-hpc-history-name">{r.name}</td>
      <td>
        <span className="jp-hpc-state-pill" data-state={r.state}>
          {STATE_LABELS[r.state] ?? r.state}
        </span>
      </td>
      <td>{r.partition}</td>
      <td title={r.submit_time ?? ''}>{shortTime(r.submit_time)}</td>
      <td title={r.end_time ?? ''}>{shortTime(r.end_time)}</td>
      <td className="jp-mod-right">
        {r.elapsed === null ? '' : formatDuration(r.elapsed)}
      </td>
      <td
        className={`jp-mod-right${exit !== '' && exit !== 0 ? ' jp-hpc-history-bad-exit' : ''}`}
        // What the code means when the scheduler says (PBS: -29 is its walltime).
        title={r.reason || undefined}
      >
        {exit}
      </td>
      <td>
        <EfficiencyBar value={r.cpu_efficiency} />
      </td>
      <td className="jp-hpc-history-use">
        {eff?.memory && (
          <UseMeter
            label="Memory"
            compact
            use={eff.memory}
            words={u =>
              `Peak ${formatSize(u.used)} of ${formatSize(u.asked)} per node`
            }
          />
        )}
      </td>
      <td className="jp-hpc-history-use">
        {eff?.time && (
          <UseMeter
            label="Time"
            compact
            use={eff.time}
            words={u =>
              `Ran ${formatSeconds(u.used)} of ${formatSeconds(u.asked)}`
            }
          />
        )}
      </td>
      <td className="jp-mod-right" title={r.max_rss}>
        {r.max_rss ? formatBytes(parseSize(r.max_rss)) || r.max_rss : ''}
      </td>
    </tr>
  );
});

function EfficiencyBar({
  value
}: {
  value: number | null;
}): JSX.Element | null {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return null;
  }
  const pct = Math.max(0, Math.min(1, value)) * 100;
  const level = value < 0.25 ? 'low' : value < 0.75 ? 'medium' : 'high';
  return (
    <span
      className="jp-hpc-efficiency"
      data-level={level}
      role="meter"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(value * 100)}
      aria-label="CPU efficiency"
    >
      <span className="jp-hpc-efficiency-bar">
        <span className="jp-hpc-efficiency-fill" style={{ width: `${pct}%` }} />
      </span>
      <span className="jp-hpc-efficiency-text">{formatEfficiency(value)}</span>
    </span>
  );
}
