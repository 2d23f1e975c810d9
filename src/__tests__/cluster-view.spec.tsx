/**
 * The Cluster tab's view in jsdom, on the recorded cluster: the bars' parts
 * and sentences, limits, who may use each partition, the nodes of an opened
 * partition, the banner, and PBS's words.
 */
import * as React from 'react';
import { act } from 'react';
import { Root, createRoot } from 'react-dom/client';

import { ClusterModel } from '../cluster/model';
import { ClusterView } from '../cluster/view';
import { FakeClusterApi, recordedSummary } from './clusterFixtures';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

describe('ClusterView', () => {
  let host: HTMLElement;
  let root: Root;
  let model: ClusterModel;
  let api: FakeClusterApi;

  async function mount(): Promise<void> {
    model = new ClusterModel({ api, autoStart: false });
    await act(async () => {
      root.render(<ClusterView model={model} now={() => 1030 * 1000} />);
    });
    await act(() => model.refresh());
  }

  beforeEach(() => {
    api = new FakeClusterApi();
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model.dispose();
  });

  const row = (name: string) =>
    host.querySelector<HTMLElement>(`tbody[data-partition="${name}"]`)!;

  it('draws each partition: nodes by state, resources, limits, access', async () => {
    await mount();
    const names = [...host.querySelectorAll('.jp-hpc-cluster-partition-name')];
    expect(names.map(n => n.textContent)).toEqual([
      'cpu',
      'gpu',
      'chem',
      'batch',
      'old',
      'secret'
    ]);
    const cpu = row('cpu');
    const nodes = cpu.querySelector('.jp-hpc-cluster-nodes-bar')!;
    expect(nodes.getAttribute('aria-label')).toBe(
      '4 nodes: 1 partly used, 2 drained, 1 down'
    );
    const parts = [
      ...nodes.querySelectorAll<HTMLElement>('.jp-hpc-cluster-seg')
    ];
    expect(
      parts.map(p => [p.className.split('seg-')[1], p.style.width])
    ).toEqual([
      ['mixed', '25%'],
      ['drained', '50%'],
      ['down', '25%']
    ]);
    expect(cpu.textContent).toContain('2 free of 16');
    expect(cpu.textContent).toContain('1.5 GiB free of 7.8 GiB');
    expect(cpu.textContent).toContain('default');
    expect(cpu.textContent).toContain('2 h');
    expect(cpu.textContent).toContain('everyone');
    const gpu = row('gpu');
    expect(gpu.textContent).toContain('0 free of 4'); // GPUs
    expect(gpu.textContent).toContain('only groups root, hpcusers');
    expect(row('cpu').querySelectorAll('td')[3].textContent).toBe('none'); // no GPUs
    expect(
      row('batch').querySelector('.jp-hpc-cluster-state')!.textContent
    ).toBe('draining');
    expect(row('batch').className).toContain('jp-hpc-cluster-closed');
    expect(host.querySelector('.jp-hpc-cluster-totals')!.textContent).toBe(
      '6 nodes · CPUs 2 free of 24 · GPUs 0 free of 4'
    );
    expect(host.querySelector('.jp-hpc-cluster-age')!.textContent).toBe(
      'Updated 30 s ago'
    );
    expect(host.querySelector('th')!.textContent).toBe('Partition');
  });

  it('opens a partition to its nodes, with the reason a node is drained', async () => {
    await mount();
    const toggle = row('cpu').querySelector<HTMLButtonElement>(
      '.jp-hpc-cluster-toggle'
    )!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await act(async () => toggle.click());
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const n2 = row('cpu').querySelector('tr[data-node="n2"]')!;
    expect(n2.textContent).toContain('drained');
    expect(n2.textContent).toContain('fan failure, ticket 4711');
    expect(n2.textContent).toContain('since 20');
    const n4 = row('cpu').querySelector('tr[data-node="n4"]')!;
    expect(n4.textContent).toContain('(draining)');
    expect(n4.textContent).toContain('1 / 4');
    expect(row('cpu').textContent).toContain(
      'max time 2 h · default time 30 min · at most 2 nodes per job'
    );
    await act(async () => toggle.click());
    expect(row('cpu').querySelector('tr[data-node="n2"]')).toBeNull();
  });

  it('shows the GPUs of the GRES', async () => {
    await mount();
    await act(async () =>
      row('gpu')
        .querySelector<HTMLButtonElement>('.jp-hpc-cluster-toggle')!
        .click()
    );
    const g2 = row('gpu').querySelector('tr[data-node="g2"]')!;
    expect(g2.textContent).toContain('reserved');
    expect(g2.textContent).toContain('gpu:a100:2');
    expect(g2.textContent).toContain('0 / 2');
  });

  it('says when the batch system does not answer, keeping the figures', async () => {
    const failing = recordedSummary(8);
    failing.status = {
      ok: false,
      fetched_at: 970,
      error: 'sinfo failed: Unable to contact slurm controller',
      error_since: 1000,
      now: 1030
    };
    api.summary = failing;
    await mount();
    expect(host.querySelector('[role="alert"]')!.textContent).toBe(
      'sinfo failed: Unable to contact slurm controller The figures below are from 1 min ago.'
    );
    expect(row('cpu')).not.toBeNull();
  });

  it('says why there is nothing to show', async () => {
    api.failWith = new Error('No batch system was found on this machine.');
    await mount();
    expect(host.querySelector('.jp-hpc-cluster-empty')!.textContent).toBe(
      'No batch system was found on this machine.'
    );
  });

  it('speaks of queues on PBS, and of what is not reported', async () => {
    const pbs = recordedSummary();
    pbs.kind = 'torque';
    pbs.partitions[0].memory = {
      total: 8000,
      free: null,
      allocated: null,
      unavailable: null
    };
    pbs.partitions[1].routes_to = ['workq'];
    api.summary = pbs;
    await mount();
    expect(host.querySelector('th')!.textContent).toBe('Queue');
    expect(row('cpu').textContent).toContain(
      '7.8 GiB in total (use not reported)'
    );
    expect(row('gpu').textContent).toContain('routes jobs to workq');
  });
});
