/**
 * The bars of the cluster view: a whole cut into coloured parts (CSS widths,
 * JupyterLab's theme colours; no canvas). Each part has a tooltip; the whole
 * bar has the sentence a screen reader reads.
 */
import * as React from 'react';

import type { Amount, NodeCategory, PartitionSummary } from './api';
import {
  AmountPart,
  CATEGORY_HELP,
  CATEGORY_LABELS,
  ISegment,
  amountSegments,
  amountText,
  nodeSegments,
  nodeStatesText
} from './format';

interface IStackedBarProps<K extends string> {
  parts: ISegment<K>[];
  label: string;
  title: (part: ISegment<K>) => string;
  className?: string;
}

export function StackedBar<K extends string>(
  props: IStackedBarProps<K>
): JSX.Element {
  return (
    <div
      className={`jp-hpc-cluster-bar ${props.className ?? ''}`}
      role="img"
      aria-label={props.label}
      title={props.label}
    >
      {props.parts.map(part => (
        <span
          key={part.key}
          className={`jp-hpc-cluster-seg jp-hpc-cluster-seg-${part.key}`}
          style={{ width: `${part.percent}%` }}
          title={props.title(part)}
        />
      ))}
    </div>
  );
}

/** A partition's nodes by state. */
export function NodeStateBar({ p }: { p: PartitionSummary }): JSX.Element {
  return (
    <StackedBar<NodeCategory>
      parts={nodeSegments(p)}
      label={nodeStatesText(p)}
      className="jp-hpc-cluster-nodes-bar"
      title={s =>
        `${s.count} ${s.count === 1 ? 'node' : 'nodes'} ${CATEGORY_LABELS[s.key]}: ${CATEGORY_HELP[s.key]}`
      }
    />
  );
}

const AMOUNT_WORDS: Record<AmountPart, string> = {
  allocated: 'in use',
  free: 'free',
  unavailable:
    'unavailable (drained, down, reserved, or the partition takes no jobs)'
};

/** One resource: in use, free, unavailable, with `6 free of 8` beside it. */
export function AmountBar(props: {
  amount: Amount | null;
  name: string;
  format?: (n: number) => string;
}): JSX.Element {
  const { amount, name } = props;
  const format = props.format ?? ((n: number) => String(n));
  if (amount === null) {
    return <span className="jp-hpc-cluster-none">not reported</span>;
  }
  if (amount.total === 0) {
    return <span className="jp-hpc-cluster-none">none</span>;
  }
  const parts = amountSegments(amount);
  const text = amountText(amount, format);
  return (
    <div className="jp-hpc-cluster-amount">
      {parts === null ? (
        <div
          className="jp-hpc-cluster-bar jp-hpc-cluster-bar-unknown"
          role="img"
          aria-label={`${name}: ${text}`}
          title={`${name}: ${text}`}
        />
      ) : (
        <StackedBar<AmountPart>
          parts={parts}
          label={`${name}: ${text}`}
          title={s => `${format(s.count)} ${AMOUNT_WORDS[s.key]}`}
        />
      )}
      <span className="jp-hpc-cluster-amount-text">{text}</span>
    </div>
  );
}
