import { checkOkText, checkingText, refusedText } from '../jobs/submit/outcome';

describe('the Check / Submit outcome words', () => {
  it('on Slurm, say what Slurm answered', () => {
    expect(checkingText('slurm', 'Slurm')).toBe(
      'Asking Slurm whether it would take the job…'
    );
    expect(checkOkText('slurm', 'Slurm', '12:00', 'c1')).toBe(
      'Slurm would take this job; it would start around 12:00 on c1.'
    );
    expect(checkOkText('slurm', 'Slurm', '', null)).toBe(
      'Slurm would take this job.'
    );
    expect(refusedText('slurm', 'Slurm', 'check')).toBe(
      'Slurm would not take the job:'
    );
  });

  it('on PBS, never claim the batch system took a check (it has no dry run)', () => {
    expect(checkingText('pbs', 'OpenPBS')).not.toContain('OpenPBS');
    const ok = checkOkText('pbs', 'OpenPBS', '', null);
    expect(ok).toBe('qsub would accept these options.');
    expect(ok).not.toContain('would take this job');
    expect(refusedText('pbs', 'OpenPBS', 'check')).toBe(
      'qsub would not take these options:'
    );
    expect(refusedText('pbs', 'OpenPBS', 'submit')).toBe(
      'OpenPBS refused the job:'
    );
  });
});
