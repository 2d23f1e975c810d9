import {
  ActionResult,
  Capabilities,
  JobDetail,
  JobOutputChunk,
  JobsQuery,
  PendingExplanation,
  PendingResult,
  decodeJobsResponse
} from '../jobs/api';
import { cellText } from '../jobs/queue/jobs';
import { IQueueApi, QueueModel } from '../jobs/queue/model';
import { PendingModel } from '../jobs/queue/pending';
import { pendingLines, pendingTooltip } from '../jobs/queue/pendingWords';
import { IDetailsApi, JobDetailsModel } from '../jobs/details/model';
import { QUEUE, jobsResponse, makeJob, makeRecord } from './fixtures';

const RESOURCES: PendingExplanation = {
  job_id: '10_[5-9]',
  reason: 'Resources',
  summary: 'Waiting for 4 GPUs on gpu; 2 are free now',
  advice: 'It starts when running jobs end.',
  expected_start: '2026-12-04T22:11:12',
  facts: { gpus: 4, gpus_free: 2 }
};

const pendingJob = makeJob({
  id: '10_[5-9]',
  state: 'pending',
  raw_state: 'PENDING',
  reason: 'Resources',
  nodelist: ''
});

describe('the cells and words of a waiting job', () => {
  it('shows the explanation in Why pending, Expected start and Nodes / reason', () => {
    expect(cellText(pendingJob, 'why', RESOURCES)).toBe(RESOURCES.summary);
    expect(cellText(pendingJob, 'expected_start', RESOURCES)).toBe(
      '2026-12-04 22:11'
    );
    expect(cellText(pendingJob, 'where', RESOURCES)).toBe(RESOURCES.summary);
  });

  it('falls back to the listing reason, and shows nothing for a running job', () => {
    expect(cellText(pendingJob, 'why')).toBe('Resources');
    expect(cellText(pendingJob, 'expected_start')).toBe('');
    expect(cellText(pendingJob, 'where')).toBe('Resources');
    const running = makeJob({ id: '5' });
    expect(cellText(running, 'why', RESOURCES)).toBe('');
    expect(cellText(running, 'expected_start', RESOURCES)).toBe('');
    expect(cellText(running, 'where', RESOURCES)).toBe('node1');
  });

  it('says why, when and what to do in the tooltip and the details', () => {
    expect(pendingTooltip(pendingJob, RESOURCES)).toBe(
      'Job 10_[5-9] waits: Waiting for 4 GPUs on gpu; 2 are free now.\n' +
        'Expected start: 2026-12-04 22:11.\n' +
        'What you can do: It starts when running jobs end.\n' +
        '(Resources)'
    );
    expect(pendingTooltip(pendingJob, undefined)).toBe('');
    expect(pendingTooltip(makeJob({ id: '5' }), RESOURCES)).toBe('');
    const held: PendingExplanation = {
      ...RESOURCES,
      reason: 'User hold',
      summary: 'User hold',
      advice: '',
      expected_start: null
    };
    expect(pendingLines(held)).toEqual([['Reason', 'User hold']]);
    expect(pendingLines(RESOURCES)).toEqual([
      ['Reason', RESOURCES.summary],
      ['Expected start', '2026-12-04 22:11'],
      ['What you can do', RESOURCES.advice],
      ['Reason code', 'Resources']
    ]);
  });
});

