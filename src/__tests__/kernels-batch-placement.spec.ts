/**
 * "Where it runs" in the kernel editor: reading and writing a batch kernel's
 * settings in the kernel's metadata, and their checks.
 */
import {
  EMPTY_SETTINGS,
  readPlacement,
  settingProblems,
  settingsSummary,
  submitOptionsOf,
  writePlacement
} from '../kernels/batch/placement';
import { estimateWords } from '../kernels/batch/estimate';
import { draftFromSpec, draftProblems } from '../kernels/spec';

const BATCH = JSON.stringify({
  debugger: true,
  kernel_provisioner: {
    provisioner_name: 'hpc-batch',
    config: {
      partition: 'debug',
      cpus: 4,
      time_limit: '60',
      modules: ['gcc/12.2.0'],
      extra: ['--constraint=intel']
    }
  }
});

describe('where a kernel runs', () => {
  it('reads a batch kernel, a local one, another provisioner and bad metadata', () => {
    expect(readPlacement(BATCH)).toEqual({
      where: 'batch',
      settings: {
        ...EMPTY_SETTINGS,
        partition: 'debug',
        cpus: '4',
        time_limit: '60',
        modules: 'gcc/12.2.0',
        extra: '--constraint=intel'
      }
    });
    expect(readPlacement('')).toEqual({ where: 'server' });
    expect(readPlacement('{"debugger": true}')).toEqual({ where: 'server' });
    expect(
      readPlacement(
        '{"kernel_provisioner": {"provisioner_name": "docker-provisioner"}}'
      )
    ).toEqual({ where: 'other', provisioner: 'docker-provisioner' });
    expect(readPlacement('{not json')).toEqual({ where: 'unreadable' });
    expect(readPlacement('{"kernel_provisioner": 3}')).toEqual({
      where: 'unreadable'
    });
  });

  it('writes the settings, keeping the rest of the metadata and of the config', () => {
    const settings = {
      ...(readPlacement(BATCH) as { settings: typeof EMPTY_SETTINGS }).settings,
      time_limit: '',
      partition: 'long',
      cpus: '8',
      memory: '16G',
      restart: 'renew' as const
    };
    const written = JSON.parse(writePlacement(BATCH, 'batch', settings));
    expect(written).toEqual({
      debugger: true,
      kernel_provisioner: {
        provisioner_name: 'hpc-batch',
        config: {
          partition: 'long',
          cpus: 8,
          memory: '16G',
          restart: 'renew',
          modules: ['gcc/12.2.0'],
          extra: ['--constraint=intel']
        }
      }
    });
  });

  it('puts a kernel back on the server, and into a job from nothing', () => {
    expect(JSON.parse(writePlacement(BATCH, 'server'))).toEqual({
      debugger: true
    });
    expect(
      writePlacement(
        '{"kernel_provisioner": {"provisioner_name": "hpc-batch"}}',
        'server'
      )
    ).toBe('');
    expect(JSON.parse(writePlacement('', 'batch'))).toEqual({
      kernel_provisioner: { provisioner_name: 'hpc-batch', config: {} }
    });
    expect(writePlacement('{oops', 'batch')).toBe('{oops');
  });

  it('checks the settings as the server does', () => {
    expect(
      settingProblems({
        ...EMPTY_SETTINGS,
        partition: 'debug',
        time_limit: '1-12:00:00',
        cpus: '2',
        memory: '4G'
      })
    ).toEqual([]);
    expect(
      settingProblems({
        ...EMPTY_SETTINGS,
        partition: 'de bug',
        time_limit: 'soon',
        cpus: 'two',
        nodes: '0',
        memory: 'lots'
      }).map(p => p.field)
    ).toEqual(['partition', 'time_limit', 'nodes', 'cpus', 'memory']);
  });

  it('sums the settings up', () => {
    expect(
      settingsSummary({
        ...EMPTY_SETTINGS,
        partition: 'debug',
        cpus: '4',
        memory: '8G',
        gpus: '1',
        time_limit: '60'
      })
    ).toBe('debug, 4 CPUs, 8G, 1 GPU, 60 min');
    expect(settingsSummary(EMPTY_SETTINGS)).toBe('default partition');
  });

  it('a wrong setting keeps the kernel from being saved', () => {
    const draft = draftFromSpec({
      argv: ['python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      display_name: 'Batch',
      metadata: JSON.parse(
        writePlacement('', 'batch', { ...EMPTY_SETTINGS, cpus: 'two' })
      )
    });
    expect(draftProblems(draft)).toEqual([
      {
        field: 'metadata.kernel_provisioner.config.cpus',
        message: 'CPUs must be a whole number from 1.'
      }
    ]);
  });
});

describe('a kernel in an allocation the user already runs', () => {
  const joined = {
    ...EMPTY_SETTINGS,
    allocation: '1234',
    cpus: '2',
    memory: '4G'
  };

  it('writes the job id as text, and reads it back', () => {
    const written = writePlacement('', 'batch', joined);
    expect(JSON.parse(written).kernel_provisioner.config).toEqual({
      allocation: '1234',
      cpus: 2,
      memory: '4G'
    });
    expect(readPlacement(written)).toEqual({
      where: 'batch',
      settings: joined
    });
    expect(settingsSummary(joined)).toBe('allocation 1234, 2 CPUs, 4G');
    expect(settingProblems(joined)).toEqual([]);
    expect(settingProblems({ ...joined, nodes: '1' })).toEqual([]);
  });

  it('refuses a job id that is not one, and what belongs to the job', () => {
    for (const bad of ['12a', '0', '1234_1', '-1']) {
      expect(
        settingProblems({ ...joined, allocation: bad }).map(p => p.field)
      ).toContain('allocation');
    }
    expect(
      settingProblems({ ...joined, partition: 'debug', time_limit: '60' })
    ).toEqual([
      {
        field: 'partition',
        message:
          'The partition belongs to the job the kernel joins, not to the kernel: leave it empty.'
      },
      {
        field: 'time_limit',
        message:
          'The time limit belongs to the job the kernel joins, not to the kernel: leave it empty.'
      }
    ]);
  });
});

describe('modules, other options and the queue timeout', () => {
  it('are written as lists and minutes, and read back', () => {
    const settings = {
      ...EMPTY_SETTINGS,
      partition: 'debug',
      modules: ' gcc/12.2.0   cuda/12.2 ',
      extra: '--constraint=intel\r\n\n--exclusive',
      queue_timeout: '0'
    };
    const config = JSON.parse(writePlacement('', 'batch', settings))
      .kernel_provisioner.config;
    expect(config).toEqual({
      partition: 'debug',
      modules: ['gcc/12.2.0', 'cuda/12.2'],
      extra: ['--constraint=intel', '--exclusive'],
      queue_timeout: 0
    });
    const back = readPlacement(writePlacement('', 'batch', settings));
    expect(back).toEqual({
      where: 'batch',
      settings: {
        ...settings,
        modules: 'gcc/12.2.0 cuda/12.2',
        extra: '--constraint=intel\n--exclusive'
      }
    });
    expect(settingProblems(settings)).toEqual([]);
  });

  it('are checked as the server checks them', () => {
    expect(
      settingProblems({
        ...EMPTY_SETTINGS,
        modules: 'gcc/12.2.0 -bad',
        extra: '--constraint=intel\nconstraint intel',
        queue_timeout: '99999999'
      }).map(p => [p.field, p.message])
    ).toEqual([
      [
        'modules',
        '“-bad” is not a module name: letters, digits and . _ + @ % ~ : , = / -, starting with a letter, a digit or . _ +.'
      ],
      [
        'extra',
        '“constraint intel” is not an option: one option per line, starting with “-”, no spaces (--constraint=intel).'
      ],
      [
        'queue_timeout',
        'The queue timeout is whole minutes from 0 (no limit) to 525600.'
      ]
    ]);
  });
});

describe('when a kernel’s job would start', () => {
  it('asks with the job’s options, and not for an allocation or bad settings', () => {
    expect(
      submitOptionsOf({
        ...EMPTY_SETTINGS,
        partition: 'debug',
        time_limit: '10',
        cpus: '2',
        memory: '4G',
        extra: '--constraint=intel',
        modules: 'gcc/12.2.0',
        queue_timeout: '5'
      })
    ).toEqual({
      partition: 'debug',
      time_limit: '10',
      cpus: 2,
      memory: '4G',
      extra: ['--constraint=intel']
    });
    expect(submitOptionsOf(EMPTY_SETTINGS)).toEqual({});
    expect(
      submitOptionsOf({ ...EMPTY_SETTINGS, allocation: '1234' })
    ).toBeNull();
    expect(submitOptionsOf({ ...EMPTY_SETTINGS, cpus: 'two' })).toBeNull();
  });

  it('says when and where, as far as Slurm says', () => {
    const at = '2026-12-04T14:05:00';
    expect(
      estimateWords({ estimated_start: at, nodes: 'vm', message: '' }, 'en-GB')
    ).toBe(
      `Slurm would start this kernel's job around ${new Date(at).toLocaleString('en-GB')} on vm.`
    );
    expect(
      estimateWords({ estimated_start: null, nodes: null, message: '' })
    ).toBe("Slurm would start this kernel's job.");
  });
});
