/**
 * The Cluster tab: each partition (PBS: queue) with its nodes by state, CPUs,
 * memory and GPUs free against total, its limits and who may use it; a
 * partition opens to its nodes.
 */
import {
  caretDownIcon,
  caretRightIcon,
  refreshIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { shareRows } from './share';
import { useModel } from '../common/useModel';
import type { NodeInfo, PartitionSummary } from './api';
import { NODE_CATEGORIES } from './api';
import { AmountBar, NodeStateBar } from './bars';
import {
  CATEGORY_HELP,
  CATEGORY_LABELS,
  accessText,
  ageText,
  amountText,
  formatLimit,
  formatMemory,
  limitsText,
  partitionStateText,
  partitionStateWord,
  shortTime,
  whereWord
} from './format';
import { ClusterModel } from './model';

export interface IClusterViewProps {
  model: ClusterModel;
  /** The clock, for tests. */
  now?: () => number;
}

export function ClusterView(props: IClusterViewProps): JSX.Element {
  const { model } = props;
  useModel(model);
  return (
    <div className="jp-hpc-cluster">
      <Toolbar {...props} />
      <Banner {...props} />
      <Content model={model} />
      <MyShare model={model} />
    </div>
  );
}

/** The user's fair-share and allocation per account, where the site has them. */
function MyShare({ model }: { model: ClusterModel }): JSX.Element | null {
  const share = model.share;
  if (!share?.available || share.accounts.length === 0) {
    return null;
  }
  return (
    <section className="jp-hpc-cluster-share" aria-label="My share">
      <h3 className="jp-hpc-cluster-share-title">My share ({share.user})</h3>
      <table className="jp-hpc-cluster-share-table">
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th
              scope="col"
              title="Slurm's fair-share factor (sshare): 1 is far under its share, 0 far over"
            >
              Fair-share
            </th>
            <th scope="col">Usage</th>
            <th scope="col">Allocation</th>
          </tr>
        </thead>
        <tbody>
          {shareRows(share.accounts).map(r => (
            <tr key={r.account} data-account={r.account}>
              <th scope="row">{r.account}</th>
              <td>{r.fairShare}</td>
              <td>{r.usage}</td>
              <td>
                {r.allocation.length
                  ? r.allocation.map(line => <div key={line}>{line}</div>)
                  : 'no limit set'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Toolbar({ model, now }: IClusterViewProps): JSX.Element {
  const summary = model.summary;
  const total = summary?.total;
  const fetched = model.status?.fetched_at ?? null;
  const seconds = (now ?? Date.now)() / 1000;
  return (
    <div className="jp-hpc-cluster-toolbar">
      <span className="jp-hpc-cluster-totals" aria-live="polite">
        {total
          ? [
              `${total.nodes} ${total.nodes === 1 ? 'node' : 'nodes'}`,
              `CPUs ${amountText(total.cpus)}`,
              total.gpus.total > 0 ? `GPUs ${amountText(total.gpus)}` : ''
            ]
              .filter(Boolean)
              .join(' · ')
          : model.loading
            ? 'Asking the batch system…'
            : ''}
      </span>
      <span className="jp-hpc-cluster-spacer" />
      {fetched !== null && (
        <span
          className="jp-hpc-cluster-age"
          title={`The server asks the batch system at most every ${model.interval} s, for every open view together`}
        >
          Updated {ageText(seconds - fetched)}
        </span>
      )}
      <button
        type="button"
        className="jp-hpc-cluster-button jp-hpc-cluster-refresh"
        title="Refresh (the server answers from its shared copy, at most one look per interval)"
        aria-label="Refresh"
        onClick={() => void model.refresh()}
      >
        <refreshIcon.react tag="span" className="jp-hpc-cluster-icon" />
      </button>
    </div>
  );
}

function Banner({ model, now }: IClusterViewProps): JSX.Element | null {
  const status = model.status;
  if (model.error && model.summary === null) {
    return null; // Content says it instead of the table
  }
  const message = model.error ?? (status && !status.ok ? status.error : null);
  if (!message) {
    return null;
  }
  const fetched = status?.fetched_at ?? null;
  const seconds = (now ?? Date.now)() / 1000;
  return (
    <div className="jp-hpc-cluster-banner" role="alert">
      {message}
      {fetched !== null &&
        ` The figures below are from ${ageText(seconds - fetched)}.`}
    </div>
  );
}

function Content({ model }: { model: ClusterModel }): JSX.Element {
  const summary = model.summary;
  if (summary === null) {
    return (
      <div className="jp-hpc-cluster-empty">
        {model.error
          ? model.error
          : 'Asking the batch system for its partitions and nodes…'}
      </div>
    );
  }
  const where = whereWord(model.kind);
  if (summary.partitions.length === 0) {
    return (
      <div className="jp-hpc-cluster-empty">
        The batch system shows no {where.toLowerCase()} you may use.
      </div>
    );
  }
  return (
    <div className="jp-hpc-cluster-body">
      <Legend />
      <table className="jp-hpc-cluster-table">
        <thead>
          <tr>
            <th scope="col">{where}</th>
            <th scope="col">Nodes</th>
            <th scope="col">CPUs</th>
            <th scope="col">Memory</th>
            <th scope="col">GPUs</th>
            <th scope="col">Max time</th>
            <th scope="col">Who may use it</th>
          </tr>
        </thead>
        {summary.partitions.map(p => (
          <PartitionRows key={p.name} p={p} model={model} />
        ))}
      </table>
    </div>
  );
}

function Legend(): JSX.Element {
  return (
    <div className="jp-hpc-cluster-legend" aria-label="What the colours mean">
      <span className="jp-hpc-cluster-legend-title">Nodes:</span>
      {NODE_CATEGORIES.map(c => (
        <span
          key={c}
          className="jp-hpc-cluster-legend-item"
          title={CATEGORY_HELP[c]}
        >
          <span className={`jp-hpc-cluster-swatch jp-hpc-cluster-seg-${c}`} />
          {CATEGORY_LABELS[c]}
        </span>
      ))}
      <span className="jp-hpc-cluster-legend-title">Resources:</span>
      {(['allocated', 'free', 'unavailable'] as const).map(k => (
        <span key={k} className="jp-hpc-cluster-legend-item">
          <span className={`jp-hpc-cluster-swatch jp-hpc-cluster-seg-${k}`} />
          {k === 'allocated' ? 'in use' : k}
        </span>
      ))}
    </div>
  );
}

function PartitionRows({
  p,
  model
}: {
  p: PartitionSummary;
  model: ClusterModel;
}): JSX.Element {
  const open = model.isExpanded(p.name);
  const where = whereWord(model.kind).toLowerCase();
  const Caret = open ? caretDownIcon : caretRightIcon;
  return (
    <tbody
      className={`jp-hpc-cluster-partition${p.state !== 'up' ? ' jp-hpc-cluster-closed' : ''}`}
      data-partition={p.name}
    >
      <tr>
        <th scope="row" className="jp-hpc-cluster-name">
          <button
            type="button"
            className="jp-hpc-cluster-toggle"
            aria-expanded={open}
            title={
              open
                ? `Hide the nodes of ${p.name}`
                : `Show the nodes of ${p.name}`
            }
            onClick={() => void model.toggle(p.name)}
          >
            <Caret.react tag="span" className="jp-hpc-cluster-caret" />
            <span className="jp-hpc-cluster-partition-name">{p.name}</span>
          </button>
          {p.default && (
            <span
              className="jp-hpc-cluster-default"
              title={`The default ${where}: jobs that name none go here`}
            >
              default
            </span>
          )}
          <span
            className={`jp-hpc-cluster-state jp-hpc-cluster-state-${p.state}`}
            title={partitionStateText(p.state, model.kind)}
          >
            {partitionStateWord(p.state)}
          </span>
        </th>
        <td>
          {p.routes_to.length > 0 ? (
            <span className="jp-hpc-cluster-none">
              routes jobs to {p.routes_to.join(', ')}
            </span>
          ) : (
            <div className="jp-hpc-cluster-amount">
              <NodeStateBar p={p} />
              <span className="jp-hpc-cluster-amount-text">
                {p.nodes} {p.nodes === 1 ? 'node' : 'nodes'}
              </span>
            </div>
          )}
        </td>
        <td>
          <AmountBar amount={p.cpus} name="CPUs" />
        </td>
        <td>
          <AmountBar amount={p.memory} name="Memory" format={formatMemory} />
        </td>
        <td>
          <AmountBar amount={p.gpus} name="GPUs" />
        </td>
        <td title={limitsText(p.limits).join('; ')}>
          {formatLimit(p.limits.max_time)}
        </td>
        <td className="jp-hpc-cluster-access">{accessText(p.access)}</td>
      </tr>
      {open && (
        <tr className="jp-hpc-cluster-details">
          <td colSpan={7}>
            <div className="jp-hpc-cluster-limits">
              {limitsText(p.limits).join(' · ')}
              {p.state !== 'up' &&
                ` · ${partitionStateText(p.state, model.kind)}`}
            </div>
            <NodeTable name={p.name} model={model} />
          </td>
        </tr>
      )}
    </tbody>
  );
}

function NodeTable({
  name,
  model
}: {
  name: string;
  model: ClusterModel;
}): JSX.Element {
  const nodes = model.nodes(name);
  const error = model.nodesError(name);
  if (nodes === null) {
    return (
      <div className="jp-hpc-cluster-nodes-empty">
        {error ?? 'Loading the nodes…'}
      </div>
    );
  }
  if (nodes.length === 0) {
    return <div className="jp-hpc-cluster-nodes-empty">No nodes.</div>;
  }
  return (
    <table className="jp-hpc-cluster-nodes" aria-label={`Nodes of ${name}`}>
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">State</th>
          <th scope="col">Reason</th>
          <th scope="col">CPUs in use</th>
          <th scope="col">Memory in use</th>
          <th scope="col">GPUs in use</th>
          <th scope="col">GRES</th>
          <th scope="col">Features</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map(n => (
          <NodeRow key={n.name} n={n} />
        ))}
      </tbody>
    </table>
  );
}

function used(
  used: number | null,
  total: number | null,
  format: (n: number) => string = String
): string {
  if (total === null) {
    return '';
  }
  return used === null
    ? `? / ${format(total)}`
    : `${format(used)} / ${format(total)}`;
}

function NodeRow({ n }: { n: NodeInfo }): JSX.Element {
  return (
    <tr data-node={n.name}>
      <th scope="row">{n.name}</th>
      <td>
        <span
          className={`jp-hpc-cluster-swatch jp-hpc-cluster-seg-${n.state}`}
        />
        <span title={CATEGORY_HELP[n.state]}>{CATEGORY_LABELS[n.state]}</span>
        {n.raw_state && n.raw_state !== n.state && (
          <span className="jp-hpc-cluster-raw"> ({n.raw_state})</span>
        )}
      </td>
      <td className="jp-hpc-cluster-reason">
        {n.reason}
        {n.reason && n.reason_since && (
          <span className="jp-hpc-cluster-since">
            {' '}
            since {shortTime(n.reason_since)}
          </span>
        )}
      </td>
      <td>{used(n.cpus_allocated, n.cpus_total)}</td>
      <td>{used(n.memory_allocated, n.memory_total, formatMemory)}</td>
      <td>{n.gpus_total ? used(n.gpus_used, n.gpus_total) : ''}</td>
      <td title={n.gres_used ? `in use: ${n.gres_used}` : undefined}>
        {n.gres}
      </td>
      <td>{n.features.join(', ')}</td>
    </tr>
  );
}
