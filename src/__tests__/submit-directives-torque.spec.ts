/**
 * Torque's #PBS forms, both ways: nodes/CPUs/GPUs in one `-l nodes=N:ppn=C:gpus=G`,
 * the whole job's `-l mem=`, `-l walltime=`, arrays `-t` (no step), and never
 * OpenPBS's `select`, `mpiprocs` or `-J`.
 */
import {
  extraToWords,
  fieldsOf,
  parseScript,
  setField
} from '../jobs/submit/directives';
import { fieldProblem, fieldText } from '../jobs/submit/fields';

const TORQUE = [
  '#!/bin/bash',
  '#PBS -N sim',
  '#PBS -q batch',
  '#PBS -l nodes=2:ppn=4:gpus=1',
  '#PBS -l walltime=01:00:00,mem=8gb',
  '#PBS -t 1-10%2',
  '#PBS -W depend=afterok:12.torque01',
  '#PBS -A proj',
  '#PBS -m ae -M me@example.org',
  '#PBS -o out.txt -e err.txt',
  '#PBS -j oe',
  '#PBS -l pmem=1gb',
  'cd "$PBS_O_WORKDIR"',
  ''
].join('\n');

const STARTER =
  '#!/bin/bash\n#PBS -N my-job\n#PBS -l walltime=00:10:00\n\necho hi\n';

describe('parseScript (Torque)', () => {
  it('reads nodes, ppn, gpus, the job memory, walltime and the -t array', () => {
    const parsed = parseScript(TORQUE, 'torque');
    expect(parsed.fields).toEqual({
      name: 'sim',
      partition: 'batch',
      nodes: '2',
      cpus: '4',
      gpus: '1',
      time_limit: '01:00:00',
      memory: '8gb',
      array: '1-10%2',
      dependency: 'afterok:12.torque01',
      account: 'proj',
      mail_type: 'ae',
      mail_user: 'me@example.org',
      output: 'out.txt',
      error: 'err.txt'
    });
    expect(parsed.extra).toEqual(['-j oe', '-l pmem=1gb']);
  });

  it('leaves OpenPBS forms to the extra options', () => {
    const parsed = parseScript(
      '#!/bin/sh\n#PBS -J 1-3\n#PBS -l select=2:ncpus=4\n',
      'torque'
    );
    expect(parsed.fields).toEqual({});
    expect(parsed.extra).toEqual(['-J 1-3', '-l select=2:ncpus=4']);
  });

  it('reads -t on Torque only: OpenPBS has no -t', () => {
    const script = '#!/bin/sh\n#PBS -t 1-3\n';
    expect(parseScript(script, 'torque').fields.array).toBe('1-3');
    expect(parseScript(script, 'pbs').fields.array).toBeUndefined();
  });

  it('has no QOS, GRES or task count', () => {
    expect(fieldsOf('torque')).not.toContain('qos');
    expect(fieldsOf('torque')).not.toContain('gres');
    expect(fieldsOf('torque')).not.toContain('ntasks');
    expect(fieldsOf('torque')).toContain('array');
  });
});

