/**
 * "Right-size": an ended job's CPU, memory and time used against asked, the
 * next run's request and *Resubmit with these*. Shown by the details of an
 * ended job and under the history's table for the selected job.
 */
import * as React from 'react';

import type { JobState, JobUsage } from '../api';
import type { SchedulerFamily } from '../../common/scheduler';
import {
  IEfficiency,
  IRightsizeSettings,
  ISuggestion,
  IUse,
  changesRequest,
  efficiency,
  formatBytes,
  formatMinutes,
  formatSeconds,
  percent,
  suggest
} from './rightsize';

export interface IRightsizeProps {
  state: JobState;
  rawState: string;
  usage: JobUsage | null | undefined;
  family: SchedulerFamily;
  settings: IRightsizeSettings;
  /** Opens the submit tab with the suggestion, or says why it cannot. */
  resubmit: (suggestion: ISuggestion) => (() => void) | string;
}

/** How a share reads: CPU and memory wasted when low, over when past 1. */
export function shareLevel(ratio: number): 'low' | 'medium' | 'high' | 'over' {
  return ratio > 1
    ? 'over'
    : ratio < 0.25
      ? 'low'
      : ratio < 0.75
        ? 'medium'
        : 'high';
}

/** A bar of used against asked, with the share and the figures in words. */
export function UseMeter(props: {
  label: string;
  use: IUse | null;
  words: (use: IUse) => string;
  /** Only the bar and the share, the words as a tooltip (a table cell). */
  compact?: boolean;
}): JSX.Element {
  const { use, label } = props;
  if (!use) {
    return (
      <div className="jp-hpc-rightsize-row" data-resource={label.toLowerCase()}>
        <span className="jp-hpc-rightsize-label">{label}</span>
        <span className="jp-hpc-rightsize-unknown">not recorded</span>
      </div>
    );
  }
  const pct = Math.max(0, Math.min(1, use.ratio)) * 100;
  const meter = (
    <span
      className="jp-hpc-efficiency"
      data-level={shareLevel(use.ratio)}
      role="meter"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(use.ratio * 100)}
      aria-label={`${label} used of asked`}
      title={props.compact ? props.words(use) : undefined}
    >
      <span className="jp-hpc-efficiency-bar">
        <span className="jp-hpc-efficiency-fill" style={{ width: `${pct}%` }} />
      </span>
      <span className="jp-hpc-efficiency-text">{percent(use.ratio)}</span>
    </span>
  );
  if (props.compact) {
    return meter;
  }
  return (
    <div className="jp-hpc-rightsize-row" data-resource={label.toLowerCase()}>
      <span className="jp-hpc-rightsize-label">{label}</span>
      {meter}
      <span className="jp-hpc-rightsize-words">{props.words(use)}</span>
    </div>
  );
}

export function EfficiencyRows({ eff }: { eff: IEfficiency }): JSX.Element {
  return (
    <div className="jp-hpc-rightsize-uses">
      <UseMeter
        label="CPU"
        use={eff.cpu}
        words={u =>
          `${Number(u.used.toFixed(u.used < 10 ? 2 : 1))} of ${u.asked} ${u.asked === 1 ? 'CPU' : 'CPUs'} busy on average`
        }
      />
      <UseMeter
        label="Memory"
        use={eff.memory}
        words={u =>
          `peak ${formatBytes(u.used)} of ${formatBytes(u.asked)} per node`
        }
      />
      <UseMeter
        label="Time"
        use={eff.time}
        words={u => `ran ${formatSeconds(u.used)} of ${formatSeconds(u.asked)}`}
      />
    </div>
  );
}

/** The next run's request as a line of figures. */
function SuggestionLine({ s }: { s: ISuggestion }): JSX.Element {
  const parts: string[] = [];
  if (s.memory !== null) {
    parts.push(`memory ${s.memory} per node`);
  }
  if (s.timeMinutes !== null) {
    parts.push(`time ${formatMinutes(s.timeMinutes)}`);
  }
  if (s.cpus !== null) {
    parts.push(`${s.cpus} ${s.cpus === 1 ? 'CPU' : 'CPUs'} per node`);
  }
  return (
    <p className="jp-hpc-rightsize-suggestion">
      <strong>Next run:</strong> {parts.join(', ')}
    </p>
  );
}

function Notes({ notes }: { notes: string[] }): JSX.Element | null {
  return notes.length === 0 ? null : (
    <ul className="jp-hpc-rightsize-notes">
      {notes.map(n => (
        <li key={n}>{n}</li>
      ))}
    </ul>
  );
}

export function RightsizeSection(props: IRightsizeProps): JSX.Element {
  const family = props.family === 'pbs' ? 'pbs' : 'slurm';
  const eff = efficiency(props.usage, family);
  if (!eff) {
    return (
      <p className="jp-hpc-details-muted jp-hpc-rightsize-none">
        {props.usage && !props.usage.ended
          ? 'Used against asked is shown once the job has ended.'
          : 'The batch system keeps no usage figures for this job.'}
      </p>
    );
  }
  const job = {
    state: props.state,
    raw_state: props.rawState,
    usage: props.usage
  };
  const s = suggest(job, family, props.settings);
  const action = s !== null && changesRequest(s) ? props.resubmit(s) : null;
  return (
    <div className="jp-hpc-rightsize">
      <EfficiencyRows eff={eff} />
      {s === null ? (
        <p className="jp-hpc-details-muted jp-hpc-rightsize-none">
          No request is suggested from a job that{' '}
          {props.state === 'cancelled' ? 'was cancelled' : 'failed'}: it may
          have stopped anywhere.
        </p>
      ) : !changesRequest(s) ? (
        <>
          <p className="jp-hpc-rightsize-fits">
            Nothing to change in its request.
          </p>
          <Notes notes={s.notes} />
        </>
      ) : (
        <>
          <SuggestionLine s={s} />
          <Notes notes={s.notes} />
          <button
            type="button"
            className="jp-hpc-details-button jp-mod-accept jp-hpc-rightsize-resubmit"
            disabled={typeof action === 'string'}
            title={
              typeof action === 'string'
                ? action
                : 'Open the submit tab with these figures written into the script'
            }
            onClick={() => typeof action === 'function' && action()}
          >
            Resubmit with these
          </button>
        </>
      )}
    </div>
  );
}
