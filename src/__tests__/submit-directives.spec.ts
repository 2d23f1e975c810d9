import {
  extraToWords,
  parseScript,
  setExtra,
  setField,
  tokenize
} from '../jobs/submit/directives';

const SLURM = [
  '#!/bin/bash',
  '#SBATCH --job-name=analysis',
  '#SBATCH -t 10 # ten minutes',
  '#SBATCH --partition debug',
  '#SBATCH -N2 --ntasks=4',
  '',
  '# a comment does not end the block',
  '#SBATCH --exclusive',
  '#SBATCH -C haswell',
  'srun hostname',
  '#SBATCH --qos=ignored-after-the-first-command',
  ''
].join('\n');

describe('parseScript (Slurm)', () => {
  it('reads long, short, attached and separate values', () => {
    const parsed = parseScript(SLURM, 'slurm');
    expect(parsed.fields).toEqual({
      name: 'analysis',
      time_limit: '10',
      partition: 'debug',
      nodes: '2',
      ntasks: '4'
    });
  });

  it('stops at the first command, as sbatch does', () => {
    const parsed = parseScript(SLURM, 'slurm');
    expect(parsed.fields.qos).toBeUndefined();
    expect(parsed.blockEnd).toBe(9);
    expect(parsed.directiveLines).toEqual([1, 2, 3, 4, 7, 8]);
  });

  it('keeps options without a field as extra, as written', () => {
    expect(parseScript(SLURM, 'slurm').extra).toEqual([
      '--exclusive',
      '-C haswell'
    ]);
  });

  it('lets the last directive win and unquotes values', () => {
    const script =
      '#!/bin/sh\n#SBATCH -J first\n#SBATCH --job-name="my job" # named\necho\n';
    expect(parseScript(script, 'slurm').fields.name).toBe('my job');
  });

  it('ignores lookalikes', () => {
    const script =
      '#!/bin/sh\n#SBATCHX -J no\n##SBATCH -J no\n #SBATCH -J no\n';
    expect(parseScript(script, 'slurm').fields).toEqual({});
  });

  it('reads a script with Windows line ends', () => {
    const script = '#!/bin/sh\r\n#SBATCH -p long\r\necho hi\r\n';
    expect(parseScript(script, 'slurm').fields.partition).toBe('long');
  });
});

describe('setField (Slurm)', () => {
  it('rewrites the value in the style it was written', () => {
    let s = setField(SLURM, 'slurm', 'time_limit', '20');
    expect(s).toContain('#SBATCH -t 20 # ten minutes\n');
    s = setField(s, 'slurm', 'name', 'other');
    expect(s).toContain('#SBATCH --job-name=other\n');
    s = setField(s, 'slurm', 'partition', 'long');
    expect(s).toContain('#SBATCH --partition long\n');
    s = setField(s, 'slurm', 'nodes', '3');
    expect(s).toContain('#SBATCH -N3 --ntasks=4\n');
    // Nothing else moved.
    expect(s.split('\n').length).toBe(SLURM.split('\n').length);
    expect(s).toContain('srun hostname\n#SBATCH --qos=ignored');
  });

  it('inserts a missing field after the last directive', () => {
    const s = setField(SLURM, 'slurm', 'memory', '4G');
    const lines = s.split('\n');
    expect(lines[8]).toBe('#SBATCH -C haswell');
    expect(lines[9]).toBe('#SBATCH --mem=4G');
    expect(lines[10]).toBe('srun hostname');
    expect(parseScript(s, 'slurm').fields.memory).toBe('4G');
  });

  it('inserts after #! when there is no directive, and quotes spaces', () => {
    const s = setField('#!/bin/bash\necho hi\n', 'slurm', 'name', 'my job');
    expect(s).toBe('#!/bin/bash\n#SBATCH --job-name="my job"\necho hi\n');
    expect(parseScript(s, 'slurm').fields.name).toBe('my job');
  });

  it('gives an empty script a #! line', () => {
    expect(setField('', 'slurm', 'partition', 'debug')).toBe(
      '#!/bin/bash\n#SBATCH --partition=debug\n'
    );
  });

  it('removes a field: the option, and the line when it is left empty', () => {
    let s = setField(SLURM, 'slurm', 'ntasks', '');
    expect(s).toContain('#SBATCH -N2\n');
    s = setField(s, 'slurm', 'nodes', '');
    expect(s).not.toContain('-N2');
    expect(s.split('\n').length).toBe(SLURM.split('\n').length - 1);
    s = setField(s, 'slurm', 'time_limit', '');
    expect(s).not.toContain('ten minutes');
    expect(parseScript(s, 'slurm').fields).toEqual({
      name: 'analysis',
      partition: 'debug'
    });
  });

  it('removes earlier duplicates too, so none takes over', () => {
    const s = setField(
      '#!/bin/sh\n#SBATCH -J a\n#SBATCH -J b\n',
      'slurm',
      'name',
      ''
    );
    expect(s).toBe('#!/bin/sh\n');
  });

  it('leaves the script alone when removing a field it does not set', () => {
    expect(setField(SLURM, 'slurm', 'gres', '')).toBe(SLURM);
  });

  it('round-trips every field', () => {
    const values: Record<string, string> = {
      name: 'n',
      partition: 'debug',
      account: 'acct',
      qos: 'normal',
      nodes: '1',
      ntasks: '2',
      cpus: '3',
      memory: '1G',
      time_limit: '0:05:00',
      gpus: '1',
      gres: 'gpu:a100:2',
      array: '1-10%2',
      dependency: 'afterok:12',
      output: 'out-%j.txt',
      error: 'err %j.txt',
      mail_type: 'END,FAIL',
      mail_user: 'me@example.org'
    };
    let s = '#!/bin/bash\nsrun true\n';
    for (const [field, value] of Object.entries(values)) {
      s = setField(s, 'slurm', field as never, value);
    }
    expect(parseScript(s, 'slurm').fields).toEqual(values);
    expect(s.endsWith('srun true\n')).toBe(true);
  });
});

