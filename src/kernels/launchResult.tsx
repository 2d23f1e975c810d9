/**
 * What a test launch found: the interpreter, the loaded modules, the
 * variables of interest and every variable that differs from the server's
 * environment (what kernel.json's env, a wrapper script or the modules set).
 */
import * as React from 'react';

import type { ILaunchDifference, ILaunchResult } from './api';
import { isPathLike, splitPathList } from './spec';

/** A path-list entry as the kernel has it, compared with the server's list. */
export interface IPathEntryChange {
  entry: string;
  mark: 'added' | 'same' | 'removed';
}

/**
 * The kernel's entries in order, each marked "added" when the server's list
 * does not have it, then the server's entries the kernel lacks ("removed").
 */
export function pathEntryChanges(
  server: string | null,
  kernel: string | null
): IPathEntryChange[] {
  const before = splitPathList(server ?? '');
  const after = splitPathList(kernel ?? '');
  const had = new Set(before);
  const has = new Set(after);
  return [
    ...after.map(entry => ({
      entry,
      mark: had.has(entry) ? ('same' as const) : ('added' as const)
    })),
    ...before
      .filter(entry => !has.has(entry))
      .map(entry => ({ entry, mark: 'removed' as const }))
  ];
}

/** The differences the kernel's own setup made, and those Jupyter made. */
export function splitDifferences(differences: readonly ILaunchDifference[]): {
  own: ILaunchDifference[];
  byJupyter: ILaunchDifference[];
} {
  return {
    own: differences.filter(d => d.set_by === null),
    byJupyter: differences.filter(d => d.set_by !== null)
  };
}

/** The modules line, or null when neither side has any. */
export function modulesSentence(
  modules: { kernel: string[]; server: string[] } | null | undefined
): string | null {
  if (!modules || (!modules.kernel.length && !modules.server.length)) {
    return null;
  }
  const kernel = modules.kernel.length
    ? `Modules in the kernel: ${modules.kernel.join(', ')}`
    : 'No modules in the kernel';
  const server = modules.server.length
    ? `the server session has ${modules.server.join(', ')}`
    : 'the server session has none';
  return `${kernel} (${server}).`;
}

const CHANGE_WORDS: Record<ILaunchDifference['change'], string> = {
  added: 'added',
  changed: 'changed',
  removed: 'removed'
};

function DifferenceValue({ d }: { d: ILaunchDifference }): JSX.Element {
  if (d.change === 'removed') {
    return (
      <>
        <em>not set</em> (the server has <code>{d.server}</code>)
      </>
    );
  }
  if (isPathLike(d.name)) {
    return (
      <>
        {pathEntryChanges(d.server, d.kernel).map((c, i) => (
          <div key={i} className={`jp-hpc-kernels-entry jp-mod-${c.mark}`}>
            <span className="jp-hpc-kernels-entry-mark">
              {c.mark === 'added' ? '+' : c.mark === 'removed' ? '−' : ''}
            </span>
            <code>{c.entry}</code>
          </div>
        ))}
      </>
    );
  }
  return (
    <>
      <code>{d.kernel}</code>
      {d.change === 'changed' && (
        <div className="jp-hpc-kernels-was">
          the server has <code>{d.server}</code>
        </div>
      )}
    </>
  );
}

function DifferenceTable({
  items
}: {
  items: readonly ILaunchDifference[];
}): JSX.Element {
  return (
    <table className="jp-hpc-kernels-launch-diff">
      <tbody>
        {items.map(d => (
          <tr key={d.name} data-difference={d.name} data-change={d.change}>
            <th>{d.name}</th>
            <td className={`jp-hpc-kernels-change jp-mod-${d.change}`}>
              {CHANGE_WORDS[d.change]}
            </td>
            <td>
              <DifferenceValue d={d} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function LaunchResult({
  result,
  launching
}: {
  result: ILaunchResult | null;
  launching: boolean;
}): JSX.Element {
  if (launching || !result) {
    return (
      <div className="jp-hpc-kernels-launch-result jp-mod-running">
        Starting the kernel and asking it for its environment…
      </div>
    );
  }
  const modules = modulesSentence(result.modules);
  const { own, byJupyter } = splitDifferences(result.differences ?? []);
  return (
    <div
      className={
        'jp-hpc-kernels-launch-result ' +
        (result.ok ? 'jp-mod-ok' : 'jp-mod-failed')
      }
    >
      <div className="jp-hpc-kernels-launch-status">
        <strong>
          {result.ok ? 'Test launch passed' : 'Test launch failed'}
        </strong>{' '}
        ({result.seconds.toFixed(1)} s): {result.message}
      </div>
      {result.executable && (
        <div>
          Interpreter: <code>{result.executable}</code>
        </div>
      )}
      {modules && (
        <div className="jp-hpc-kernels-launch-modules">{modules}</div>
      )}
      {result.variables && (
        <table className="jp-hpc-kernels-launch-vars">
          <tbody>
            {Object.entries(result.variables).map(([name, value]) => (
              <tr key={name} data-variable={name}>
                <th>{name}</th>
                <td>
                  {value === null ? (
                    <em>not set</em>
                  ) : isPathLike(name) ? (
                    splitPathList(value).map((entry, i) => (
                      <div key={i}>
                        <code>{entry}</code>
                      </div>
                    ))
                  ) : (
                    <code>{value}</code>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.differences && (
        <div className="jp-hpc-kernels-launch-differences">
          <div>
            {own.length
              ? `What differs from the server's environment (${own.length}):`
              : "Nothing else differs from the server's environment."}
          </div>
          {own.length > 0 && <DifferenceTable items={own} />}
          {byJupyter.length > 0 && (
            <details>
              <summary>
                Set by Jupyter and the kernel itself ({byJupyter.length})
              </summary>
              <DifferenceTable items={byJupyter} />
            </details>
          )}
        </div>
      )}
      {result.output && <pre>{result.output}</pre>}
      {result.stderr && (
        <details open={!result.ok}>
          <summary>What the kernel wrote on stderr</summary>
          <pre>{result.stderr}</pre>
        </details>
      )}
    </div>
  );
}
