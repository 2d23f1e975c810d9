/**
 * Kernels in batch jobs in the notebook: the words of a start and an end, and
 * which server answers the watcher turns into them.
 */
import { Signal } from '@lumino/signaling';

import type { IBatchKernelStatus } from '../kernels/batch/api';
import {
  BatchKernelStarts,
  IBatchKernelView,
  IBatchKernelsApi,
  IWatchedSession
} from '../kernels/batch/starts';
import {
  placeWords,
  runningWords,
  startTimeWords,
  startingWords
} from '../kernels/batch/words';
import { sessionContextOf } from '../kernels/batch/plugin';

const NOW = new Date(2026, 11, 4, 13, 30, 0);

function status(fields: Partial<IBatchKernelStatus>): IBatchKernelStatus {
  return {
    kernel_id: 'k1',
    kind: 'slurm',
    phase: 'pending',
    job_id: '123',
    kernel_name: 'batch',
    path: 'work/nb.ipynb',
    partition: 'debug',
    resources: 'debug, 2 CPUs',
    state: 'PENDING',
    reason: '',
    expected_start: null,
    node: '',
    message: '',
    unexpected: false,
    submitted: Date.now() / 1000,
    updated: Date.now() / 1000,
    ...fields
  };
}

describe('the words of a batch kernel', () => {
  it('says where, which job, why it waits and when it should start', () => {
    expect(
      startingWords(
        status({
          reason: 'waiting for jobs of higher priority to start first',
          expected_start: '2026-12-04T14:05:00'
        }),
        NOW
      )
    ).toBe(
      'Starting on debug: job 123 pending (waiting for jobs of higher priority to start first), expected start 14:05…'
    );
    expect(startingWords(status({ phase: 'submitting', job_id: null }))).toBe(
      'Starting on debug: submitting the job…'
    );
    expect(
      startingWords(
        status({ phase: 'starting', node: 'n12', state: 'RUNNING' })
      )
    ).toBe('Starting on debug: job 123 running on n12, starting the kernel…');
    expect(
      startingWords(
        status({ reason: 'held by its owner: release it to let it run' })
      )
    ).toBe(
      'Starting on debug: job 123 held (held by its owner: release it to let it run)…'
    );
  });

  it('speaks of queues on PBS and Torque, and of the default when none is named', () => {
    expect(placeWords(status({ kind: 'pbs', partition: 'workq' }))).toBe(
      'in the queue workq'
    );
    expect(placeWords(status({ kind: 'torque', partition: '' }))).toBe(
      'in the default queue'
    );
    expect(placeWords(status({ partition: '' }))).toBe(
      'on the default partition'
    );
  });

  it('gives the start time as the hour today, with the date on another day', () => {
    expect(startTimeWords('2026-12-04T09:03:00', NOW)).toBe('09:03');
    expect(startTimeWords('2026-12-05T00:10:00', NOW)).toBe('2026-12-05 00:10');
    expect(startTimeWords(null, NOW)).toBeNull();
    expect(startTimeWords('Unknown', NOW)).toBeNull();
  });

  it('says where it runs once it does', () => {
    expect(runningWords(status({ phase: 'running', node: 'vm' }))).toBe(
      'Kernel running on vm in job 123 (debug, 2 CPUs).'
    );
  });
});

class FakeSession implements IWatchedSession {
  path = 'work/nb.ipynb';
  kernelDisplayStatus = 'idle';
  statusChanged = new Signal<this, string>(this);
  disposed = new Signal<this, void>(this);
  session: { kernel: { id: string } | null } | null = null;
  set(status: string, kernelId?: string): void {
    this.kernelDisplayStatus = status;
    if (kernelId) {
      this.session = { kernel: { id: kernelId } };
    }
    this.statusChanged.emit(status);
  }
}

class FakeApi implements IBatchKernelsApi {
  kernels: IBatchKernelStatus[] = [];
  lists = 0;
  cancelled: string[] = [];
  async list(): Promise<IBatchKernelStatus[]> {
    this.lists += 1;
    return this.kernels;
  }
  async get(kernelId: string): Promise<IBatchKernelStatus> {
    const found = this.kernels.find(k => k.kernel_id === kernelId);
    if (!found) {
      throw new Error('404');
    }
    return found;
  }
  async cancel(kernelId: string): Promise<void> {
    this.cancelled.push(kernelId);
  }
}

class Recorder implements IBatchKernelView {
  static events: string[] = [];
  static cancel: (() => void) | null = null;
  starting(s: IBatchKernelStatus, cancel: () => void): void {
    Recorder.cancel = cancel;
    Recorder.events.push(`starting: ${startingWords(s)}`);
  }
  running(s: IBatchKernelStatus): void {
    Recorder.events.push(`running: ${runningWords(s)}`);
  }
  close(): void {
    Recorder.events.push('close');
  }
  ended(s: IBatchKernelStatus): void {
    Recorder.events.push(`ended: ${s.message}`);
  }
  failed(message: string): void {
    Recorder.events.push(`failed: ${message}`);
  }
}

