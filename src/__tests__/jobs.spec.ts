import { ServerConnection } from '@jupyterlab/services';

import {
  decodeJobsResponse,
  fetchJobs,
  jobAction,
  jobsFromColumns,
  submitJob
} from '../jobs/api';
import { HPCApiError, requestAPI } from '../common/request';
import {
  COLUMNS as TABLE_COLUMNS,
  DEFAULT_COLUMNS,
  cellText,
  filterJobs,
  formatAge,
  formatDuration,
  formatTime,
  getColumn,
  normalizeColumns,
  sortJobs,
  whereText
} from '../jobs/queue/jobs';
import { COLUMNS, QUEUE, jobsResponse, makeJob, toRows } from './fixtures';

const ids = (jobs: { id: string }[]) => jobs.map(j => j.id);

/** The error a call rejected with, typed for the assertions. */
async function rejection(promise: Promise<unknown>): Promise<HPCApiError> {
  try {
    await promise;
  } catch (error) {
    return error as HPCApiError;
  }
  throw new Error('The call did not fail.');
}

describe('filterJobs', () => {
  it('returns the same array when nothing filters', () => {
    expect(filterJobs(QUEUE, {})).toBe(QUEUE);
    expect(filterJobs(QUEUE, { text: '  ', state: '' })).toBe(QUEUE);
  });

  it('matches text in any searched field, ignoring case', () => {
    expect(ids(filterJobs(QUEUE, { text: 'TRAIN' }))).toEqual(['100']);
    expect(ids(filterJobs(QUEUE, { text: 'bob' }))).toEqual(['9']);
    expect(ids(filterJobs(QUEUE, { text: 'long' }))).toEqual(['11']);
    expect(ids(filterJobs(QUEUE, { text: 'jobheld' }))).toEqual(['11']);
    expect(ids(filterJobs(QUEUE, { text: 'node10' }))).toEqual(['10_12']);
    expect(ids(filterJobs(QUEUE, { text: '10_' }))).toEqual([
      '10_[5-9]',
      '10_4',
      '10_12'
    ]);
    expect(ids(filterJobs(QUEUE, { text: 'physics' }))).toHaveLength(6);
    expect(filterJobs(QUEUE, { text: 'nothing like it' })).toEqual([]);
  });

  it('filters by state, alone or with text', () => {
    expect(ids(filterJobs(QUEUE, { state: 'pending' }))).toEqual([
      '9',
      '10_[5-9]'
    ]);
    expect(ids(filterJobs(QUEUE, { state: 'pending', text: 'sweep' }))).toEqual(
      ['10_[5-9]']
    );
    expect(filterJobs(QUEUE, { state: 'failed' })).toEqual([]);
  });
});

describe('sortJobs', () => {
  it('sorts ids numerically with array tasks under their parent', () => {
    expect(ids(sortJobs(QUEUE, 'id', 'ascending'))).toEqual([
      '9',
      '10_4',
      '10_[5-9]',
      '10_12',
      '11',
      '100'
    ]);
  });

  it('reverses the id order when descending', () => {
    expect(ids(sortJobs(QUEUE, 'id', 'descending'))).toEqual([
      '100',
      '11',
      '10_12',
      '10_[5-9]',
      '10_4',
      '9'
    ]);
  });

  it('keeps 9 < 10 < 100 and puts ids without a number last', () => {
    const jobs = ['100', 'x.server', '10', '9'].map(id => makeJob({ id }));
    expect(ids(sortJobs(jobs, 'id'))).toEqual(['9', '10', '100', 'x.server']);
  });

  it('puts a task before a range starting at the same number', () => {
    const jobs = [
      makeJob({ id: '7_[3-4]', array_job_id: '7', array_task_id: '[3-4]' }),
      makeJob({ id: '7_3', array_job_id: '7', array_task_id: '3' }),
      makeJob({ id: '7' })
    ];
    expect(ids(sortJobs(jobs, 'id'))).toEqual(['7', '7_3', '7_[3-4]']);
  });

  it('sorts numbers numerically with nulls last in both directions', () => {
    const jobs = [
      makeJob({ id: '1', time_used: 100 }),
      makeJob({ id: '2', time_used: null }),
      makeJob({ id: '3', time_used: 9 }),
      makeJob({ id: '4', time_used: 10 })
    ];
    expect(ids(sortJobs(jobs, 'time_used', 'ascending'))).toEqual([
      '3',
      '4',
      '1',
      '2'
    ]);
    expect(ids(sortJobs(jobs, 'time_used', 'descending'))).toEqual([
      '1',
      '4',
      '3',
      '2'
    ]);
    const nodes = sortJobs(QUEUE, 'nodes', 'descending');
    expect(nodes[nodes.length - 1].id).toBe('11');
  });

  it('treats a null time limit as UNLIMITED, the largest', () => {
    const jobs = [
      makeJob({ id: '1', time_limit: null }),
      makeJob({ id: '2', time_limit: 60 }),
      makeJob({ id: '3', time_limit: 86400 })
    ];
    expect(ids(sortJobs(jobs, 'time_limit'))).toEqual(['2', '3', '1']);
    expect(ids(sortJobs(jobs, 'time_limit', 'descending'))).toEqual([
      '1',
      '3',
      '2'
    ]);
  });

  it('sorts text naturally, empty last, ties by id', () => {
    const jobs = [
      makeJob({ id: '4', nodelist: 'node10' }),
      makeJob({ id: '3', nodelist: '' }),
      makeJob({ id: '2', nodelist: 'node2' }),
      makeJob({ id: '1', nodelist: 'Node2' })
    ];
    expect(ids(sortJobs(jobs, 'nodelist'))).toEqual(['1', '2', '4', '3']);
    expect(ids(sortJobs(jobs, 'nodelist', 'descending'))).toEqual([
      '4',
      '1',
      '2',
      '3'
    ]);
  });

  it('sorts times chronologically', () => {
    const jobs = [
      makeJob({ id: '1', submit_time: '2026-11-22T10:00:00' }),
      makeJob({ id: '2', submit_time: null }),
      makeJob({ id: '3', submit_time: '2026-11-21T23:59:59' })
    ];
    expect(ids(sortJobs(jobs, 'submit_time'))).toEqual(['3', '1', '2']);
  });

  it('sorts the virtual Nodes / reason column by what it shows', () => {
    expect(whereText(QUEUE[1])).toBe('Priority');
    expect(whereText(QUEUE[0])).toBe('node1');
    const sorted = ids(sortJobs(QUEUE, 'where'));
    expect(sorted).toEqual(['11', '100', '10_4', '10_12', '9', '10_[5-9]']);
  });

  it('does not change its input', () => {
    const copy = [...QUEUE];
    sortJobs(QUEUE, 'name', 'descending');
    expect(QUEUE).toEqual(copy);
  });
});

