/**
 * The typed REST client of the job feature (the queue, submit, details and
 * history), over `requestAPI` (common/request.ts).
 */
import { requestAPI } from '../common/request';

// ---------------------------------------------------------------------------
// Types of the REST API (see docs/architecture.md)

/** What the server found on this machine. */
export interface Capabilities {
  scheduler: {
    kind: 'slurm' | 'pbs' | 'torque' | null;
    /** The product: `Slurm`, `OpenPBS`, `PBS Professional`, `Torque`; absent from older servers. */
    flavour?: string | null;
    version: string | null;
    available: boolean;
    message: string;
    cluster: string | null;
    /**
     * The batch system shows this user only their own jobs (Torque with its
     * `query_other_jobs` off, the default), so "All jobs" lists theirs alone.
     * Absent from older servers.
     */
    own_jobs_only?: boolean;
  };
  user: string;
  /** The shortest poll interval the server accepts, in seconds. */
  poll_interval_floor: number;
}

/** A job state, normalized across batch systems. */
export type JobState =
  | 'pending'
  | 'held'
  | 'running'
  | 'suspended'
  | 'completing'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'timeout'
  | 'unknown';

/** Every state, in the order a person reads a queue. */
export const JOB_STATES: readonly JobState[] = [
  'running',
  'pending',
  'held',
  'suspended',
  'completing',
  'completed',
  'failed',
  'cancelled',
  'timeout',
  'unknown'
];

/** One job of the queue; the fields are the columns of the jobs listing. */
export interface Job {
  id: string;
  array_job_id: string | null;
  array_task_id: string | null;
  name: string;
  user: string;
  account: string;
  partition: string;
  qos: string;
  state: JobState;
  raw_state: string;
  reason: string;
  nodelist: string;
  nodes: number | null;
  cpus: number | null;
  memory: string;
  gres: string;
  /** Seconds. */
  time_used: number | null;
  /** Seconds; null means unlimited. */
  time_limit: number | null;
  /** ISO 8601 local time. */
  submit_time: string | null;
  start_time: string | null;
}

/** The health of the server's queue snapshot. */
export interface QueueStatus {
  ok: boolean;
  /** When the shown data was last fetched successfully (epoch seconds). */
  fetched_at: number | null;
  error: string | null;
  error_since: number | null;
  /** The server's clock when it answered (epoch seconds). */
  now: number;
  /** How long the last listing took on the server (seconds; absent from older servers). */
  listing_seconds?: number | null;
  /** The server lists at most this often (seconds): its floor, or more for slow listings. */
  min_interval?: number;
  /**
   * Where the rows came from: the batch system, asked by this server, or the
   * hub's queue service (absent from older servers: the batch system).
   */
  source?: 'scheduler' | 'hub';
  /** The hub runs a queue service this server reads (absent: it does not). */
  hub_service?: boolean;
  /** Why this server lists the queue itself although the hub runs a service. */
  source_error?: string | null;
  /** The service serves each user only their own jobs. */
  hub_private?: boolean | null;
}

/** The wire format of `GET jobs`: columnar, to keep 50,000 jobs small. */
export interface JobsResponse {
  version: number;
  unchanged: boolean;
  status: QueueStatus;
  columns?: string[];
  rows?: unknown[][];
}

/** `GET jobs` decoded: `jobs` is null when the answer is `unchanged`. */
export interface JobsResult {
  version: number;
  unchanged: boolean;
  status: QueueStatus;
  jobs: Job[] | null;
}

export type JobAction = 'cancel' | 'hold' | 'release';

/** What the scheduler said about one job of an action. */
export interface ActionResult {
  job_id: string;
  ok: boolean;
  message: string;
}

export interface Partition {
  name: string;
  default: boolean;
  available: string;
  time_limit: number | null;
  nodes: number | null;
  cpus_idle: number | null;
  cpus_total: number | null;
}

export interface JobsQuery {
  scope?: 'mine' | 'all';
  since?: number | null;
  partition?: string;
  state?: JobState | '';
  name?: string;
}

// ---------------------------------------------------------------------------
// Columnar decoding

const str = (row: unknown[], i: number): string => {
  const v = i < 0 ? null : row[i];
  return v === null || v === undefined ? '' : String(v);
};
const strOrNull = (row: unknown[], i: number): string | null => {
  const v = i < 0 ? null : row[i];
  return v === null || v === undefined ? null : String(v);
};
const numOrNull = (row: unknown[], i: number): number | null => {
  const v = i < 0 ? null : row[i];
  return typeof v === 'number' ? v : null;
};