function setup() {
  jest.useFakeTimers();
  Recorder.events = [];
  Recorder.cancel = null;
  const api = new FakeApi();
  const session = new FakeSession();
  const starts = new BatchKernelStarts({
    api,
    view: () => new Recorder(),
    interval: 1000,
    patience: 2
  });
  starts.watch(session);
  return { api, session, starts };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('BatchKernelStarts', () => {
  it('shows the wait, each change of it, Cancel, and the running kernel', async () => {
    const { api, session } = setup();
    session.set('starting');
    api.kernels = [status({ phase: 'submitting', job_id: null })];
    await jest.advanceTimersByTimeAsync(400);
    api.kernels = [
      status({ reason: 'waiting for the start time it asked for (--begin)' })
    ];
    await jest.advanceTimersByTimeAsync(1000);
    await jest.advanceTimersByTimeAsync(1000); // unchanged: not shown again
    Recorder.cancel?.();
    await jest.advanceTimersByTimeAsync(0);
    expect(api.cancelled).toEqual(['k1']);
    api.kernels = [status({ phase: 'running', node: 'vm', state: 'RUNNING' })];
    await jest.advanceTimersByTimeAsync(1000);
    expect(Recorder.events).toEqual([
      'starting: Starting on debug: submitting the job…',
      'starting: Starting on debug: job 123 pending (waiting for the start time it asked for (--begin))…',
      'running: Kernel running on vm in job 123 (debug, 2 CPUs).'
    ]);
    // Done: no more looks.
    const lists = api.lists;
    await jest.advanceTimersByTimeAsync(5000);
    expect(api.lists).toBe(lists);
  });

  it('a start that fails closes what it showed (JupyterLab says why)', async () => {
    const { api, session } = setup();
    session.set('starting');
    api.kernels = [status({})];
    await jest.advanceTimersByTimeAsync(400);
    api.kernels = [status({ phase: 'failed', message: 'You cancelled…' })];
    await jest.advanceTimersByTimeAsync(1000);
    expect(Recorder.events).toEqual([
      'starting: Starting on debug: job 123 pending…',
      'close'
    ]);
  });

  it("a local kernel's start costs a few looks and shows nothing", async () => {
    const { api, session } = setup();
    session.set('starting');
    session.kernelDisplayStatus = 'idle'; // it started at once
    await jest.advanceTimersByTimeAsync(10000);
    expect(api.lists).toBe(2);
    expect(Recorder.events).toEqual([]);
  });

  it('ignores other documents and earlier starts of this one', async () => {
    const { api, session } = setup();
    session.set('starting');
    api.kernels = [
      status({ path: 'other.ipynb' }),
      status({
        kernel_id: 'old',
        phase: 'pending',
        submitted: 1000,
        updated: 1000
      })
    ];
    await jest.advanceTimersByTimeAsync(400);
    expect(Recorder.events).toEqual([]);
  });

  it('a session already starting when it is first seen is followed', async () => {
    jest.useFakeTimers();
    Recorder.events = [];
    const api = new FakeApi();
    const session = new FakeSession();
    session.kernelDisplayStatus = 'initializing';
    api.kernels = [status({})];
    const starts = new BatchKernelStarts({ api, view: () => new Recorder() });
    starts.watch(session);
    starts.watch(session);
    expect(starts.watching).toBe(1);
    await jest.advanceTimersByTimeAsync(600);
    expect(Recorder.events).toEqual([
      'starting: Starting on debug: job 123 pending…'
    ]);
    session.disposed.emit();
    expect(starts.watching).toBe(0);
  });

  it('a kernel its job ended says why; a shutdown does not', async () => {
    const { api, session } = setup();
    session.set('idle', 'k1');
    api.kernels = [
      status({
        phase: 'ended',
        unexpected: true,
        message: 'Job 123 reached its time limit (1 minute) and Slurm ended it.'
      })
    ];
    session.set('dead');
    await jest.advanceTimersByTimeAsync(0);
    expect(Recorder.events).toEqual([
      'ended: Job 123 reached its time limit (1 minute) and Slurm ended it.'
    ]);
    api.kernels = [
      status({
        phase: 'ended',
        unexpected: false,
        message: 'The kernel was shut down.'
      })
    ];
    session.set('dead');
    await jest.advanceTimersByTimeAsync(0);
    expect(Recorder.events).toHaveLength(1);
  });

  it('finds the session context of a document widget', () => {
    const context = {
      statusChanged: new Signal(null),
      kernelDisplayStatus: 'idle'
    };
    expect(sessionContextOf({ sessionContext: context } as never)).toBe(
      context
    );
    expect(sessionContextOf({} as never)).toBeNull();
    expect(sessionContextOf({ sessionContext: 3 } as never)).toBeNull();
  });
});
