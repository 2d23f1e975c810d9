/**
 * The session job (issue 16): the status bar item's words, the warnings
 * (each once, the smallest passed threshold after a late start), the model's
 * countdown between answers, and the second question before its job is
 * cancelled.
 */
import type { SessionAnswer, SessionJob } from '../session/api';
import {
  dueTimeWarning,
  formatLeft,
  formatMemory,
  memoryWarningDue,
  readThresholds,
  sessionLabel,
  sessionTooltip
} from '../session/figures';
import { SessionModel, SessionWarning } from '../session/model';
import { warningText } from '../session/notify';
import { sessionJobAmong } from '../jobs/queue/actions';

const GiB = 1024 ** 3;

/** An answer of `GET session` as the server gave it for a job on the local Slurm. */
function job(overrides: Partial<SessionJob> = {}): SessionJob {
  return {
    id: '124360',
    kind: 'slurm',
    node: 'vm',
    step: '0',
    record_at: 1796419000,
    error: null,
    memory: {
      used: 2.1 * GiB,
      limit: 4 * GiB,
      source: 'sstat',
      measured_at: 1796419000,
      error: null
    },
    name: 'spawner-jupyterhub',
    partition: 'debug',
    state: 'running',
    raw_state: 'RUNNING',
    nodes: 'vm',
    start: 1796418000,
    end: 1796418000 + 7200,
    time_limit: 7200,
    seconds_left: 6120,
    cpus: 4,
    gpus: 0,
    ...overrides
  };
}

describe('the item’s words', () => {
  it('says the time left as h:mm, minutes, then seconds', () => {
    expect(formatLeft(6120)).toBe('1:42');
    expect(formatLeft(3600)).toBe('1:00');
    expect(formatLeft(3599)).toBe('59 min');
    expect(formatLeft(61)).toBe('1 min');
    expect(formatLeft(42.7)).toBe('42 s');
    expect(formatLeft(-5)).toBe('0 s');
    expect(formatLeft(2 * 86400 + 3 * 3600 + 60)).toBe('2 d 3:01');
  });

  it('says memory against the limit in GiB or MiB', () => {
    expect(formatMemory(2.1 * GiB, 4 * GiB)).toBe('2.1/4 GiB');
    expect(formatMemory(310 * 1024 ** 2, 512 * 1024 ** 2)).toBe('310/512 MiB');
    expect(formatMemory(1.5 * GiB, null)).toBe('1.5 GiB');
    expect(formatMemory(null, 4 * GiB)).toBe('?/4 GiB');
  });

  it('puts it together: job, time left, memory, CPUs, GPUs', () => {
    expect(sessionLabel(job(), 6120)).toBe(
      'Job 124360 · 1:42 left · 2.1/4 GiB · 4 CPUs'
    );
    expect(sessionLabel(job({ cpus: 1, gpus: 2 }), 300)).toBe(
      'Job 124360 · 5 min left · 2.1/4 GiB · 1 CPU · 2 GPUs'
    );
    // Before the batch system answered: the id alone.
    expect(
      sessionLabel(
        {
          id: '7',
          kind: 'slurm',
          node: 'vm',
          step: 'batch',
          record_at: null,
          error: 'slurmctld is down',
          memory: null
        },
        null
      )
    ).toBe('Job 7');
  });

  it('has every figure in its tooltip', () => {
    const tip = sessionTooltip(job(), 6120, 1796419012);
    expect(tip).toContain(
      'This Jupyter server runs in job 124360 (spawner-jupyterhub) on partition debug, node vm.'
    );
    expect(tip).toMatch(
      /It ends at \d\d:\d\d \(1:42 left, time limit 2:00:00\)/
    );
    expect(tip).toContain(
      'Memory: 2.1 GiB of 4 GiB (53 %), measured by Slurm (sstat), 12 s ago.'
    );
    expect(tip).toContain('It holds 4 CPUs.');
    expect(tip).toContain("Click to open the job's details.");
  });
});