describe('formatting', () => {
  it('formats durations like Slurm', () => {
    expect(formatDuration(null)).toBe('UNLIMITED');
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(4)).toBe('0:04');
    expect(formatDuration(3 * 60 + 4)).toBe('3:04');
    expect(formatDuration(2 * 3600 + 3 * 60 + 4)).toBe('2:03:04');
    expect(formatDuration(86400 + 2 * 3600 + 3 * 60 + 4)).toBe('1-02:03:04');
    expect(formatDuration(3 * 86400)).toBe('3-00:00:00');
    expect(formatDuration(-5)).toBe('0:00');
  });

  it('formats ages', () => {
    expect(formatAge(0)).toBe('0 s ago');
    expect(formatAge(12.7)).toBe('12 s ago');
    expect(formatAge(190)).toBe('3 min ago');
    expect(formatAge(7300)).toBe('2 h ago');
    expect(formatAge(3 * 86400 + 5)).toBe('3 d ago');
  });

  it('formats times and cells', () => {
    expect(formatTime('2026-11-22T00:18:40')).toBe('2026-11-22 00:18');
    expect(formatTime(null)).toBe('');
    expect(cellText(QUEUE[5], 'time_limit')).toBe('UNLIMITED');
    expect(cellText(QUEUE[5], 'nodes')).toBe('');
    expect(cellText(QUEUE[5], 'state')).toBe('Held');
    expect(cellText(QUEUE[4], 'time_used')).toBe('');
  });
});

describe('columns', () => {
  it('call a partition a queue on PBS, and name its commands', () => {
    expect(getColumn('partition')?.label).toBe('Partition');
    expect(getColumn('partition', 'pbs')?.label).toBe('Queue');
    expect(getColumn('partition', 'pbs')?.width).toBe(
      getColumn('partition')?.width
    );
    expect(getColumn('id', 'pbs')?.title).toContain('qdel');
    expect(getColumn('cpus', 'pbs')).toBe(getColumn('cpus'));
    expect(getColumn('nope', 'pbs')).toBeUndefined();
  });

  it('labels every column for a person', () => {
    const labels = Object.fromEntries(TABLE_COLUMNS.map(c => [c.id, c.label]));
    expect(labels.id).toBe('Job ID');
    expect(labels.where).toBe('Nodes / reason');
    expect(labels.time_limit).toBe('Time limit');
    expect(DEFAULT_COLUMNS).toEqual([
      'id',
      'state',
      'name',
      'user',
      'partition',
      'time_used',
      'time_limit',
      'nodes',
      'where'
    ]);
  });

  it('normalizes column settings to known ids in table order', () => {
    expect(normalizeColumns(['state', 'bogus', 'id', 'id'])).toEqual([
      'id',
      'state'
    ]);
    expect(normalizeColumns([])).toEqual(DEFAULT_COLUMNS);
    expect(normalizeColumns(undefined)).toEqual(DEFAULT_COLUMNS);
  });
});

