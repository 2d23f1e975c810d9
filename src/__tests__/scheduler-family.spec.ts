import {
  familyOf,
  familyWords,
  isPbsFamily,
  schedulerName
} from '../common/scheduler';
import { getColumn } from '../jobs/queue/jobs';

describe('the batch system families', () => {
  it('puts Torque with PBS and anything unknown with Slurm', () => {
    expect(familyOf('torque')).toBe('pbs');
    expect(familyOf('pbs')).toBe('pbs');
    expect(familyOf('slurm')).toBe('slurm');
    expect(familyOf(null)).toBe('slurm');
    expect(familyOf(undefined)).toBe('slurm');
    expect(isPbsFamily('torque')).toBe(true);
    expect(isPbsFamily('slurm')).toBe(false);
  });

  it('speaks PBS on Torque: qsub, qdel, qhold, qrls, #PBS, queue', () => {
    expect(familyWords('torque')).toEqual({
      submit: 'qsub',
      cancel: 'qdel',
      hold: 'qhold',
      release: 'qrls',
      directive: '#PBS',
      where: 'queue'
    });
    expect(familyWords('slurm').cancel).toBe('scancel');
    expect(getColumn('partition', familyOf('torque'))?.label).toBe('Queue');
    // Ids carry the server's name: `17[1].torque01`.
    expect(getColumn('id', 'pbs')?.width).toBeGreaterThan(
      getColumn('id')?.width ?? 0
    );
  });

  it('names the product the server found, else the kind', () => {
    expect(schedulerName({ kind: 'torque', flavour: 'Torque' })).toBe('Torque');
    expect(schedulerName({ kind: 'pbs', flavour: 'OpenPBS' })).toBe('OpenPBS');
    expect(schedulerName({ kind: 'torque', flavour: null })).toBe('Torque');
    expect(schedulerName({ kind: 'pbs' })).toBe('PBS');
    expect(schedulerName({ kind: 'slurm', flavour: '' })).toBe('Slurm');
    expect(schedulerName(null)).toBe('Slurm');
  });
});
