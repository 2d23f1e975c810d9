import { headerFacts } from '../details/facts';

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