/**
 * Turn the columnar `columns`/`rows` of a jobs answer into `Job` objects.
 *
 * Columns are looked up by name once, so the server may reorder or add
 * columns; a missing column reads as empty/null. Every object is built with
 * the same literal so they share one hidden class (fast at 50,000 rows).
 */
export function jobsFromColumns(columns: string[], rows: unknown[][]): Job[] {
  const at = (name: keyof Job): number => columns.indexOf(name);
  const cId = at('id');
  const cArrayJob = at('array_job_id');
  const cArrayTask = at('array_task_id');
  const cName = at('name');
  const cUser = at('user');
  const cAccount = at('account');
  const cPartition = at('partition');
  const cQos = at('qos');
  const cState = at('state');
  const cRawState = at('raw_state');
  const cReason = at('reason');
  const cNodelist = at('nodelist');
  const cNodes = at('nodes');
  const cCpus = at('cpus');
  const cMemory = at('memory');
  const cGres = at('gres');
  const cTimeUsed = at('time_used');
  const cTimeLimit = at('time_limit');
  const cSubmit = at('submit_time');
  const cStart = at('start_time');

  const jobs = new Array<Job>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    jobs[r] = {
      id: str(row, cId),
      array_job_id: strOrNull(row, cArrayJob),
      array_task_id: strOrNull(row, cArrayTask),
      name: str(row, cName),
      user: str(row, cUser),
      account: str(row, cAccount),
      partition: str(row, cPartition),
      qos: str(row, cQos),
      state: (str(row, cState) || 'unknown') as JobState,
      raw_state: str(row, cRawState),
      reason: str(row, cReason),
      nodelist: str(row, cNodelist),
      nodes: numOrNull(row, cNodes),
      cpus: numOrNull(row, cCpus),
      memory: str(row, cMemory),
      gres: str(row, cGres),
      time_used: numOrNull(row, cTimeUsed),
      time_limit: numOrNull(row, cTimeLimit),
      submit_time: strOrNull(row, cSubmit),
      start_time: strOrNull(row, cStart)
    };
  }
  return jobs;
}

/** Decode a jobs answer (exported for tests). */
export function decodeJobsResponse(data: JobsResponse): JobsResult {
  const jobs =
    data.unchanged || !data.columns || !data.rows
      ? null
      : jobsFromColumns(data.columns, data.rows);
  return {
    version: data.version,
    unchanged: Boolean(data.unchanged),
    status: data.status,
    jobs
  };
}

// ---------------------------------------------------------------------------
// Endpoints

export function fetchCapabilities(): Promise<Capabilities> {
  return requestAPI<Capabilities>('capabilities');
}

/** `GET jobs`; pass the last `version` as `since` to get a cheap `unchanged`. */
export async function fetchJobs(query: JobsQuery = {}): Promise<JobsResult> {
  const params = new URLSearchParams();
  params.set('scope', query.scope ?? 'mine');
  if (query.since !== undefined && query.since !== null) {
    params.set('since', String(query.since));
  }
  if (query.partition) {
    params.set('partition', query.partition);
  }
  if (query.state) {
    params.set('state', query.state);
  }
  if (query.name) {
    params.set('name', query.name);
  }
  const data = await requestAPI<JobsResponse>(`jobs?${params.toString()}`);
  return decodeJobsResponse(data);
}

/** `POST jobs/actions`: one result per job id. */
export async function jobAction(
  action: JobAction,
  jobIds: string[]
): Promise<ActionResult[]> {
  const data = await requestAPI<{ results: ActionResult[] }>('jobs/actions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ action, job_ids: jobIds })
  });
  return data.results;
}

export async function fetchPartitions(): Promise<Partition[]> {
  const data = await requestAPI<{ partitions: Partition[] }>('partitions');
  return data.partitions;
}

// ---------------------------------------------------------------------------
// Submission, job details, output and history (issue 6; the contract is in
// docs/architecture.md, "Submit, details, output and history")

/** The submit form; every field is optional and maps to one scheduler option. */
export interface SubmitOptions {
  name?: string | null;
  partition?: string | null;
  account?: string | null;
  qos?: string | null;
  nodes?: number | null;
  /** Number of tasks. */
  ntasks?: number | null;
  /** CPUs per task. */
  cpus?: number | null;
  /** Memory per node, e.g. `4G`. */
  memory?: string | null;
  /** Minutes, or `[days-]hours:minutes:seconds`. */
  time_limit?: string | null;
  gpus?: number | null;
  /** A Slurm GRES spec such as `gpu:a100:2`. */
  gres?: string | null;
  /** An array spec such as `1-10%2`. */
  array?: string | null;
  /** e.g. `afterok:123`. */
  dependency?: string | null;
  /** Absolute, or relative to the server's root folder. */
  workdir?: string | null;
  output?: string | null;
  error?: string | null;
  /** Comma-separated events, e.g. `END,FAIL`. */
  mail_type?: string | null;
  mail_user?: string | null;
  hold?: boolean;
  /** Native options, one argv word each. */
  extra?: string[];
}

