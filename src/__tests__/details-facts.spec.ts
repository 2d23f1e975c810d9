import { familyOf } from '../common/scheduler';
import { headerFacts, scriptMissingText } from '../jobs/details/facts';
import { noScriptReason } from '../jobs/details/resubmit';

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

  it('name a Torque queue too: Torque is of the PBS family', () => {
    expect(headerFacts(job, familyOf('torque'))).toContain('queue workq');
  });

  it('leave out what is not known', () => {
    expect(
      headerFacts({ user: '', partition: '', account: '', nodelist: '' }, 'pbs')
    ).toEqual([]);
  });
});

describe('why a copy cannot be resubmitted', () => {
  it('says PBS keeps scripts from users, and Slurm forgot it', () => {
    expect(noScriptReason({ family: 'pbs', name: 'OpenPBS' })).toContain(
      'administrators'
    );
    expect(noScriptReason({ family: 'slurm', name: 'Slurm' })).toContain(
      'no longer has'
    );
  });
});

describe('why the script is not shown', () => {
  it('on PBS, because only administrators see it', () => {
    expect(scriptMissingText({ family: 'pbs', name: 'PBS' })).toContain(
      'administrators'
    );
    expect(scriptMissingText({ family: 'slurm', name: 'Slurm' })).toContain(
      'your own jobs'
    );
  });

  it('on Torque, in Torque’s name', () => {
    const text = scriptMissingText({ family: 'pbs', name: 'Torque' });
    expect(text).toMatch(
      /^Torque shows a job’s script only to its administrators/
    );
    expect(noScriptReason({ family: 'pbs', name: 'Torque' })).toMatch(
      /^Torque /
    );
  });
});
