/**
 * Right-size: efficiency, the next run's request, and "Resubmit with these"
 * written into the script's directives.
 */
import type {
  Capabilities,
  JobUsage,
  SubmitOptions,
  SubmitResult
} from '../jobs/api';
import {
  DEFAULT_RIGHTSIZE,
  IRightsizeJob,
  changesRequest,
  efficiency,
  rightsizeSettings,
  roundMemory,
  roundMinutes,
  suggest
} from '../jobs/rightsize/rightsize';
import { rightsizedArgs, rightsizedOptions } from '../jobs/rightsize/resubmit';
import { ISubmitApi, SubmitModel } from '../jobs/submit/model';
import { makeRecord } from './fixtures';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** The job scripts/record-sacct-fixtures ran: 200 MiB held, 1G asked (sacct: 214600K). */
const recorded: JobUsage = {
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

function job(
  usage: Partial<JobUsage> | null,
  state: IRightsizeJob['state'] = 'completed',
  raw_state = 'COMPLETED'
): IRightsizeJob {
  return { state, raw_state, usage: usage ? { ...recorded, ...usage } : null };
}

describe('efficiency', () => {
  it('CPU, memory and time used against asked (the recorded 200 MiB job)', () => {
    const eff = efficiency(recorded, 'slurm')!;
    expect(eff.memory!.used).toBe(214600 * 1024);
    expect(eff.memory!.asked).toBe(GIB);
    expect(eff.memory!.ratio).toBeCloseTo(0.2047, 3);
    expect(eff.time!.ratio).toBeCloseTo(0.2);
    expect(eff.cpu!.ratio).toBeCloseTo(0.009, 3);
  });

  it('memory asked per CPU (Slurm before 21.08, `2000Mc`) counts every CPU of a node', () => {
    const eff = efficiency(
      { ...recorded, memory_requested: 2000 * MIB, memory_per: 'cpu', cpus: 4 },
      'slurm'
    )!;
    expect(eff.memory!.asked).toBe(8000 * MIB);
  });

  it('a multi-node job: per node, one task’s peak times the tasks per node', () => {
    const usage: JobUsage = {
      ...recorded,
      nodes: 2,
      cpus: 4,
      memory_requested: 8 * GIB, // the whole job's: 4G per node
      memory_per: 'job',
      max_rss: 3 * GIB,
      rss_tasks_per_node: 2
    };
    const eff = efficiency(usage, 'slurm')!;
    expect(eff.memory!.asked).toBe(4 * GIB);
    expect(eff.memory!.used).toBe(6 * GIB);
    expect(eff.memory!.ratio).toBeCloseTo(1.5);
  });

  it('PBS: resources_used.mem is the whole job’s, shared over its nodes', () => {
    const usage: JobUsage = {
      ...recorded,
      nodes: 2,
      max_rss: 2 * GIB,
      memory_requested: 4 * GIB
    };
    expect(efficiency(usage, 'pbs')!.memory!.used).toBe(GIB);
    expect(efficiency(usage, 'pbs')!.memory!.ratio).toBeCloseTo(0.5);
  });

  it('no time used for a job that never ran (cancelled while pending)', () => {
    expect(efficiency({ ...recorded, elapsed: 0 }, 'slurm')!.time).toBeNull();
  });

  it('nothing for a job still running, or without figures', () => {
    expect(efficiency({ ...recorded, ended: false }, 'slurm')).toBeNull();
    expect(efficiency(null, 'slurm')).toBeNull();
    const none = efficiency(
      { ...recorded, max_rss: null, time_limit: null },
      'slurm'
    )!;
    expect(none.memory).toBeNull();
    expect(none.time).toBeNull();
  });
});

describe('rounding', () => {
  it('memory to a unit a person writes', () => {
    expect(roundMemory(251 * MIB)).toBe('256M');
    expect(roundMemory(1)).toBe('128M');
    expect(roundMemory(1.3 * GIB)).toBe('1536M');
    expect(roundMemory(7.2 * GIB)).toBe('7680M');
    expect(roundMemory(2 * GIB)).toBe('2G');
    expect(roundMemory(20.1 * GIB)).toBe('21G');
  });

  it('minutes up: 5 below an hour, 15 below a day, then hours', () => {
    expect(roundMinutes(0.2)).toBe(5);
    expect(roundMinutes(41)).toBe(45);
    expect(roundMinutes(61)).toBe(75);
    expect(roundMinutes(25 * 60 + 1)).toBe(26 * 60);
  });
});

describe('suggest', () => {
  it('the recorded job: memory peak + 20% rounded, time at its floor, CPUs kept', () => {
    const s = suggest(job({}), 'slurm')!;
    // 209.6 MiB x 1.2 = 251.5 MiB -> 256M; 12 s x 1.2 -> the 10-minute floor.
    expect(s.memory).toBe('256M');
    expect(s.timeMinutes).toBe(10);
    expect(s.cpus).toBeNull();
    expect(s.notes.join(' ')).toContain('plus 20%');
  });

  it('margins and floors come from the settings', () => {
    const settings = rightsizeSettings({
      memoryMargin: 100,
      timeMargin: 0,
      minMemoryMiB: 1024,
      minTimeMinutes: 1,
      cpuThreshold: 'x'
    });
    expect(settings.cpuThreshold).toBe(DEFAULT_RIGHTSIZE.cpuThreshold);
    const s = suggest(
      job({ elapsed: 30 * 60, time_limit: 3600, memory_requested: 4 * GIB }),
      'slurm',
      settings
    )!;
    expect(s.memory).toBe('1G'); // 419 MiB under the 1 GiB floor
    expect(s.timeMinutes).toBe(30);
    const bigger = suggest(job({ max_rss: 600 * MIB }), 'slurm', settings)!;
    expect(bigger.memory).toBe('1536M'); // 600 MiB x 2 = 1200 MiB
  });

  it('no peak memory recorded: memory kept, and said', () => {
    const s = suggest(job({ max_rss: null }), 'slurm')!;
    expect(s.memory).toBeNull();
    expect(s.notes.join(' ')).toContain('no peak memory');
  });

  it('out of memory: twice what it had, not the (cut short) peak', () => {
    const s = suggest(
      job({ max_rss: 900 * MIB }, 'failed', 'OUT_OF_MEMORY'),
      'slurm'
    )!;
    expect(s.memory).toBe('2G');
    expect(s.cpus).toBeNull();
    expect(s.notes[0]).toContain('ran out of memory');
  });

  it('timed out: twice the time limit, rounded', () => {
    const s = suggest(
      job({ elapsed: 3605, time_limit: 3600 }, 'timeout', 'TIMEOUT'),
      'slurm'
    )!;
    expect(s.timeMinutes).toBe(120);
    expect(s.notes.join(' ')).toContain('time limit of 1:00:00');
  });

  it('failed or cancelled: nothing, their use says little about a full run', () => {
    expect(suggest(job({}, 'failed', 'FAILED'), 'slurm')).toBeNull();
    expect(suggest(job({}, 'cancelled', 'CANCELLED by 0'), 'slurm')).toBeNull();
  });

  it('low CPU efficiency: the CPUs really used, per node, never below 1', () => {
    const s = suggest(
      job({ cpus: 8, elapsed: 1000, total_cpu: 1500, time_limit: 1200 }),
      'slurm'
    )!;
    expect(s.cpus).toBe(2); // 1.5 busy of 8
    const idle = suggest(job({ cpus: 4, total_cpu: 0 }), 'slurm')!;
    expect(idle.cpus).toBe(1);
    const busy = suggest(job({ cpus: 4, total_cpu: 40 }), 'slurm')!;
    expect(busy.cpus).toBeNull(); // 83%
  });

  it('a multi-node job is sized per node', () => {
    const s = suggest(
      job({
        nodes: 2,
        cpus: 4,
        memory_requested: 8 * GIB,
        max_rss: 3 * GIB,
        rss_tasks_per_node: 2,
        total_cpu: 40
      }),
      'slurm'
    )!;
    expect(s.memory).toBe('7680M'); // 6 GiB x 1.2 per node
  });

  it('a request within one rounding step of the use is not changed', () => {
    const s = suggest(
      job({ memory_requested: 256 * MIB, elapsed: 500, time_limit: 600 }),
      'slurm'
    )!;
    expect(s.memory).toBeNull();
    expect(s.timeMinutes).toBeNull();
    expect(changesRequest(s)).toBe(false);
  });

  it('an array task is sized like any job', () => {
    const task = { ...job({}), id: '124346_2' };
    expect(suggest(task, 'slurm')!.memory).toBe('256M');
  });
});

/** A server that only says which batch system it is (the model loads capabilities). */
function fakeApi(kind: 'slurm' | 'pbs' | 'torque'): ISubmitApi {
  const caps = {
    scheduler: { kind, available: true }
  } as unknown as Capabilities;
  return {
    fetchCapabilities: async () => caps,
    fetchPartitions: async () => [],
    fetchTemplates: async () => [],
    saveTemplate: async () => {
      throw new Error('not used');
    },
    deleteTemplate: async () => undefined,
    submitJob: async (): Promise<SubmitResult> => {
      throw new Error('not used');
    }
  };
}

async function submitTab(
  kind: 'slurm' | 'pbs' | 'torque',
  args: { script?: string; options: SubmitOptions }
): Promise<string> {
  const model = new SubmitModel({ api: fakeApi(kind), ...args });
  await model.load();
  return model.script;
}

describe('Resubmit with these', () => {
  const suggestion = {
    memory: '256M',
    timeMinutes: 10,
    cpus: 2,
    notes: []
  };

  it('Slurm: the #SBATCH lines rewritten, --mem-per-cpu dropped (sbatch refuses both)', async () => {
    const script = [
      '#!/bin/bash',
      '#SBATCH --job-name=fit',
      '#SBATCH --array=1-4',
      '#SBATCH --mem-per-cpu=2G',
      '#SBATCH -t 60',
      '#SBATCH -c 8',
      'python fit.py',
      ''
    ].join('\n');
    const args = rightsizedArgs(
      { script, options: { name: 'fit', time_limit: '60', cpus: 8 } },
      suggestion,
      'slurm'
    );
    expect(args.options).toMatchObject({
      memory: '256M',
      time_limit: '10',
      cpus: 2
    });
    const written = await submitTab('slurm', args);
    expect(written).toContain('#SBATCH -t 10\n');
    expect(written).toContain('#SBATCH -c 2\n');
    expect(written).toContain('#SBATCH --mem=256M');
    expect(written).not.toContain('mem-per-cpu');
    expect(written).toContain('#SBATCH --array=1-4'); // an array stays one
    expect(written).toContain('python fit.py');
  });

  it('several tasks: CPUs per task are kept', () => {
    const script = '#!/bin/bash\n#SBATCH -n 4\n#SBATCH -c 8\nsrun app\n';
    const args = rightsizedArgs({ script, options: {} }, suggestion, 'slurm');
    expect(args.options.cpus).toBeUndefined();
  });

  it('PBS: walltime and the select chunk’s mem and ncpus', async () => {
    const script = [
      '#!/bin/bash',
      '#PBS -N fit',
      '#PBS -l select=1:ncpus=8:mem=8gb',
      '#PBS -l walltime=01:00:00',
      './fit',
      ''
    ].join('\n');
    const written = await submitTab(
      'pbs',
      rightsizedArgs({ script, options: {} }, suggestion, 'pbs')
    );
    expect(written).toContain('#PBS -l select=1:ncpus=2:mem=256mb');
    expect(written).toContain('#PBS -l walltime=00:10:00');
  });

  it('Torque: the job’s mem= is per node times the nodes', async () => {
    const script = [
      '#!/bin/bash',
      '#PBS -l nodes=2:ppn=4',
      '#PBS -l mem=16gb',
      '#PBS -l walltime=02:00:00',
      './fit',
      ''
    ].join('\n');
    const written = await submitTab(
      'torque',
      rightsizedArgs(
        { script, options: { nodes: 2 } },
        { ...suggestion, cpus: null },
        'torque'
      )
    );
    expect(written).toContain('#PBS -l mem=512mb');
    expect(written).toContain('#PBS -l walltime=00:10:00');
  });

  it('without the script: the job’s own options and the suggestion', async () => {
    const record = makeRecord({
      id: '7',
      name: 'fit',
      partition: 'debug',
      account: '',
      qos: 'normal',
      nodes: 1,
      work_dir: '/home/alice/run'
    });
    const args = rightsizedOptions(record, suggestion);
    expect(args).toEqual({
      options: {
        name: 'fit',
        partition: 'debug',
        qos: 'normal',
        workdir: '/home/alice/run',
        nodes: 1,
        memory: '256M',
        time_limit: '10',
        cpus: 2
      }
    });
    const written = await submitTab('slurm', args);
    expect(written).toContain('--mem=256M');
  });
});
