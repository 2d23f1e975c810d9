/**
 * One job's details: polls while live, stops once final, one output tab when
 * stdout and stderr share a file, two otherwise.
 */
import { JobDetail, JobOutputChunk } from '../jobs/api';
import { HPCApiError } from '../common/request';
import { IDetailsApi, JobDetailsModel } from '../jobs/details/model';
import { makeRecord } from './fixtures';

class FakeApi implements IDetailsApi {
  states: JobDetail['job']['state'][] = ['running'];
  detailCalls = 0;
  stderr = '/home/alice/run/slurm-1.out';
  fail: HPCApiError | null = null;
  async fetchJobDetail(jobId: string): Promise<JobDetail> {
    this.detailCalls++;
    if (this.fail) {
      throw this.fail;
    }
    const state =
      this.states.length > 1 ? this.states.shift()! : this.states[0];
    return {
      job: makeRecord({ id: jobId, state, stderr_path: this.stderr }),
      fields: [['JobId', jobId]],
      tasks: [],
      script: '#!/bin/bash\n',
      requested: {},
      used: {}
    };
  }
  async fetchJobOutput(): Promise<JobOutputChunk> {
    return { path: '/x', exists: true, size: 0, start: 0, end: 0, data: '' };
  }
}

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('Timed out waiting for a condition.');
    }
    await new Promise(r => setTimeout(r, 10));
  }
}

describe('JobDetailsModel', () => {
  it('refreshes while the job is live and stops once it is final', async () => {
    const api = new FakeApi();
    api.states = ['running', 'running', 'completed'];
    const model = new JobDetailsModel({
      jobId: '1',
      api,
      interval: 20,
      output: { autoStart: false }
    });
    await waitFor(() => model.detail?.job.state === 'completed');
    expect(model.live).toBe(false);
    const calls = api.detailCalls;
    await new Promise(r => setTimeout(r, 120));
    expect(api.detailCalls).toBe(calls);
    expect(model.outputs.map(t => t.label)).toEqual(['Output']);
    expect(model.outputs[0].model.jobLive).toBe(false);
    model.dispose();
  });

  it('two tabs when stderr has its own file; a 404 stops the polling', async () => {
    const api = new FakeApi();
    api.stderr = '/home/alice/run/err.txt';
    const model = new JobDetailsModel({
      jobId: '2',
      api,
      autoStart: false,
      output: { autoStart: false }
    });
    await model.refresh();
    expect(model.outputs.map(t => t.id)).toEqual(['stdout', 'stderr']);
    model.activeTab = 'stderr';
    expect(model.activeTab).toBe('stderr');

    api.fail = new HPCApiError('Job 2 is not known.', 404);
    await model.refresh();
    expect(model.error?.status).toBe(404);
    expect(model.detail).not.toBeNull(); // the last record stays
    model.dispose();
  });

  it('stops polling another user’s job the batch system will not show', async () => {
    const api = new FakeApi();
    api.fail = new HPCApiError(
      'Torque does not show job 19.torque01 to you: it is another user’s job.',
      403
    );
    const model = new JobDetailsModel({
      jobId: '19.torque01',
      api,
      interval: 20,
      output: { autoStart: false }
    });
    await waitFor(() => model.error?.status === 403);
    const calls = api.detailCalls;
    await new Promise(r => setTimeout(r, 150));
    expect(api.detailCalls).toBe(calls);
    expect(model.error?.message).toContain('does not show job 19.torque01');
    model.dispose();
  });
});