/** `POST jobs/submit` answer. */
export interface SubmitResult {
  /** Null for a test-only check. */
  job_id: string | null;
  /** The scheduler's own words. */
  message: string;
  test_only: boolean;
  /** ISO 8601 local time, from a Slurm check. */
  estimated_start: string | null;
  nodes: string | null;
}

/** A job with what is known once it ran (from details and history). */
export interface JobRecord extends Job {
  end_time: string | null;
  work_dir: string;
  stdout_path: string;
  stderr_path: string;
  exit_code: number | null;
  exit_signal: number | null;
}

/** `GET jobs/{id}` answer. */
/**
 * What a job asked for and used, in plain numbers (seconds, bytes): the
 * efficiency and the next run's request come from it (`rightsize/`).
 */
export interface JobUsage {
  /** False while the job may still use more. */
  ended: boolean;
  elapsed: number | null;
  time_limit: number | null;
  cpus: number | null;
  nodes: number | null;
  /** CPU seconds of all the job's processes. */
  total_cpu: number | null;
  /** Bytes, for `memory_per`. */
  memory_requested: number | null;
  /** `job` (the whole job's), `node`, `cpu`, or '' when none was asked. */
  memory_per: 'job' | 'node' | 'cpu' | '';
  /**
   * Bytes: on Slurm one task's peak resident memory (of the step with the
   * largest), on PBS and Torque the whole job's.
   */
  max_rss: number | null;
  /** Tasks per node of that step (Slurm; 1 on PBS). */
  rss_tasks_per_node: number;
}

export interface JobDetail {
  job: JobRecord;
  /** Every field the scheduler reported, raw, in its order. */
  fields: [string, string][];
  /** The other records of an array job. */
  tasks: JobRecord[];
  /** The batch script, when the scheduler still has it. */
  script: string | null;
  requested: Record<string, string>;
  used: Record<string, string>;
  /** An ended job's figures, when the batch system keeps them. */
  usage?: JobUsage | null;
}

export type OutputStream = 'stdout' | 'stderr';

/** `GET jobs/{id}/output` answer: the bytes `[start, end)` of the file as text. */
export interface JobOutputChunk {
  path: string;
  exists: boolean;
  /** The file's size in bytes when read. */
  size: number;
  start: number;
  end: number;
  data: string;
}

/** Where to read a job's output from. */
export interface OutputRange {
  /** Read forward from this byte offset (follow mode). */
  offset?: number;
  /** Read the bytes just before this offset ("load earlier"). */
  before?: number;
  /** At most this many bytes (the server caps it). */
  limit?: number;
}

/** One finished (or running) job from the scheduler's accounting. */
export interface HistoryRecord extends JobRecord {
  /** Seconds. */
  elapsed: number | null;
  total_cpu: number | null;
  /** 0..1 */
  cpu_efficiency: number | null;
  max_rss: string;
  usage?: JobUsage | null;
}

export interface HistoryQuery {
  /** ISO 8601 local time, e.g. `2026-11-21T00:00:00`. */
  start: string;
  end?: string | null;
  states?: JobState[];
  limit?: number;
}

/** `GET history` answer: `available` false means the site keeps no accounting. */
export interface HistoryResult {
  available: boolean;
  message: string;
  jobs: HistoryRecord[];
}

/** A submit template: from the site admin (read-only) or the user's own. */
export interface SubmitTemplate {
  name: string;
  source: 'site' | 'user';
  description: string;
  script: string;
  options: SubmitOptions;
}

const jsonInit = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body)
});

/** `POST jobs/submit`: submit, or only check with `testOnly`. */
export function submitJob(
  script: string,
  options: SubmitOptions,
  testOnly = false
): Promise<SubmitResult> {
  return requestAPI<SubmitResult>(
    'jobs/submit',
    jsonInit('POST', { script, options, test_only: testOnly })
  );
}

export function fetchJobDetail(jobId: string): Promise<JobDetail> {
  return requestAPI<JobDetail>(`jobs/${encodeURIComponent(jobId)}`);
}

