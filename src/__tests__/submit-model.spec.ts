import {
  Capabilities,
  Partition,
  SubmitOptions,
  SubmitResult,
  SubmitTemplate
} from '../jobs/api';
import { HPCApiError } from '../common/request';
import {
  ISubmitApi,
  SubmitModel,
  mailTypeFor,
  scaleMemory
} from '../jobs/submit/model';

function caps(kind: 'slurm' | 'pbs' | 'torque'): Capabilities {
  return {
    scheduler: {
      kind,
      version: '1',
      available: true,
      message: '',
      cluster: 'local'
    },
    user: 'alice',
    poll_interval_floor: 0
  };
}

const PARTITIONS: Partition[] = [
  {
    name: 'debug',
    default: true,
    available: 'up',
    time_limit: 3600,
    nodes: 1,
    cpus_idle: 2,
    cpus_total: 2
  },
  {
    name: 'long',
    default: false,
    available: 'up',
    time_limit: null,
    nodes: 1,
    cpus_idle: 2,
    cpus_total: 2
  }
];

/** A fake server that records what it was sent. */
class FakeApi implements ISubmitApi {
  kind: 'slurm' | 'pbs' | 'torque' = 'slurm';
  templates: SubmitTemplate[] = [
    {
      name: 'site-mpi',
      source: 'site',
      description: 'MPI',
      script: '#!/bin/bash\nsrun ./a.out\n',
      options: { partition: 'long', ntasks: 4, time_limit: '30' }
    }
  ];
  sent: { script: string; options: SubmitOptions; testOnly: boolean }[] = [];
  answer: (testOnly: boolean) => Promise<SubmitResult> = async testOnly => ({
    job_id: testOnly ? null : String(100 + this.sent.length),
    message: 'ok',
    test_only: testOnly,
    estimated_start: testOnly ? '2026-11-22T03:00:00' : null,
    nodes: testOnly ? 'node1' : null
  });

  fetchCapabilities = async () => caps(this.kind);
  fetchPartitions = async () => PARTITIONS;
  fetchTemplates = async () => this.templates;
  saveTemplate = async (
    name: string,
    t: Pick<SubmitTemplate, 'description' | 'script' | 'options'>
  ) => {
    const saved: SubmitTemplate = { name, source: 'user', ...t };
    this.templates = [...this.templates.filter(x => x.name !== name), saved];
    return saved;
  };
  deleteTemplate = async (name: string) => {
    this.templates = this.templates.filter(x => x.name !== name);
  };
  submitJob = (script: string, options: SubmitOptions, testOnly: boolean) => {
    this.sent.push({ script, options, testOnly });
    return this.answer(testOnly);
  };
}

async function loaded(
  options: SubmitModel.IOptions = {},
  fake = new FakeApi()
): Promise<{ model: SubmitModel; fake: FakeApi }> {
  const model = new SubmitModel({ api: fake, ...options });
  await model.load();
  return { model, fake };
}