describe('setExtra', () => {
  it('replaces the options without a field, in place', () => {
    const s = setExtra(SLURM, 'slurm', ['--exclusive', '--constraint=skylake']);
    expect(parseScript(s, 'slurm').extra).toEqual([
      '--exclusive',
      '--constraint=skylake'
    ]);
    expect(parseScript(s, 'slurm').fields).toEqual(
      parseScript(SLURM, 'slurm').fields
    );
    expect(s.split('\n').indexOf('#SBATCH --constraint=skylake')).toBe(8);
  });

  it('removes them all', () => {
    const s = setExtra(SLURM, 'slurm', []);
    expect(parseScript(s, 'slurm').extra).toEqual([]);
    expect(s).not.toContain('exclusive');
  });

  it('turns extra options into one argv word each', () => {
    expect(
      extraToWords(['--exclusive', '-C haswell', '--comment "a b"'], 'slurm')
    ).toEqual(['--exclusive', '-Chaswell', '--comment=a b']);
  });
});

describe('PBS', () => {
  const PBS = [
    '#!/bin/bash',
    '#PBS -N sim',
    '#PBS -q workq',
    '#PBS -l select=2:ncpus=4:mem=8gb',
    '#PBS -l walltime=01:00:00,software=abaqus',
    '#PBS -W depend=afterok:12.pbs01',
    '#PBS -j oe',
    'cd $PBS_O_WORKDIR',
    ''
  ].join('\n');

  it('reads options, select chunks and walltime', () => {
    const parsed = parseScript(PBS, 'pbs');
    expect(parsed.fields).toEqual({
      name: 'sim',
      partition: 'workq',
      nodes: '2',
      cpus: '4',
      memory: '8gb',
      time_limit: '01:00:00',
      dependency: 'afterok:12.pbs01'
    });
    expect(parsed.extra).toEqual(['-j oe']);
  });

  it('rewrites inside the select chunk and the -l list', () => {
    let s = setField(PBS, 'pbs', 'cpus', '8');
    expect(s).toContain('#PBS -l select=2:ncpus=8:mem=8gb\n');
    s = setField(s, 'pbs', 'gpus', '1');
    expect(s).toContain('#PBS -l select=2:ncpus=8:mem=8gb:ngpus=1\n');
    s = setField(s, 'pbs', 'nodes', '1');
    expect(s).toContain('#PBS -l select=1:ncpus=8');
    s = setField(s, 'pbs', 'time_limit', '00:10:00');
    expect(s).toContain('#PBS -l walltime=00:10:00,software=abaqus\n');
    s = setField(s, 'pbs', 'dependency', 'afterany:13');
    expect(s).toContain('#PBS -W depend=afterany:13\n');
    s = setField(s, 'pbs', 'name', '');
    expect(s).not.toContain('-N');
  });

  it('adds a select line when there is none', () => {
    const s = setField('#!/bin/sh\n#PBS -N x\nhostname\n', 'pbs', 'cpus', '2');
    expect(s).toBe(
      '#!/bin/sh\n#PBS -N x\n#PBS -l select=1:ncpus=2\nhostname\n'
    );
    expect(setField(s, 'pbs', 'time_limit', '1:00:00')).toContain(
      '#PBS -l walltime=1:00:00\nhostname'
    );
  });

  it('reads Torque nodes=N:ppn=C', () => {
    expect(
      parseScript('#!/bin/sh\n#PBS -l nodes=2:ppn=8\n', 'pbs').fields
    ).toEqual({ nodes: '2', cpus: '8' });
  });
});

describe('tokenize', () => {
  it('groups quotes and stops at a comment', () => {
    expect(tokenize('-J "a b" --x=\'c d\' # note').map(t => t.text)).toEqual([
      '-J',
      'a b',
      '--x=c d'
    ]);
  });
});
