/**
 * What a user costs the scheduler (issue 17): the poll cadence (jitter,
 * backoff, floors, the listing's cost), no listing of the whole queue from a
 * closed panel with notifications on (per-job states instead), and no request
 * at all from a hidden browser tab.
 */
import {
  ActionResult,
  Capabilities,
  HistoryResult,
  JobDetail,
  JobsQuery,
  JobsResult,
  JobStatesResult,
  JobStatusAnswer,
  decodeJobsResponse
} from '../jobs/api';
import { IQueueApi, QueueModel } from '../jobs/queue/model';
import { JITTER, MAX_BACKOFF, nextDelay } from '../jobs/queue/cadence';
import { IJobEnding, JobEndWatcher } from '../jobs/details/watcher';
import { JobDetailsModel } from '../jobs/details/model';
import { QUEUE, jobsResponse, makeRecord, okStatus } from './fixtures';

const CAPS: Capabilities = {
  scheduler: {
    kind: 'slurm',
    version: '22.05.8',
    available: true,
    message: '',
    cluster: 'local'
  },
  user: 'alice',
  poll_interval_floor: 0
};

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('Timed out waiting for a condition.');
    }
    await sleep(5);
  }
}

/** The browser tab's visibility, as the Page Visibility API reports it. */
function setTabHidden(hidden: boolean): void {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible')
  });
  document.dispatchEvent(new Event('visibilitychange'));
}

/** One fake server for both clients: counts listings and per-job rounds. */
class FakeServer implements IQueueApi {
  caps = CAPS;
  listings: JobsQuery[] = [];
  rounds: { ids: string[]; maxAge: number; submitted: boolean }[] = [];
  /** Job id -> its state now; absent: not known. */
  states = new Map<string, JobStatusAnswer['job']>();
  submitted: string[] = [];
  failStates = false;
  listingStatus = okStatus();

  fetchCapabilities = jest.fn(async () => this.caps);
  fetchJobs = jest.fn(async (query: JobsQuery): Promise<JobsResult> => {
    this.listings.push({ ...query });
    return decodeJobsResponse({
      ...jobsResponse(this.listings.length, QUEUE),
      status: this.listingStatus
    });
  });
  jobAction = jest.fn(async (): Promise<ActionResult[]> => []);
  fetchJobStates = jest.fn(
    async (
      ids: string[],
      maxAge: number,
      submitted: boolean
    ): Promise<JobStatesResult> => {
      this.rounds.push({ ids: [...ids], maxAge, submitted });
      if (this.failStates) {
        throw new Error('Could not reach the server.');
      }
      const jobs: Record<string, JobStatusAnswer> = {};
      for (const id of submitted ? [...ids, ...this.submitted] : ids) {
        const job = this.states.get(id);
        jobs[id] = job
          ? {
              found: true,
              final: !['pending', 'held', 'running'].includes(job.state),
              source: 'scheduler',
              fetched_at: 0,
              job,
              tasks: []
            }
          : {
              found: false,
              final: false,
              source: 'scheduler',
              fetched_at: 0,
              message: 'not known'
            };
      }
      return { jobs, status: { ok: true, error: null, now: 0 } };
    }
  );
  fetchHistory = jest.fn(async (): Promise<HistoryResult> => ({
    available: true,
    message: '',
    jobs: []
  }));
}

