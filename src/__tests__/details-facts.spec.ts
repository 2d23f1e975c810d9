import { headerFacts, scriptMissingText } from '../details/facts';
import { noScriptReason } from '../details/resubmit';

const job = {
  user: 'alice',
  partition: 'workq',
  account: '',
  nodelist: 'node01'
};

describe('the facts under a job title', () => {
  it('name a Slurm partition', () => {
    expect(headerFacts(job, 'slurm')).toEqual([
      'user alice',
      'partition workq',
      'on node01'
    ]);
  });

  it('name a PBS queue', () => {
    expect(headerFacts(job, 'pbs')).toEqual([
      'user alice',
      'queue workq',
      'on node01'
    ]);
  });

  it('leave out what is not known', () => {
    expect(
      headerFacts({ user: '', partition: '', account: '', nodelist: '' }, 'pbs')
    ).toEqual([]);
  });
});

describe('why a copy cannot be resubmitted', () => {
  it('says PBS keeps scripts from users, and Slurm forgot it', () => {
    expect(noScriptReason('pbs')).toContain('administrators');
    expect(noScriptReason('slurm')).toContain('no longer has');
  });
});

describe('why the script is not shown', () => {
  it('on PBS, because only administrators see it', () => {
    expect(scriptMissingText('pbs')).toContain('administrators');
    expect(scriptMissingText('slurm')).toContain('your own jobs');
  });
});
