/**
 * The output section of the job details: one tab per stream, follow mode,
 * "Load earlier", "Jump to end" and "Open in editor".
 */
import * as React from 'react';

import { useModel } from '../../common/useModel';
import type { SchedulerFamily } from '../../common/scheduler';
import type { IOutputTab, JobDetailsModel } from './model';
import type { OutputModel } from './output';
import { followTitle, missingText, openInEditor } from './outputText';
import { pathInRoot } from './paths';
import { endedBeforeStart } from './timeline';
import { formatBytes } from '../history/range';

export interface IOutputSectionProps {
  model: JobDetailsModel;
  /** The Jupyter server's root folder (absolute). */
  serverRoot: string;
  /** Open a path relative to the root in JupyterLab's editor. */
  openFile: (path: string) => void;
  /** The batch system, for its words (when PBS writes the output file). */
  schedulerKind: SchedulerFamily;
}

export function OutputSection(props: IOutputSectionProps): JSX.Element {
  const { model } = props;
  const tabs = model.outputs;
  if (tabs.length === 0) {
    return (
      <p className="jp-hpc-details-muted">
        {model.loading ? 'Loading…' : 'The scheduler gave no output path.'}
      </p>
    );
  }
  const active = tabs.find(t => t.id === model.activeTab) ?? tabs[0];
  return (
    <div className="jp-hpc-output">
      <div className="jp-hpc-output-tabs" role="tablist">
        {tabs.map(tab => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            className="jp-hpc-output-tab"
            aria-selected={tab === active}
            title={tab.model.path || undefined}
            onClick={() => (model.activeTab = tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <StreamView
        key={active.id}
        tab={active}
        neverRan={!!model.detail && endedBeforeStart(model.detail.job)}
        {...props}
      />
    </div>
  );
}

function StreamView(
  props: IOutputSectionProps & { tab: IOutputTab; neverRan: boolean }
): JSX.Element {
  const output = props.tab.model;
  useModel(output);
  const where = output.path ? pathInRoot(output.path, props.serverRoot) : null;
  const open = openInEditor(output, where, props.schedulerKind, props.neverRan);
  const ended = output.ended;
  return (
    <div
      className="jp-hpc-output-stream"
      data-stream={output.stream}
      data-ended={ended}
    >
      <div className="jp-hpc-output-toolbar">
        <label
          className="jp-hpc-output-follow"
          title={followTitle(ended, output.exists)}
          data-disabled={ended}
        >
          <input
            type="checkbox"
            checked={output.follow}
            disabled={ended}
            onChange={e => (output.follow = e.target.checked)}
          />
          Follow
        </label>
        <button
          type="button"
          className="jp-hpc-details-button jp-hpc-output-earlier"
          disabled={!output.hasEarlier || output.busy}
          title={`Show the ${formatBytes(output.pageSize)} before the shown text`}
          onClick={() => void output.loadEarlier()}
        >
          Load earlier
        </button>
        {!output.atTail && (
          <button
            type="button"
            className="jp-hpc-details-button jp-hpc-output-latest"
            onClick={() => void output.jumpToEnd()}
          >
            Jump to end
          </button>
        )}
        <button
          type="button"
          className="jp-hpc-details-button jp-hpc-output-open"
          disabled={!open.enabled}
          title={open.title}
          onClick={() =>
            open.enabled &&
            where &&
            'path' in where &&
            props.openFile(where.path)
          }
        >
          Open in editor
        </button>
        <span className="jp-hpc-output-path" title={output.path}>
          {/* Isolated: the box is right-to-left so a long path keeps its end. */}
          <bdi dir="ltr">{output.path}</bdi>
        </span>
      </div>
      {where && 'reason' in where && output.status === 'ready' && (
        <p className="jp-hpc-output-note jp-hpc-output-outside">
          {where.reason}
        </p>
      )}
      <StreamBody
        output={output}
        kind={props.schedulerKind}
        neverRan={props.neverRan}
      />
    </div>
  );
}

function StreamBody({
  output,
  kind,
  neverRan
}: {
  output: OutputModel;
  kind: SchedulerFamily;
  neverRan: boolean;
}): JSX.Element {
  switch (output.status) {
    case 'loading':
      return <p className="jp-hpc-output-note">Reading the output…</p>;
    case 'missing':
      return (
        <p className="jp-hpc-output-note jp-hpc-output-missing">
          {missingText(output, kind, neverRan)}
        </p>
      );
    case 'forbidden':
      return (
        <p className="jp-hpc-output-note jp-hpc-output-forbidden">
          This is another user&apos;s job: only its owner can read its output.
        </p>
      );
    case 'gone':
      return (
        <p className="jp-hpc-output-note">
          {output.message || 'The scheduler does not know this job any more.'}
        </p>
      );
    default:
      return <OutputText output={output} />;
  }
}

/** The text, kept scrolled to the end while following. */
function OutputText({ output }: { output: OutputModel }): JSX.Element {
  const ref = React.useRef<HTMLPreElement>(null);
  const last = React.useRef({ start: output.start, height: 0, atBottom: true });
  const text = output.text;

  React.useLayoutEffect(() => {
    const el = ref.current;
    if (!el) {
      return;
    }
    const before = last.current;
    if (output.start < before.start) {
      // Text came in above: keep what the user was reading in place.
      el.scrollTop += el.scrollHeight - before.height;
    } else if (output.follow && before.atBottom) {
      el.scrollTop = el.scrollHeight;
    }
    last.current = {
      start: output.start,
      height: el.scrollHeight,
      atBottom: before.atBottom
    };
  }, [text, output.start, output.follow]);

  const onScroll = () => {
    const el = ref.current;
    if (el) {
      last.current.atBottom =
        el.scrollHeight - el.scrollTop - el.clientHeight < 8;
    }
  };

  return (
    <>
      {output.status === 'error' && (
        <p className="jp-hpc-output-note jp-hpc-output-error" role="alert">
          Could not read the output: {output.message} Retrying.
        </p>
      )}
      {output.hasEarlier && (
        <div className="jp-hpc-output-gap">
          {formatBytes(output.start)} earlier not shown
        </div>
      )}
      <pre
        ref={ref}
        className="jp-hpc-output-text"
        onScroll={onScroll}
        aria-label={`${output.stream} of job ${output.jobId}`}
      >
        {text || (
          <span className="jp-hpc-details-muted">The file is empty.</span>
        )}
      </pre>
      {output.hiddenAfter > 0 && (
        <div className="jp-hpc-output-gap">
          {formatBytes(output.hiddenAfter)} later not shown
        </div>
      )}
      <div className="jp-hpc-output-status">
        {formatBytes(output.size)}
        {output.ended
          ? ' · the job has ended: its output is complete'
          : output.follow && output.jobLive
            ? ' · following'
            : output.jobLive
              ? ' · paused'
              : ' · the job has ended'}
      </div>
    </>
  );
}