describe('nextDelay', () => {
  const draws = [0, 0.25, 0.5, 0.75, 0.999999];

  it('takes up to 10 % off the setting, never going under the floor', () => {
    for (const r of draws) {
      const d = nextDelay({ setting: 10, floor: 2, errors: 0 }, () => r);
      expect(d).toBeGreaterThanOrEqual(10000 * (1 - JITTER));
      expect(d).toBeLessThanOrEqual(10000);
    }
    // A floor just under the setting bounds the jitter from below.
    for (const r of draws) {
      const d = nextDelay({ setting: 10, floor: 9.5, errors: 0 }, () => r);
      expect(d).toBeGreaterThanOrEqual(9500);
      expect(d).toBeLessThanOrEqual(10000);
    }
  });

  it('adds up to 10 % above a floor that governs (admin or a slow listing)', () => {
    for (const r of draws) {
      const d = nextDelay({ setting: 10, floor: 30, errors: 0 }, () => r);
      expect(d).toBeGreaterThanOrEqual(30000);
      expect(d).toBeLessThanOrEqual(30000 * (1 + JITTER));
    }
  });

  it('spreads polls: different draws, different delays', () => {
    const delays = new Set(
      draws.map(r => nextDelay({ setting: 10, floor: 0, errors: 0 }, () => r))
    );
    expect(delays.size).toBe(draws.length);
  });

  it('backs off: doubles per failure, in its upper quarter, capped at 2 minutes', () => {
    for (const r of draws) {
      for (const errors of [1, 2, 3]) {
        const d = nextDelay({ setting: 10, floor: 0, errors }, () => r);
        const grown = 10000 * 2 ** errors;
        expect(d).toBeGreaterThanOrEqual(grown * 0.75);
        expect(d).toBeLessThanOrEqual(grown);
      }
      const capped = nextDelay({ setting: 10, floor: 0, errors: 50 }, () => r);
      expect(capped).toBeGreaterThanOrEqual(MAX_BACKOFF * 1000 * 0.75);
      expect(capped).toBeLessThanOrEqual(MAX_BACKOFF * 1000);
      // A setting above the cap is never shortened by an error.
      const slow = nextDelay({ setting: 600, floor: 0, errors: 3 }, () => r);
      expect(slow).toBe(600000);
    }
  });
});

describe('the queue panel closed, notifications on', () => {
  let server: FakeServer;
  let queue: QueueModel;
  let watcher: JobEndWatcher;
  let endings: IJobEnding[];

  beforeEach(() => {
    setTabHidden(false);
    server = new FakeServer();
    endings = [];
    // As the plugin wires them: the panel hidden until opened.
    queue = new QueueModel({
      api: server,
      visible: false,
      refreshInterval: 0.03
    });
    watcher = new JobEndWatcher({
      queue,
      api: server,
      notify: e => endings.push(e)
    });
  });
  afterEach(() => {
    watcher.dispose();
    queue.dispose();
    setTabHidden(false);
  });

  it('never lists the queue: the watched jobs are asked about, alone', async () => {
    server.states.set('41', makeRecord({ id: '41', state: 'running' }));
    watcher.expect('41', 'fit');
    await until(() => server.rounds.length >= 4);
    expect(server.fetchJobs).not.toHaveBeenCalled();
    expect(server.rounds.every(r => r.submitted)).toBe(true);
    expect(server.rounds.slice(1).every(r => r.ids.join() === '41')).toBe(true);
    // As fresh as the server's floor allows.
    expect(server.rounds[1].maxAge).toBe(0);
    server.states.set(
      '41',
      makeRecord({ id: '41', state: 'failed', exit_code: 3 })
    );
    await until(() => endings.length === 1);
    expect(endings[0]).toMatchObject({
      jobId: '41',
      state: 'failed',
      exitCode: 3,
      source: 'detail'
    });
    // Nothing left to watch: no more requests of any kind.
    const rounds = server.rounds.length;
    await sleep(150);
    expect(server.rounds.length).toBe(rounds);
    expect(server.fetchJobs).not.toHaveBeenCalled();
  });

  it('asks once at start for the jobs submitted through the server, then nothing', async () => {
    await until(() => server.rounds.length === 1);
    expect(server.rounds[0]).toMatchObject({ ids: [], submitted: true });
    await sleep(150);
    expect(server.rounds.length).toBe(1);
    expect(server.fetchJobs).not.toHaveBeenCalled();
  });

  it('watches a live job submitted through the server from another tab or before a reload', async () => {
    watcher.dispose();
    server.submitted = ['50', '51'];
    server.states.set('50', makeRecord({ id: '50', state: 'pending' }));
    // 51 ended before this tab asked: never announced by it.
    server.states.set('51', makeRecord({ id: '51', state: 'completed' }));
    watcher = new JobEndWatcher({
      queue,
      api: server,
      notify: e => endings.push(e)
    });
    await until(() => watcher.watchedIds.includes('50'));
    expect(watcher.watchedIds).toEqual(['50']);
    server.states.set('50', makeRecord({ id: '50', state: 'completed' }));
    await until(() => endings.length === 1);
    expect(endings.map(e => [e.jobId, e.state])).toEqual([['50', 'completed']]);
    expect(server.fetchJobs).not.toHaveBeenCalled();
  });

  it('the jobs the panel listed while open are watched once it closes', async () => {
    for (const id of ['10', '100']) {
      server.states.set(id, makeRecord({ id, state: 'running' }));
    }
    queue.setVisible(true);
    await until(() => server.listings.length >= 2);
    // While the panel is shown, its listings tell: the watcher asks nothing.
    const rounds = server.rounds.length;
    await sleep(100);
    expect(server.rounds.length).toBe(rounds);
    queue.setVisible(false);
    const listings = server.listings.length;
    await until(() => server.rounds.length > rounds);
    await sleep(100);
    // alice's live jobs of QUEUE: the array 10 by its array id, and 100.
    const asked = new Set(server.rounds.slice(rounds).flatMap(r => r.ids));
    expect([...asked].sort()).toEqual(['10', '100']);
    expect(watcher.watchedIds.sort()).toEqual(['10', '100']);
    expect(server.listings.length).toBe(listings);
  });

  it('a hidden browser tab makes no request, and asks at once when shown again', async () => {
    server.states.set('60', makeRecord({ id: '60', state: 'running' }));
    watcher.expect('60', 'long');
    queue.setVisible(true);
    await until(() => server.listings.length >= 1);
    // Another queue panel elsewhere is closed: this tab has both clients.
    setTabHidden(true);
    const listings = server.listings.length;
    const rounds = server.rounds.length;
    await sleep(200);
    expect(server.listings.length).toBe(listings);
    expect(server.rounds.length).toBe(rounds);
    queue.setVisible(false); // closed while hidden: still nothing
    await sleep(100);
    expect(server.rounds.length).toBe(rounds);
    setTabHidden(false);
    // Stale after more than an interval: at once, not one interval later.
    await until(() => server.rounds.length > rounds, 100);
    expect(server.listings.length).toBe(listings);
  });

  it('backs off while the rounds fail', async () => {
    server.states.set('70', makeRecord({ id: '70', state: 'running' }));
    watcher.expect('70', 'x');
    await until(() => server.rounds.length >= 2);
    server.failStates = true;
    await until(() => watcher.nextDelay > 30);
    const failedAt = server.rounds.length;
    await sleep(200);
    // Unbacked, a 30 ms interval would ask about 7 times in 200 ms.
    expect(server.rounds.length - failedAt).toBeLessThan(4);
    expect(endings).toEqual([]);
  });
});

