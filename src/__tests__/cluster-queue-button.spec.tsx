/**
 * The queue panel's *Cluster* button opens the Cluster tab (only when the
 * cluster plugin gave it something to open).
 */
import * as React from 'react';
import { act } from 'react';
import { Root, createRoot } from 'react-dom/client';

import { Capabilities, decodeJobsResponse } from '../jobs/api';
import { QueueModel } from '../jobs/queue/model';
import { QueueView } from '../jobs/queue/view';
import { jobsResponse } from './fixtures';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const CAPS: Capabilities = {
  scheduler: {
    kind: 'slurm',
    version: '22.05.8',
    available: true,
    message: '',
    cluster: 'local'
  },
  user: 'alice',
  poll_interval_floor: 0
};

describe('the queue panel’s Cluster button', () => {
  let host: HTMLElement;
  let root: Root;
  let model: QueueModel;

  beforeEach(() => {
    model = new QueueModel({
      api: {
        fetchCapabilities: async () => CAPS,
        fetchJobs: async () => decodeJobsResponse(jobsResponse(1, [])),
        jobAction: async () => []
      },
      autoStart: false
    });
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model.dispose();
  });

  it('opens the Cluster tab', async () => {
    const open = jest.fn();
    await act(async () => {
      root.render(<QueueView model={model} onOpenCluster={open} />);
    });
    const button = host.querySelector<HTMLButtonElement>(
      '.jp-hpc-queue-cluster'
    )!;
    expect(button.getAttribute('aria-label')).toBe('Cluster');
    await act(async () => button.click());
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('is not there without a Cluster tab to open', async () => {
    await act(async () => {
      root.render(<QueueView model={model} />);
    });
    expect(host.querySelector('.jp-hpc-queue-cluster')).toBeNull();
  });
});