describe('the warnings', () => {
  it('announces each threshold once, as the time passes it', () => {
    const done = new Set<number>();
    expect(dueTimeWarning(1000, [15, 5], done)).toBeNull();
    expect(dueTimeWarning(899, [15, 5], done)).toBe(15);
    expect(dueTimeWarning(800, [15, 5], done)).toBeNull();
    expect(dueTimeWarning(300, [15, 5], done)).toBe(5);
    expect(dueTimeWarning(10, [15, 5], done)).toBeNull();
  });

  it('after a late start announces only the nearest threshold', () => {
    const done = new Set<number>();
    expect(dueTimeWarning(200, [15, 5], done)).toBe(5);
    expect(dueTimeWarning(100, [15, 5], done)).toBeNull();
    expect(dueTimeWarning(null, [15, 5], new Set())).toBeNull();
  });

  it('warns about memory past the share of the limit', () => {
    expect(memoryWarningDue(job(), 0.9)).toBe(false);
    expect(memoryWarningDue(job(), 0.5)).toBe(true);
    expect(
      memoryWarningDue(job({ memory: { ...job().memory!, limit: null } }), 0.01)
    ).toBe(false);
  });

  it('reads the settings', () => {
    expect(readThresholds([5, 15, 15, -1, 'x'], 80)).toEqual({
      minutes: [15, 5],
      memory: 0.8
    });
    expect(readThresholds(undefined, undefined)).toEqual({
      minutes: [15, 5],
      memory: 0.9
    });
    expect(readThresholds([], 90).minutes).toEqual([]);
  });

  it('words them in a toast’s 140 characters', () => {
    const long = job({
      id: '1234567890.pbs-server01',
      memory: { ...job().memory!, used: 1023 * GiB, limit: 1024 * GiB }
    });
    expect(
      warningText({ kind: 'memory', threshold: 0.9, job: long }).length
    ).toBeLessThanOrEqual(140);
    expect(
      warningText({ kind: 'time', minutes: 15, secondsLeft: 899, job: long })
        .length
    ).toBeLessThanOrEqual(140);
    expect(
      warningText({ kind: 'time', minutes: 5, secondsLeft: 290, job: job() })
    ).toBe(
      'Job 124360 ends in 4 min, and this Jupyter server with it. Save your work.'
    );
    expect(warningText({ kind: 'memory', threshold: 0.5, job: job() })).toBe(
      'Job 124360 uses 53 % of its memory (2.1/4 GiB). Past the limit the job stops, and this server with it.'
    );
  });
});

describe('SessionModel', () => {
  it('counts down between answers and raises each warning once', async () => {
    let now = 1_000_000;
    const answers: SessionAnswer[] = [
      { job: job({ seconds_left: 960 }), now: 1796419000, refresh: 30 }
    ];
    const model = new SessionModel({
      fetch: async () => answers[0],
      now: () => now
    });
    const warnings: SessionWarning[] = [];
    model.warning.connect((_, w) => warnings.push(w));
    model.memoryThreshold = 0.9;
    await model.refresh();
    expect(model.job?.id).toBe('124360');
    expect(model.secondsLeft()).toBe(960);
    expect(warnings).toEqual([]);

    now += 61_000; // 899 s left: the 15-minute warning
    model.timeThresholds = [15, 5];
    expect(model.secondsLeft()).toBe(899);
    expect(warnings.map(w => w.kind === 'time' && w.minutes)).toEqual([15]);
    await model.refresh(); // the same answer again: no second warning
    expect(warnings).toHaveLength(1);

    // Memory passes 50 %: warned once.
    model.memoryThreshold = 0.5;
    model.memoryThreshold = 0.4;
    expect(warnings.map(w => w.kind)).toEqual(['time', 'memory']);
    model.dispose();
  });

  it('stops asking when the server runs in no job', async () => {
    const model = new SessionModel({
      fetch: async () => ({
        job: null,
        message:
          'This server does not run inside a batch job (SLURM_JOB_ID is not set).'
      })
    });
    await model.refresh();
    expect(model.job).toBeNull();
    expect(model.message).toContain('SLURM_JOB_ID is not set');
    expect(model.isDisposed).toBe(true);
  });
});

describe('cancelling the job that runs this server', () => {
  it('is found among the ids to cancel, and only for a cancel', () => {
    expect(sessionJobAmong('cancel', ['5', '124360'], '124360')).toBe('124360');
    expect(sessionJobAmong('hold', ['124360'], '124360')).toBeNull();
    expect(sessionJobAmong('cancel', ['5'], '124360')).toBeNull();
    expect(sessionJobAmong('cancel', ['124360'], null)).toBeNull();
  });
});