describe('SubmitModel', () => {
  it('starts with a starter script for the batch system', async () => {
    const { model } = await loaded();
    expect(model.kind).toBe('slurm');
    expect(model.script).toContain('#SBATCH --job-name=my-job');
    expect(model.fieldValue('name')).toBe('my-job');
    expect(model.defaultPartition).toBe('debug');

    const pbs = new FakeApi();
    pbs.kind = 'pbs';
    const { model: pbsModel } = await loaded({}, pbs);
    expect(pbsModel.script).toContain('#PBS -N my-job');
    expect(pbsModel.fieldNames).not.toContain('qos');
  });

  it('keeps the form and the script consistent both ways', async () => {
    const { model } = await loaded();
    const origins: string[] = [];
    model.scriptChanged.connect((_, origin) => origins.push(origin));

    model.setField('partition', 'long');
    expect(model.script).toContain('#SBATCH --partition=long');
    expect(model.fieldValue('partition')).toBe('long');

    model.setScript(model.script.replace('--partition=long', '-p debug'));
    expect(model.fieldValue('partition')).toBe('debug');
    expect(origins).toEqual(['model', 'editor']);
  });

  it('keeps what is being typed in a field until it loses focus', async () => {
    const { model } = await loaded();
    model.setField('name', 'my ');
    // The script has the trimmed value, the field what was typed.
    expect(model.script).toContain('--job-name=my\n');
    expect(model.fieldValue('name')).toBe('my ');
    model.setField('name', 'my job');
    expect(model.script).toContain('--job-name="my job"');
    model.commitField('name');
    expect(model.fieldValue('name')).toBe('my job');
  });

  it('edits the extra options as lines', async () => {
    const { model } = await loaded();
    model.setExtraText('--exclusive\n');
    expect(model.script).toContain('#SBATCH --exclusive\n');
    expect(model.extraText).toBe('--exclusive\n');
    model.commitExtra();
    expect(model.extraText).toBe('--exclusive');
    expect(model.toOptions().extra).toEqual(['--exclusive']);
  });

  it('writes given options into the script (resubmit a copy)', async () => {
    const { model } = await loaded({
      script: '#!/bin/bash\nsrun hostname\n',
      options: {
        name: 'copy',
        nodes: 1,
        memory: '1G',
        mail_type: 'END',
        extra: ['--constraint=x'],
        workdir: '/tmp',
        hold: true
      }
    });
    expect(model.script).toBe(
      [
        '#!/bin/bash',
        '#SBATCH --job-name=copy',
        '#SBATCH --nodes=1',
        '#SBATCH --mem=1G',
        '#SBATCH --mail-type=END',
        '#SBATCH --constraint=x',
        'srun hostname',
        ''
      ].join('\n')
    );
    expect(model.workdir).toBe('/tmp');
    expect(model.requestOptions()).toEqual({ workdir: '/tmp', hold: true });
  });

  it('converts units for PBS both ways', async () => {
    const fake = new FakeApi();
    fake.kind = 'pbs';
    const { model } = await loaded(
      {
        script: '#!/bin/sh\nhostname\n',
        options: { time_limit: '90', memory: '4G', mail_type: 'END,FAIL' }
      },
      fake
    );
    expect(model.fieldValue('time_limit')).toBe('01:30:00');
    expect(model.fieldValue('memory')).toBe('4gb');
    expect(model.fieldValue('mail_type')).toBe('ae');
    expect(model.toOptions()).toEqual({
      time_limit: '01:30:00',
      memory: '4G',
      mail_type: 'FAIL,END',
      // PBS keeps memory in a select chunk, which counts one node.
      nodes: 1
    });
    expect(mailTypeFor('abe', 'slurm')).toBe('FAIL,BEGIN,END');
    expect(mailTypeFor('ALL', 'pbs')).toBe('abe');
  });

  it('writes Torque forms, with the job memory, and reads them back', async () => {
    const fake = new FakeApi();
    fake.kind = 'torque';
    const { model } = await loaded(
      {
        script: '#!/bin/sh\nhostname\n',
        options: {
          nodes: 2,
          cpus: 4,
          memory: '4G',
          time_limit: '90',
          array: '1-10%2',
          mail_type: 'END'
        }
      },
      fake
    );
    expect(model.kind).toBe('torque');
    expect(model.schedulerName).toBe('Torque');
    expect(model.fieldNames).not.toContain('ntasks');
    expect(model.script).toBe(
      [
        '#!/bin/sh',
        '#PBS -l nodes=2:ppn=4',
        '#PBS -l mem=8gb',
        '#PBS -l walltime=01:30:00',
        '#PBS -t 1-10%2',
        '#PBS -m e',
        'hostname',
        ''
      ].join('\n')
    );
    // Per node again for the API, as the server reads `memory`.
    expect(model.toOptions()).toEqual({
      nodes: 2,
      cpus: 4,
      memory: '4G',
      time_limit: '01:30:00',
      array: '1-10%2',
      mail_type: 'END'
    });
  });

  it('counts tasks into ppn on Torque, as the server does', async () => {
    const fake = new FakeApi();
    fake.kind = 'torque';
    const { model } = await loaded(
      { script: '#!/bin/sh\nhostname\n', options: { nodes: 2, ntasks: 8 } },
      fake
    );
    expect(model.script).toContain('#PBS -l nodes=2:ppn=4\n');
    const { model: starter } = await loaded({}, fake);
    expect(starter.script).toContain('#PBS -N my-job');
    expect(starter.script).not.toContain('#SBATCH');
  });

  it('scales memory between per node and the whole job', () => {
    expect(scaleMemory('4G', 2)).toBe('8G');
    expect(scaleMemory('8gb', 1, 2)).toBe('4gb');
    expect(scaleMemory('3gb', 1, 2)).toBe('1536mb');
    expect(scaleMemory('1000', 1, 3)).toBe('334');
    expect(scaleMemory('lots', 2)).toBe('lots');
  });

  it('checks and submits the script with the workdir and hold', async () => {
    const { model, fake } = await loaded({ workdir: 'jobs' });
    const check = await model.check();
    expect(check.estimated_start).toBe('2026-11-22T03:00:00');
    expect(model.outcome?.kind).toBe('check');
    model.hold = true;
    const result = await model.submit();
    expect(result.job_id).toBe('102');
    expect(model.submitted).toEqual(['102']);
    expect(fake.sent.map(s => s.testOnly)).toEqual([true, false]);
    expect(fake.sent[1].options).toEqual({ workdir: 'jobs', hold: true });
    expect(fake.sent[1].script).toBe(model.script);
  });

  it('refuses a second submission while one is in flight', async () => {
    const { model, fake } = await loaded();
    let release: (r: SubmitResult) => void = () => undefined;
    fake.answer = () =>
      new Promise<SubmitResult>(resolve => {
        release = resolve;
      });
    const first = model.submit();
    expect(model.phase).toBe('submitting');
    await expect(model.submit()).rejects.toThrow(/already on its way/);
    await expect(model.check()).rejects.toThrow(/already on its way/);
    expect(fake.sent).toHaveLength(1);
    release({
      job_id: '7',
      message: '',
      test_only: false,
      estimated_start: null,
      nodes: null
    });
    await first;
    expect(model.phase).toBe('idle');
  });

  it("keeps the scheduler's refusal", async () => {
    const { model, fake } = await loaded();
    fake.answer = async () => {
      throw new HPCApiError(
        'sbatch: error: invalid partition specified: nope',
        400,
        'sbatch ...'
      );
    };
    await expect(model.submit()).rejects.toThrow(/invalid partition/);
    expect(model.outcome?.error?.message).toMatch(/invalid partition/);
    expect(model.phase).toBe('idle');
    expect(model.submitted).toEqual([]);
  });

  it('loads, saves and deletes templates', async () => {
    const { model, fake } = await loaded();
    expect(model.templates.map(t => t.source)).toEqual(['site']);
    model.loadTemplate('site-mpi');
    expect(model.script).toBe(
      '#!/bin/bash\n#SBATCH --partition=long\n#SBATCH --ntasks=4\n#SBATCH --time=30\nsrun ./a.out\n'
    );
    expect(model.selectedTemplate?.name).toBe('site-mpi');

    model.setField('cpus', '2');
    await model.saveTemplate('mine', 'my copy');
    const saved = fake.templates.find(t => t.name === 'mine');
    expect(saved?.script).toBe(model.script);
    expect(saved?.options).toEqual({
      partition: 'long',
      ntasks: 4,
      cpus: 2,
      time_limit: '30'
    });
    expect(model.templateName).toBe('mine');

    await model.deleteTemplate('mine');
    expect(model.templates.map(t => t.name)).toEqual(['site-mpi']);
    expect(model.templateName).toBe('');
  });

  it('starts from the default template when given no script', async () => {
    const { model } = await loaded({ defaultTemplate: 'site-mpi' });
    expect(model.templateName).toBe('site-mpi');
    expect(model.fieldValue('partition')).toBe('long');

    // Not when opening a script, nor for a template that is not there.
    const { model: withScript } = await loaded({
      defaultTemplate: 'site-mpi',
      script: '#!/bin/sh\nhostname\n'
    });
    expect(withScript.script).toBe('#!/bin/sh\nhostname\n');
    const { model: unknown } = await loaded({ defaultTemplate: 'gone' });
    expect(unknown.script).toContain('my-job');
  });
});
