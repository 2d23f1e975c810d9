/**
 * The submit tab's line beside the partition: what is free there now (the
 * shared cluster summary) and when the job would start (`--test-only`),
 * asked again after quiet when the script, the partition or the summary
 * change; PBS gets free figures only.
 */
import type { ClusterAnswer, PartitionSummary } from '../cluster/api';
import type {
  Capabilities,
  Partition,
  SubmitOptions,
  SubmitResult
} from '../jobs/api';
import { HPCApiError } from '../common/request';
import { estimateText, freeNowText } from '../jobs/submit/availability';
import { SubmitAvailability } from '../jobs/submit/availabilityModel';
import { SubmitModel } from '../jobs/submit/model';

function part(
  name: string,
  cpusFree: number,
  extra: Partial<PartitionSummary> = {}
): PartitionSummary {
  const none = {
    idle: 0,
    mixed: 0,
    allocated: 0,
    reserved: 0,
    drained: 0,
    down: 0,
    other: 0
  };
  return {
    name,
    default: name === 'debug',
    state: 'up',
    nodes: 2,
    node_states: { ...none, idle: 1, mixed: 1 },
    cpus: { total: 8, free: cpusFree, allocated: 8 - cpusFree, unavailable: 0 },
    memory: { total: 12288, free: 10240, allocated: 2048, unavailable: 0 },
    gpus: { total: 0, free: 0, allocated: 0, unavailable: 0 },
    limits: {
      max_time: null,
      default_time: null,
      max_nodes: null,
      min_nodes: null,
      max_cpus_per_node: null,
      max_memory_per_node: null
    },
    access: {
      accounts: null,
      groups: null,
      qos: null,
      users: null,
      deny_accounts: [],
      deny_qos: []
    },
    routes_to: [],
    ...extra
  };
}

describe('the words', () => {
  it('says what is free now, GPUs only where there are some', () => {
    expect(freeNowText(part('debug', 6), 'partition')).toBe(
      'Free now on debug: 6 of 8 CPUs, 10 GiB of 12 GiB memory, 1 of 2 nodes idle'
    );
    const gpu = part('gpu', 2, {
      gpus: { total: 4, free: 2, allocated: 2, unavailable: 0 }
    });
    expect(freeNowText(gpu, 'partition')).toContain('2 of 4 GPUs');
    expect(freeNowText(part('workq', 1, { state: 'down' }), 'queue')).toBe(
      'The queue workq is down: it takes no new jobs now.'
    );
    expect(freeNowText(undefined, 'partition')).toBe('');
  });

  it('says when the test submission would start', () => {
    const result: SubmitResult = {
      job_id: null,
      message:
        'sbatch: Job 9 to start at 2026-12-04T14:05:00 using 1 processors on nodes vm in partition debug',
      test_only: true,
      estimated_start: '2026-12-04T14:05:00',
      nodes: 'vm'
    };
    expect(estimateText(result)).toBe('Would start at 2026-12-04 14:05 on vm');
    expect(estimateText({ ...result, estimated_start: null })).toBe(
      result.message
    );
  });
});

const PARTITIONS: Partition[] = [
  {
    name: 'debug',
    default: true,
    available: 'up',
    time_limit: 3600,
    nodes: 1,
    cpus_idle: 2,
    cpus_total: 2
  },
  {
    name: 'long',
    default: false,
    available: 'up',
    time_limit: null,
    nodes: 1,
    cpus_idle: 2,
    cpus_total: 2
  }
];