describe('setField (Torque)', () => {
  it('builds one nodes=N:ppn=C:gpus=G line and a separate mem line', () => {
    let s = setField(STARTER, 'torque', 'nodes', '2');
    expect(s).toContain('#PBS -l walltime=00:10:00\n#PBS -l nodes=2\n\necho');
    s = setField(s, 'torque', 'cpus', '4');
    expect(s).toContain('#PBS -l nodes=2:ppn=4\n');
    s = setField(s, 'torque', 'gpus', '1');
    expect(s).toContain('#PBS -l nodes=2:ppn=4:gpus=1\n');
    s = setField(s, 'torque', 'memory', '8gb');
    expect(s).toContain('#PBS -l nodes=2:ppn=4:gpus=1\n#PBS -l mem=8gb\n');
    s = setField(s, 'torque', 'array', '1-10%2');
    expect(s).toContain('#PBS -l mem=8gb\n#PBS -t 1-10%2\n\necho');
    s = setField(s, 'torque', 'time_limit', '00:05:00');
    expect(s).toContain('#PBS -l walltime=00:05:00\n');
    expect(s).not.toMatch(/select|ncpus|mpiprocs|ngpus|-J/);
    expect(parseScript(s, 'torque').fields).toEqual({
      name: 'my-job',
      time_limit: '00:05:00',
      nodes: '2',
      cpus: '4',
      gpus: '1',
      memory: '8gb',
      array: '1-10%2'
    });
  });

  it('asks for one node when only CPUs or GPUs are given', () => {
    expect(setField(STARTER, 'torque', 'cpus', '4')).toContain(
      '#PBS -l nodes=1:ppn=4\n'
    );
    expect(setField(STARTER, 'torque', 'gpus', '2')).toContain(
      '#PBS -l nodes=1:gpus=2\n'
    );
  });

  it('takes resources out again, and the line when nothing is left', () => {
    let s = setField(STARTER, 'torque', 'cpus', '4');
    s = setField(s, 'torque', 'gpus', '1');
    s = setField(s, 'torque', 'cpus', '');
    expect(s).toContain('#PBS -l nodes=1:gpus=1\n');
    s = setField(s, 'torque', 'gpus', '');
    expect(s).toBe(STARTER);
    // Nodes cleared while ppn stays: nodes= needs a count, one node.
    s = setField(
      setField(STARTER, 'torque', 'nodes', '3'),
      'torque',
      'cpus',
      '2'
    );
    expect(setField(s, 'torque', 'nodes', '')).toContain(
      '#PBS -l nodes=1:ppn=2\n'
    );
    // A single node typed in stays written.
    expect(setField(STARTER, 'torque', 'nodes', '1')).toContain(
      '#PBS -l nodes=1\n'
    );
  });

  it('rewrites in place where the person wrote it, keeping other resources', () => {
    let s = setField(TORQUE, 'torque', 'memory', '16gb');
    expect(s).toContain('#PBS -l walltime=01:00:00,mem=16gb\n');
    s = setField(s, 'torque', 'cpus', '8');
    expect(s).toContain('#PBS -l nodes=2:ppn=8:gpus=1\n');
    s = setField(s, 'torque', 'array', '1-4');
    expect(s).toContain('#PBS -t 1-4\n');
    s = setField(s, 'torque', 'memory', '');
    expect(s).toContain('#PBS -l walltime=01:00:00\n');
    expect(s).toContain('#PBS -l pmem=1gb\n');
    // Node properties stay in the spec.
    expect(
      setField(
        '#!/bin/sh\n#PBS -l nodes=2:bigmem:ppn=4\n',
        'torque',
        'cpus',
        '6'
      )
    ).toBe('#!/bin/sh\n#PBS -l nodes=2:bigmem:ppn=6\n');
  });

  it('writes the other options as OpenPBS does', () => {
    let s = setField(STARTER, 'torque', 'partition', 'batch');
    s = setField(s, 'torque', 'dependency', 'afterok:12');
    s = setField(s, 'torque', 'mail_type', 'abe');
    expect(s).toContain(
      '#PBS -q batch\n#PBS -W depend=afterok:12\n#PBS -m abe\n'
    );
  });

  it('passes extra options as qsub words', () => {
    expect(extraToWords(['-j oe', '-V'], 'torque')).toEqual(['-joe', '-V']);
  });
});

describe('the Torque form', () => {
  it('says what the values mean', () => {
    expect(fieldText('torque', 'memory').label).toBe('Memory, whole job');
    expect(fieldText('torque', 'cpus').label).toBe('CPUs per node (ppn)');
    expect(fieldText('torque', 'array').option).toBe('-t');
    expect(fieldText('pbs', 'array').option).toBe('-J');
  });

  it('refuses an array step, as the server does', () => {
    expect(fieldProblem('torque', 'array', '1-9:2')).toMatch(
      /^Torque arrays have no step/
    );
    expect(fieldProblem('torque', 'array', 'odd')).toContain('odd');
    expect(fieldProblem('torque', 'array', '1-10%2')).toBeNull();
    expect(fieldProblem('torque', 'array', '1,3,5-7')).toBeNull();
    expect(fieldProblem('torque', 'array', '')).toBeNull();
    expect(fieldProblem('pbs', 'array', '1-9:2')).toBeNull();
    expect(fieldProblem('torque', 'name', 'a:b')).toBeNull();
  });
});
