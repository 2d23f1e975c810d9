/**
 * The history's "used against asked" under the table: a row selected shows
 * its use, the next request, and *Resubmit with these* with that request.
 */
import * as React from 'react';
import { act } from 'react';
import { Root, createRoot } from 'react-dom/client';

import type { HistoryRecord, HistoryResult, JobUsage } from '../jobs/api';
import { HistoryModel } from '../jobs/history/model';
import { HistoryView } from '../jobs/history/view';
import type { ISuggestion } from '../jobs/rightsize/rightsize';
import { makeRecord } from './fixtures';

const GIB = 1024 ** 3;

const usage: JobUsage = {
  ended: true,
  elapsed: 12,
  time_limit: 60,
  cpus: 1,
  nodes: 1,
  total_cpu: 0.108,
  memory_requested: GIB,
  memory_per: 'job',
  max_rss: 214600 * 1024,
  rss_tasks_per_node: 1
};

function record(id: string, extra: Partial<HistoryRecord>): HistoryRecord {
  return {
    ...makeRecord({ id, name: `job ${id}`, state: 'completed' }),
    raw_state: 'COMPLETED',
    elapsed: 12,
    total_cpu: 0,
    cpu_efficiency: 0.01,
    max_rss: '214600K',
    usage,
    ...extra
  };
}

describe('history: used against asked', () => {
  let host: HTMLElement;
  let root: Root;
  let model: HistoryModel;
  const asked: [string, ISuggestion][] = [];

  beforeEach(async () => {
    const result: HistoryResult = {
      available: true,
      message: '',
      jobs: [
        record('11', {}),
        record('12', { state: 'failed', raw_state: 'FAILED' }),
        record('13', { usage: null })
      ]
    };
    model = new HistoryModel({ api: { fetchHistory: async () => result } });
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    await act(async () => {
      root.render(
        <HistoryView
          model={model}
          openJob={() => undefined}
          resubmitWith={(r, s) => () => asked.push([r.id, s])}
        />
      );
    });
    await act(() => model.refresh());
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model.dispose();
  });

  const row = (id: string) =>
    host.querySelector<HTMLElement>(
      `.jp-hpc-history-row[data-job-id="${id}"]`
    )!;
  const panel = () =>
    host.querySelector<HTMLElement>('.jp-hpc-history-selected')!;

  it('memory and time columns show used against asked', () => {
    const meters = row('11').querySelectorAll(
      '.jp-hpc-history-use [role=meter]'
    );
    expect(
      Array.from(meters).map(m => m.getAttribute('aria-valuenow'))
    ).toEqual(['20', '20']);
    expect(meters[0].getAttribute('title')).toBe(
      'Peak 210 MiB of 1 GiB per node'
    );
    expect(
      row('13').querySelectorAll('.jp-hpc-history-use [role=meter]')
    ).toHaveLength(0);
  });

  it('a selected job: its use, the next request, and Resubmit with these', () => {
    expect(panel().textContent).toContain('Select a job');
    act(() => row('11').click());
    expect(row('11').getAttribute('aria-selected')).toBe('true');
    const text = panel().textContent ?? '';
    expect(text).toContain('peak 210 MiB of 1 GiB per node');
    expect(text).toContain('Next run: memory 256M per node, time 10 min');
    const button = panel().querySelector<HTMLButtonElement>(
      '.jp-hpc-rightsize-resubmit'
    )!;
    act(() => button.click());
    expect(asked).toEqual([
      ['11', expect.objectContaining({ memory: '256M', timeMinutes: 10 })]
    ]);
  });

  it('a failed job: its use, no request', () => {
    act(() => row('12').click());
    expect(panel().textContent).toContain('No request is suggested');
    expect(panel().querySelector('.jp-hpc-rightsize-resubmit')).toBeNull();
  });

  it('a job without figures says so', () => {
    act(() => row('13').click());
    expect(panel().textContent).toContain('keeps no usage figures');
  });
});