class Fake {
  kind: 'slurm' | 'pbs' = 'slurm';
  version = 1;
  free = 6;
  sent: { script: string; testOnly: boolean }[] = [];
  clusterCalls: (number | undefined)[] = [];
  fail = false;
  caps = async (): Promise<Capabilities> => ({
    scheduler: {
      kind: this.kind,
      version: '1',
      available: true,
      message: '',
      cluster: 'c'
    },
    user: 'alice',
    poll_interval_floor: 0
  });
  fetchCluster = async (since?: number): Promise<ClusterAnswer> => {
    this.clusterCalls.push(since);
    const tail = {
      version: this.version,
      kind: this.kind,
      refresh_interval: 60,
      status: {
        ok: true,
        fetched_at: 1,
        error: null,
        error_since: null,
        now: 1
      }
    };
    if (since === this.version) {
      return { ...tail, unchanged: true };
    }
    return {
      ...tail,
      unchanged: false,
      partitions: [part('debug', this.free), part('long', 1)],
      total: part('', this.free)
    };
  };
  submitJob = async (
    script: string,
    _o: SubmitOptions,
    testOnly: boolean
  ): Promise<SubmitResult> => {
    this.sent.push({ script, testOnly });
    if (this.fail) {
      throw new HPCApiError(
        'sbatch: error: invalid partition specified: nope',
        400
      );
    }
    return {
      job_id: null,
      message: 'ok',
      test_only: true,
      estimated_start: `2026-12-04T14:0${this.sent.length}:00`,
      nodes: 'vm'
    };
  };
}

async function setUp(kind: 'slurm' | 'pbs' = 'slurm') {
  const fake = new Fake();
  fake.kind = kind;
  const model = new SubmitModel({
    api: {
      fetchCapabilities: fake.caps,
      fetchPartitions: async () => PARTITIONS,
      fetchTemplates: async () => [],
      saveTemplate: async () => {
        throw new Error('no');
      },
      deleteTemplate: async () => undefined,
      submitJob: fake.submitJob
    }
  });
  await model.load();
  const availability = new SubmitAvailability({
    model,
    api: fake,
    delay: 20,
    minGap: 0,
    autoStart: false
  });
  return { fake, model, availability };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('SubmitAvailability', () => {
  it('shows the chosen partition, and follows the partition field', async () => {
    const { fake, model, availability } = await setUp();
    await availability.refresh();
    expect(availability.partition?.name).toBe('debug'); // the default
    expect(availability.partition?.cpus.free).toBe(6);
    model.setField('partition', 'long');
    model.commitField('partition');
    expect(availability.partition?.name).toBe('long');
    // Asking again with the version it has: the server says unchanged.
    await availability.refresh();
    expect(fake.clusterCalls).toEqual([undefined, 1]);
    availability.dispose();
  });

  it('estimates after quiet, once per change of script or resources', async () => {
    const { fake, model, availability } = await setUp();
    await availability.refresh();
    model.setScript(model.script + '\necho 1\n');
    model.setScript(model.script + 'echo 2\n');
    await sleep(80);
    expect(fake.sent).toHaveLength(1); // the two edits: one request
    expect(fake.sent[0].testOnly).toBe(true);
    expect(availability.estimate?.estimated_start).toBe('2026-12-04T14:01:00');
    await sleep(60);
    expect(fake.sent).toHaveLength(1); // nothing changed: not asked again
    fake.version = 2;
    fake.free = 0;
    await availability.refresh(); // the summary changed: asked again
    await sleep(80);
    expect(fake.sent).toHaveLength(2);
    expect(availability.partition?.cpus.free).toBe(0);
    fake.fail = true;
    model.setScript(model.script + 'echo 3\n');
    await sleep(80);
    expect(availability.estimate).toBeNull();
    expect(availability.estimateError).toContain('invalid partition');
    availability.dispose();
  });

  it('PBS: free figures only, no test submission', async () => {
    const { fake, model, availability } = await setUp('pbs');
    await availability.refresh();
    model.setScript(model.script + '\necho 1\n');
    await sleep(80);
    expect(fake.sent).toHaveLength(0);
    expect(availability.canEstimate).toBe(false);
    expect(availability.partition?.name).toBe('debug');
    availability.dispose();
  });

  it('a hidden tab asks nothing', async () => {
    const { fake, model, availability } = await setUp();
    availability.setVisible(false);
    model.setScript(model.script + '\necho 1\n');
    await sleep(80);
    expect(fake.sent).toHaveLength(0);
    availability.dispose();
  });
});
