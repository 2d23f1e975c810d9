/**
 * "All jobs" on a batch system that shows each user only their own jobs
 * (Torque's query_other_jobs off, recordings 98 and 98b).
 */
import { Capabilities } from '../jobs/api';
import { emptyAllJobsText, ownJobsOnlyNote } from '../jobs/queue/ownJobs';
import { makeJob } from './fixtures';

function torque(ownJobsOnly: boolean | undefined): Capabilities {
  return {
    scheduler: {
      kind: 'torque',
      flavour: 'Torque',
      version: '6.1-dev',
      available: true,
      message: '',
      cluster: 'torque01',
      own_jobs_only: ownJobsOnly
    },
    user: 'alice',
    poll_interval_floor: 0
  };
}

const NOTE =
  'Torque shows each user only their own jobs (its query_other_jobs setting ' +
  'is off): All jobs lists yours alone.';

describe('ownJobsOnlyNote', () => {
  const mine = [makeJob({ id: '6.torque01', user: 'alice' })];

  it('speaks in All jobs when the server hides other users’ jobs', () => {
    expect(ownJobsOnlyNote(torque(true), 'all', mine)).toBe(NOTE);
    expect(ownJobsOnlyNote(torque(true), 'all', [])).toBe(NOTE);
  });

  it('is silent in My jobs, where there is no such rule, and for managers', () => {
    expect(ownJobsOnlyNote(torque(true), 'mine', mine)).toBeNull();
    expect(ownJobsOnlyNote(torque(false), 'all', mine)).toBeNull();
    expect(ownJobsOnlyNote(torque(undefined), 'all', mine)).toBeNull();
    expect(ownJobsOnlyNote(null, 'all', mine)).toBeNull();
    // A manager of the server sees bob's job whatever query_other_jobs says.
    const withBob = [...mine, makeJob({ id: '19.torque01', user: 'bob' })];
    expect(ownJobsOnlyNote(torque(true), 'all', withBob)).toBeNull();
  });
});

describe('emptyAllJobsText', () => {
  it('does not call a queue empty when it only hides others’ jobs', () => {
    expect(emptyAllJobsText(torque(true))).toBe(
      'You have no jobs in the queue, and Torque shows each user only their ' +
        'own jobs (its query_other_jobs setting is off).'
    );
    expect(emptyAllJobsText(torque(false))).toBe(
      'The queue is empty: nobody has a job in it.'
    );
  });
});
