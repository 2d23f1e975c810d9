/**
 * Job fixtures shaped like the server's columnar answers.
 */
import type { Job, JobRecord, JobsResponse, QueueStatus } from '../jobs/api';

/** The server's column order (docs/architecture.md). */
export const COLUMNS = [
  'id',
  'array_job_id',
  'array_task_id',
  'name',
  'user',
  'account',
  'partition',
  'qos',
  'state',
  'raw_state',
  'reason',
  'nodelist',
  'nodes',
  'cpus',
  'memory',
  'gres',
  'time_used',
  'time_limit',
  'submit_time',
  'start_time'
];

/** A job with defaults for every field not given. */
export function makeJob(fields: Partial<Job> & { id: string }): Job {
  return {
    array_job_id: null,
    array_task_id: null,
    name: `job-${fields.id}`,
    user: 'alice',
    account: 'physics',
    partition: 'debug',
    qos: 'normal',
    state: 'running',
    raw_state: 'RUNNING',
    reason: '',
    nodelist: 'node1',
    nodes: 1,
    cpus: 1,
    memory: '1G',
    gres: '',
    time_used: 60,
    time_limit: 3600,
    submit_time: '2026-11-22T00:18:40',
    start_time: '2026-11-22T00:18:41',
    ...fields
  };
}

/** Jobs as rows in the given column order. */
export function toRows(jobs: Job[], columns: string[] = COLUMNS): unknown[][] {
  return jobs.map(job =>
    columns.map(c => (job as unknown as Record<string, unknown>)[c])
  );
}

export function okStatus(now = 1763770003.4): QueueStatus {
  return {
    ok: true,
    fetched_at: now - 3,
    error: null,
    error_since: null,
    now
  };
}

export function jobsResponse(
  version: number,
  jobs: Job[],
  status: QueueStatus = okStatus()
): JobsResponse {
  return {
    version,
    unchanged: false,
    status,
    columns: COLUMNS,
    rows: toRows(jobs)
  };
}

/** A small queue: two users, an array with running tasks and a pending range. */
export const QUEUE: Job[] = [
  makeJob({ id: '100', name: 'train model', user: 'alice' }),
  makeJob({
    id: '9',
    name: 'prep',
    user: 'bob',
    state: 'pending',
    raw_state: 'PENDING',
    reason: 'Priority',
    nodelist: '',
    time_used: 0
  }),
  makeJob({
    id: '10_[5-9]',
    array_job_id: '10',
    array_task_id: '[5-9]',
    name: 'sweep',
    state: 'pending',
    raw_state: 'PENDING',
    reason: 'Resources',
    nodelist: '',
    time_used: 0
  }),
  makeJob({
    id: '10_4',
    array_job_id: '10',
    array_task_id: '4',
    name: 'sweep',
    nodelist: 'node2',
    time_used: 120
  }),
  makeJob({
    id: '10_12',
    array_job_id: '10',
    array_task_id: '12',
    name: 'sweep',
    nodelist: 'node10',
    time_used: null
  }),
  makeJob({
    id: '11',
    name: 'held one',
    user: 'carol',
    partition: 'long',
    state: 'held',
    raw_state: 'PENDING',
    reason: 'JobHeldUser',
    nodelist: '',
    nodes: null,
    time_limit: null
  })
];

/** A job's detail record with defaults (stdout and stderr in one file). */
export function makeRecord(
  fields: Partial<JobRecord> & { id: string }
): JobRecord {
  return {
    ...makeJob(fields),
    end_time: null,
    work_dir: '/home/alice/run',
    stdout_path: '/home/alice/run/slurm-1.out',
    stderr_path: '/home/alice/run/slurm-1.out',
    exit_code: null,
    exit_signal: null,
    ...fields
  };
}
