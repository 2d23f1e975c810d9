/**
 * "When would it start?" in the kernel editor's *Where it runs*: one
 * `sbatch --test-only` of the kernel's job when asked (a button, not on every
 * key: each check is a scheduling pass of slurmctld's), forgotten as soon as
 * a setting changes.
 */
import * as React from 'react';

import { IStartEstimate, estimateStart } from './api';

type Estimate =
  | { phase: 'idle' }
  | { phase: 'asking' }
  | { phase: 'ok'; result: IStartEstimate }
  | { phase: 'refused'; message: string };

/** The estimate's sentence (pure). */
export function estimateWords(result: IStartEstimate, locale?: string): string {
  const date = result.estimated_start ? new Date(result.estimated_start) : null;
  const when =
    date && !Number.isNaN(date.getTime())
      ? ` around ${date.toLocaleString(locale)}`
      : '';
  const where = result.nodes ? ` on ${result.nodes}` : '';
  return `Slurm would start this kernel's job${when}${where}.`;
}

export function StartEstimate({
  options
}: {
  /** The job's options; null when there is nothing to ask about. */
  options: Record<string, unknown> | null;
}): JSX.Element | null {
  const key = options === null ? '' : JSON.stringify(options);
  const [estimate, setEstimate] = React.useState<Estimate>({ phase: 'idle' });
  const asked = React.useRef('');
  React.useEffect(() => {
    asked.current = key;
    setEstimate({ phase: 'idle' });
  }, [key]);
  if (options === null) {
    return null;
  }
  const ask = () => {
    const forKey = key;
    setEstimate({ phase: 'asking' });
    estimateStart(options).then(
      result => {
        if (asked.current === forKey) {
          setEstimate({ phase: 'ok', result });
        }
      },
      error => {
        if (asked.current === forKey) {
          setEstimate({
            phase: 'refused',
            message: error instanceof Error ? error.message : String(error)
          });
        }
      }
    );
  };
  return (
    <div
      className="jp-hpc-kernels-placement-estimate"
      data-phase={estimate.phase}
    >
      <button
        type="button"
        className="jp-mod-styled jp-mod-reject"
        disabled={estimate.phase === 'asking'}
        title="Ask Slurm when a job with these settings would start (sbatch --test-only); nothing is submitted"
        onClick={ask}
      >
        {estimate.phase === 'asking' ? 'Asking Slurm…' : 'When would it start?'}
      </button>
      {estimate.phase === 'ok' && (
        <span role="status">{estimateWords(estimate.result)}</span>
      )}
      {estimate.phase === 'refused' && (
        <span role="status" className="jp-mod-problem">
          Slurm would not take this kernel's job: {estimate.message}
        </span>
      )}
    </div>
  );
}