describe('columnar conversion', () => {
  it('turns rows into jobs', () => {
    const jobs = jobsFromColumns(COLUMNS, toRows(QUEUE));
    expect(jobs).toEqual(QUEUE);
  });

  it('indexes columns by name, whatever their order', () => {
    const reversed = [...COLUMNS].reverse();
    const jobs = jobsFromColumns(reversed, toRows(QUEUE, reversed));
    expect(jobs).toEqual(QUEUE);
  });

  it('reads missing columns as empty and ignores unknown ones', () => {
    const [job] = jobsFromColumns(
      ['id', 'state', 'extra'],
      [['5', 'running', 'whatever']]
    );
    expect(job.id).toBe('5');
    expect(job.state).toBe('running');
    expect(job.name).toBe('');
    expect(job.nodes).toBeNull();
    expect(job.array_job_id).toBeNull();
    expect(job).not.toHaveProperty('extra');
  });

  it('decodes full and unchanged answers', () => {
    const full = decodeJobsResponse(jobsResponse(3, QUEUE));
    expect(full.version).toBe(3);
    expect(full.unchanged).toBe(false);
    expect(full.jobs).toEqual(QUEUE);
    const same = decodeJobsResponse({
      version: 3,
      unchanged: true,
      status: full.status
    });
    expect(same.unchanged).toBe(true);
    expect(same.jobs).toBeNull();
  });
});

describe('requestAPI', () => {
  const realFetch = globalThis.fetch;
  let fetchMock: jest.Mock;

  beforeEach(() => {
    fetchMock = jest.fn();
    globalThis.fetch = fetchMock;
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  const answer = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' }
    });

  it('calls the namespace under the base URL and sends `since`', async () => {
    fetchMock.mockResolvedValue(answer(200, jobsResponse(4, QUEUE)));
    const result = await fetchJobs({ scope: 'all', since: 3 });
    expect(result.jobs).toEqual(QUEUE);
    const request = fetchMock.mock.calls[0][0] as Request;
    const url = new URL(request.url);
    const base = ServerConnection.makeSettings().baseUrl;
    expect(request.url.startsWith(`${base}jupyterlab-hpc/jobs?`)).toBe(true);
    expect(url.searchParams.get('scope')).toBe('all');
    expect(url.searchParams.get('since')).toBe('3');
  });

  it('works behind a base URL', async () => {
    fetchMock.mockResolvedValue(answer(200, { ok: 1 }));
    const settings = ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/user/alice/'
    });
    await requestAPI('capabilities', {}, settings);
    const request = fetchMock.mock.calls[0][0] as Request;
    expect(
      request.url.startsWith(
        'http://localhost:8888/user/alice/jupyterlab-hpc/capabilities'
      )
    ).toBe(true);
  });

  it("throws the server's message with the status", async () => {
    fetchMock.mockResolvedValue(
      answer(400, { message: 'Job id "x;rm" is not valid.', detail: 'd' })
    );
    const error = await rejection(jobAction('cancel', ['x;rm']));
    expect(error).toBeInstanceOf(HPCApiError);
    expect(error.message).toBe('Job id "x;rm" is not valid.');
    expect(error.status).toBe(400);
    expect(error.detail).toBe('d');
    const request = fetchMock.mock.calls[0][0] as Request;
    expect(request.method).toBe('POST');
    expect(await request.json()).toEqual({
      action: 'cancel',
      job_ids: ['x;rm']
    });
  });

  it('names the refused field of a submission', async () => {
    fetchMock.mockResolvedValue(
      answer(400, {
        message: "'soon' is not a time limit.",
        detail: '',
        field: 'time_limit'
      })
    );
    const error = await rejection(
      submitJob('#!/bin/bash\n', { time_limit: 'soon' }, true)
    );
    expect(error.status).toBe(400);
    expect(error.field).toBe('time_limit');
    const request = fetchMock.mock.calls[0][0] as Request;
    expect(await request.json()).toEqual({
      script: '#!/bin/bash\n',
      options: { time_limit: 'soon' },
      test_only: true
    });
  });

  it('explains an error without a message', async () => {
    fetchMock.mockResolvedValue(new Response('oops', { status: 502 }));
    const error = await rejection(requestAPI('jobs'));
    expect(error).toBeInstanceOf(HPCApiError);
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/answered 502/);
  });

  it('turns a network failure into status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const error = await rejection(requestAPI('jobs'));
    expect(error).toBeInstanceOf(HPCApiError);
    expect(error.status).toBe(0);
    expect(error.message).toBe(
      'Could not reach the Jupyter server (Failed to fetch).'
    );
  });
});