describe('PendingModel', () => {
  const answer = (jobs: PendingExplanation[]): PendingResult => ({
    jobs,
    refresh_interval: 60
  });

  it('asks once per the server interval, sooner for a new waiting job', async () => {
    let now = 0;
    const fetchPending = jest.fn(async () => answer([RESOURCES]));
    const model = new PendingModel({ fetchPending, now: () => now });
    await model.update(['10_[5-9]']);
    expect(fetchPending).toHaveBeenCalledTimes(1);
    expect(model.get('10_[5-9]')).toEqual(RESOURCES);
    now = 30_000;
    await model.update(['10_[5-9]']);
    expect(fetchPending).toHaveBeenCalledTimes(1); // within 60 s
    await model.update(['10_[5-9]', '12']); // a new one: not explained yet
    expect(fetchPending).toHaveBeenCalledTimes(2);
    now = 35_000;
    await model.update(['10_[5-9]', '12']); // still unexplained, but under 10 s
    expect(fetchPending).toHaveBeenCalledTimes(2);
    now = 91_000;
    await model.update(['10_[5-9]']);
    expect(fetchPending).toHaveBeenCalledTimes(3);
  });

  it('asks nothing without waiting jobs, and forgets the explanations', async () => {
    const fetchPending = jest.fn(async () => answer([RESOURCES]));
    const model = new PendingModel({ fetchPending, now: () => 0 });
    await model.update([]);
    expect(fetchPending).not.toHaveBeenCalled();
    await model.update(['10_[5-9]']);
    const changed = jest.fn();
    model.changed.connect(changed);
    await model.update([]);
    expect(model.get('10_[5-9]')).toBeUndefined();
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('keeps the last explanations when a request fails', async () => {
    let now = 0;
    const fetchPending = jest
      .fn<Promise<PendingResult>, []>()
      .mockResolvedValueOnce(answer([RESOURCES]))
      .mockRejectedValueOnce(new Error('down'));
    const model = new PendingModel({ fetchPending, now: () => now });
    await model.update(['10_[5-9]']);
    now = 61_000;
    await model.update(['10_[5-9]']);
    expect(fetchPending).toHaveBeenCalledTimes(2);
    expect(model.get('10_[5-9]')).toEqual(RESOURCES);
  });
});

describe('the queue model asks for explanations of the user’s waiting jobs only', () => {
  const caps = (user: string): Capabilities => ({
    scheduler: {
      kind: 'slurm',
      version: '22.05.8',
      available: true,
      message: '',
      cluster: 'local'
    },
    user,
    poll_interval_floor: 0
  });

  function api(user: string): IQueueApi & { fetchPending: jest.Mock } {
    return {
      fetchCapabilities: jest.fn(async () => caps(user)),
      fetchJobs: jest.fn(async (_q: JobsQuery) =>
        decodeJobsResponse(jobsResponse(1, QUEUE))
      ),
      jobAction: jest.fn(async (): Promise<ActionResult[]> => []),
      fetchPending: jest.fn(async () => ({
        jobs: [RESOURCES],
        refresh_interval: 60
      }))
    };
  }

  it('alice has a waiting array range: asked, and the model emits', async () => {
    const fake = api('alice');
    const model = new QueueModel({ api: fake, autoStart: false });
    await model.refresh();
    await new Promise(r => setTimeout(r, 0));
    expect(fake.fetchPending).toHaveBeenCalledTimes(1);
    expect(model.pending?.get('10_[5-9]')).toEqual(RESOURCES);
    model.dispose();
  });

  it('dave has no job in the listing: nothing asked', async () => {
    const fake = api('dave');
    const model = new QueueModel({ api: fake, autoStart: false });
    await model.refresh();
    await new Promise(r => setTimeout(r, 0));
    expect(fake.fetchPending).not.toHaveBeenCalled();
    model.dispose();
  });
});

describe('the job details ask why a waiting job waits', () => {
  function detailsApi(states: JobDetail['job']['state'][]) {
    const fetchPending = jest.fn(async (jobId: string) => ({
      jobs: [{ ...RESOURCES, job_id: jobId }],
      refresh_interval: 60
    }));
    const api: IDetailsApi = {
      fetchJobDetail: async (jobId: string) => ({
        job: makeRecord({
          id: jobId,
          state: states.length > 1 ? states.shift()! : states[0]
        }),
        fields: [],
        tasks: [],
        script: null,
        requested: {},
        used: {}
      }),
      fetchJobOutput: async (): Promise<JobOutputChunk> => ({
        path: '/x',
        exists: true,
        size: 0,
        start: 0,
        end: 0,
        data: ''
      }),
      fetchPending
    };
    return { api, fetchPending };
  }

  it('once per the server interval while pending, and drops it when it runs', async () => {
    const { api, fetchPending } = detailsApi(['pending', 'pending', 'running']);
    const model = new JobDetailsModel({
      jobId: '7',
      api,
      autoStart: false,
      output: { autoStart: false }
    });
    await model.refresh();
    await new Promise(r => setTimeout(r, 0));
    expect(fetchPending).toHaveBeenCalledWith('7');
    expect(model.pending?.summary).toBe(RESOURCES.summary);
    await model.refresh(); // within 60 s: not asked again
    expect(fetchPending).toHaveBeenCalledTimes(1);
    await model.refresh(); // running now
    expect(model.pending).toBeNull();
    expect(fetchPending).toHaveBeenCalledTimes(1);
    model.dispose();
  });
});
