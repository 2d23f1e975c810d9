/**
 * Marks on queue rows: the store (each source's marks replaced whole), the
 * model's re-render on a change only, and the batch kernels' "Kernel" marks.
 */
import { Signal } from '@lumino/signaling';

import { RowMarks } from '../jobs/queue/marks';
import { QueueModel } from '../jobs/queue/model';
import type { IBatchKernelStatus } from '../kernels/batch/api';
import { kernelMarks, markKernelJobs } from '../kernels/batch/queueMarks';

function kernel(over: Partial<IBatchKernelStatus>): IBatchKernelStatus {
  return {
    kernel_id: 'k1',
    kind: 'slurm',
    phase: 'running',
    job_id: '101',
    kernel_name: 'batch-debug',
    path: 'work/analysis.ipynb',
    partition: 'debug',
    resources: 'debug, 2 CPUs',
    state: 'RUNNING',
    reason: '',
    expected_start: null,
    node: 'vm',
    message: '',
    unexpected: false,
    submitted: 1,
    updated: 2,
    ...over
  };
}

describe('row marks', () => {
  it('keeps each source apart, and answers the same array until a change', () => {
    const marks = new RowMarks();
    expect(marks.of('1')).toEqual([]);
    expect(marks.set('a', new Map([['1', { label: 'A', title: 'a' }]]))).toBe(
      true
    );
    expect(marks.set('b', new Map([['1', { label: 'B', title: 'b' }]]))).toBe(
      true
    );
    const first = marks.of('1');
    expect(first.map(m => m.label)).toEqual(['A', 'B']);
    expect(marks.of('1')).toBe(first);
    expect(marks.set('a', new Map([['1', { label: 'A', title: 'a' }]]))).toBe(
      false
    );
    expect(marks.set('a', new Map())).toBe(true);
    expect(marks.of('1').map(m => m.source)).toEqual(['b']);
  });

  it('re-renders the queue only when the marks change', () => {
    const model = new QueueModel({ autoStart: false });
    let emitted = 0;
    model.changed.connect(() => emitted++);
    const one = new Map([['7', { label: 'Kernel', title: 't' }]]);
    model.setMarks('batch-kernel', one);
    model.setMarks('batch-kernel', new Map(one));
    expect(emitted).toBe(1);
    expect(model.marksOf('7')[0]).toEqual({
      source: 'batch-kernel',
      label: 'Kernel',
      title: 't'
    });
    model.dispose();
  });
});

describe('the Kernel mark of a batch kernel’s job', () => {
  it('names the notebook, and leaves out kernels that hold no job', () => {
    const marks = kernelMarks([
      kernel({}),
      kernel({ kernel_id: 'k2', job_id: null, phase: 'submitting' }),
      kernel({ kernel_id: 'k3', job_id: '102', phase: 'ended' }),
      kernel({
        kernel_id: 'k4',
        job_id: '101',
        path: 'b.ipynb',
        kernel_name: ''
      })
    ]);
    expect([...marks.keys()]).toEqual(['101']);
    expect(marks.get('101')).toEqual({
      label: 'Kernel',
      title:
        'This job runs the kernel of work/analysis.ipynb (batch-debug), started from this JupyterLab. Shutting the kernel down ends it.; and the kernel of b.ipynb'
    });
  });

  it('reads this server’s kernels only for a kernel’s job, or when a kernel starts', async () => {
    const changed = new Signal<unknown, void>({});
    const kernelsChanged = new Signal<unknown, void>({});
    const set: Map<string, { label: string; title: string }>[] = [];
    const queue = {
      changed,
      jobs: [{ id: '5', name: 'analysis' }],
      setMarks: (
        _: string,
        m: ReadonlyMap<string, { label: string; title: string }>
      ) => set.push(new Map(m))
    };
    let reads = 0;
    let answer = [kernel({ job_id: '9' })];
    const list = async () => {
      reads++;
      return answer;
    };
    markKernelJobs(queue, kernelsChanged, list);
    await Promise.resolve();
    expect(reads).toBe(0); // no kernel's job in the listing
    queue.jobs = [...queue.jobs, { id: '9', name: 'kernel-batch-debug' }];
    changed.emit();
    await new Promise(r => setTimeout(r, 0));
    expect(reads).toBe(1);
    expect([...set[set.length - 1].keys()]).toEqual(['9']);
    changed.emit(); // the same listing: nothing new to read for
    await new Promise(r => setTimeout(r, 0));
    expect(reads).toBe(1);
    // A kernel joined the allocation 5: its name says nothing, the start does.
    answer = [
      kernel({ job_id: '9' }),
      kernel({ kernel_id: 'k2', job_id: '5' })
    ];
    kernelsChanged.emit();
    await new Promise(r => setTimeout(r, 0));
    expect(reads).toBe(2);
    expect([...set[set.length - 1].keys()].sort()).toEqual(['5', '9']);
  });
});