/** Why one of the user's waiting jobs waits (`GET jobs/pending`). */
export interface PendingExplanation {
  job_id: string;
  /** The batch system's own reason (Slurm's code, PBS's comment). */
  reason: string;
  /** The reason in words with the facts that make it concrete. */
  summary: string;
  /** What the user can do; empty when nothing. */
  advice: string;
  /** The expected start as the batch system gives it; null when it gives none. */
  expected_start: string | null;
  facts: Record<string, unknown>;
}

/** `GET jobs/pending` answer. */
export interface PendingResult {
  jobs: PendingExplanation[];
  /** Seconds: the server asks about each job at most this often. */
  refresh_interval: number;
}

/** The user's pending and held jobs explained; one job's with `jobId`. */
export function fetchPending(jobId?: string): Promise<PendingResult> {
  const query = jobId ? `?job=${encodeURIComponent(jobId)}` : '';
  return requestAPI<PendingResult>(`jobs/pending${query}`);
}

/** What `POST jobs/states` says about one job id. */
export interface JobStatusAnswer {
  /** False: the batch system does not know the job (never existed, or forgotten). */
  found: boolean;
  /** Every record (an array's tasks too) is in a final state. */
  final: boolean;
  /** A per-job query, or the server's shared listing when it was fresh. */
  source: 'scheduler' | 'listing';
  /** When the server learned it (epoch seconds). */
  fetched_at: number;
  job?: JobRecord;
  tasks?: JobRecord[];
  /** Why it is not known (when `found` is false). */
  message?: string;
}

/** `POST jobs/states` answer. */
export interface JobStatesResult {
  /** Per asked id; an id the server could not ask about (scheduler failing) is absent. */
  jobs: Record<string, JobStatusAnswer>;
  status: { ok: boolean; error: string | null; now: number };
}

/** At most this many ids per `POST jobs/states` (the server's bound). */
export const MAX_STATE_IDS = 100;

/**
 * The state of a few jobs from per-job queries on the server (never a listing
 * of the whole queue), answered from the server's cache when younger than
 * `maxAge` seconds (the server's floor at least). With `submitted`, the jobs
 * submitted through this server that have not ended are answered too.
 */
export function fetchJobStates(
  ids: string[],
  maxAge: number,
  submitted = false
): Promise<JobStatesResult> {
  return requestAPI<JobStatesResult>(
    'jobs/states',
    jsonInit('POST', { ids, max_age: maxAge, submitted })
  );
}

export function fetchJobOutput(
  jobId: string,
  stream: OutputStream,
  range: OutputRange = {}
): Promise<JobOutputChunk> {
  const params = new URLSearchParams({ stream });
  if (range.offset !== undefined) {
    params.set('offset', String(range.offset));
  }
  if (range.before !== undefined) {
    params.set('before', String(range.before));
  }
  if (range.limit !== undefined) {
    params.set('limit', String(range.limit));
  }
  return requestAPI<JobOutputChunk>(
    `jobs/${encodeURIComponent(jobId)}/output?${params.toString()}`
  );
}

export function fetchHistory(query: HistoryQuery): Promise<HistoryResult> {
  const params = new URLSearchParams({ start: query.start });
  if (query.end) {
    params.set('end', query.end);
  }
  if (query.states && query.states.length > 0) {
    params.set('state', query.states.join(','));
  }
  if (query.limit !== undefined) {
    params.set('limit', String(query.limit));
  }
  return requestAPI<HistoryResult>(`history?${params.toString()}`);
}

/** `GET submit/templates` answer; `warnings` says when the user's file was unreadable. */
export interface TemplateList {
  templates: SubmitTemplate[];
  warnings: string[];
}

export async function fetchTemplates(): Promise<SubmitTemplate[]> {
  return (await fetchTemplateList()).templates;
}

/** The templates with the server's warnings (a corrupt file kept aside). */
export function fetchTemplateList(): Promise<TemplateList> {
  return requestAPI<TemplateList>('submit/templates');
}

export function saveTemplate(
  name: string,
  template: Pick<SubmitTemplate, 'description' | 'script' | 'options'>
): Promise<SubmitTemplate> {
  return requestAPI<SubmitTemplate>(
    `submit/templates/${encodeURIComponent(name)}`,
    jsonInit('PUT', template)
  );
}

export async function deleteTemplate(name: string): Promise<void> {
  await requestAPI<unknown>(`submit/templates/${encodeURIComponent(name)}`, {
    method: 'DELETE'
  });
}