describe('the listing cadence', () => {
  it('spaces listings by the server-reported cost and floor, never under the setting', async () => {
    const server = new FakeServer();
    server.listingStatus = {
      ...okStatus(),
      min_interval: 9,
      listing_seconds: 0.45
    };
    const queue = new QueueModel({
      api: server,
      refreshInterval: 5,
      autoStart: false
    });
    await queue.refresh();
    expect(queue.effectiveInterval).toBe(9);
    queue.refreshInterval = 20;
    expect(queue.effectiveInterval).toBe(20);
    queue.dispose();
  });

  it('the jittered delay of the open panel stays within the setting', async () => {
    const server = new FakeServer();
    const queue = new QueueModel({
      api: server,
      refreshInterval: 0.05,
      random: () => 0.999
    });
    await until(() => server.listings.length >= 2);
    expect(queue.nextDelay).toBeGreaterThanOrEqual(45);
    expect(queue.nextDelay).toBeLessThanOrEqual(50);
    queue.dispose();
  });
});

describe('an open job details tab', () => {
  afterEach(() => setTabHidden(false));

  it('asks about its one job, and nothing while the browser tab is hidden', async () => {
    let calls = 0;
    const model = new JobDetailsModel({
      jobId: '80',
      interval: 20,
      output: { autoStart: false },
      api: {
        fetchJobDetail: async (jobId: string): Promise<JobDetail> => {
          calls++;
          return {
            job: makeRecord({ id: jobId, state: 'running' }),
            fields: [],
            tasks: [],
            script: null,
            requested: {},
            used: {}
          };
        },
        fetchJobOutput: async () => ({
          path: '/x',
          exists: true,
          size: 0,
          start: 0,
          end: 0,
          data: ''
        })
      }
    });
    await until(() => calls >= 2);
    setTabHidden(true);
    const hidden = calls;
    await sleep(150);
    expect(calls).toBe(hidden);
    setTabHidden(false);
    await until(() => calls > hidden);
    model.dispose();
  });
});
