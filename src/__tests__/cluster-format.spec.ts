/**
 * The cluster view's words and numbers (pure).
 */
import {
  accessText,
  amountSegments,
  amountText,
  formatLimit,
  formatMemory,
  limitsText,
  nodeSegments,
  nodeStatesText,
  partitionStateText,
  segments,
  whereWord
} from '../cluster/format';
import { recordedSummary } from './clusterFixtures';

const part = (name: string) =>
  recordedSummary().partitions.find(p => p.name === name)!;

describe('cluster format', () => {
  it('cuts a partition into its nodes by state', () => {
    const cpu = part('cpu');
    expect(nodeSegments(cpu)).toEqual([
      { key: 'mixed', count: 1, percent: 25 },
      { key: 'drained', count: 2, percent: 50 },
      { key: 'down', count: 1, percent: 25 }
    ]);
    expect(nodeStatesText(cpu)).toBe(
      '4 nodes: 1 partly used, 2 drained, 1 down'
    );
  });

  it('draws in use, free and unavailable against the total', () => {
    const cpus = part('cpu').cpus;
    expect(amountSegments(cpus)).toEqual([
      { key: 'allocated', count: 3, percent: 18.75 },
      { key: 'free', count: 2, percent: 12.5 },
      { key: 'unavailable', count: 11, percent: 68.75 }
    ]);
    expect(amountText(cpus)).toBe('2 free of 16');
    expect(amountText(part('cpu').memory!, formatMemory)).toBe(
      '1.5 GiB free of 7.8 GiB'
    );
    const unknown = {
      total: 4,
      free: null,
      allocated: null,
      unavailable: null
    };
    expect(amountSegments(unknown)).toBeNull();
    expect(amountText(unknown)).toBe('4 in total (use not reported)');
    expect(segments([['a', 0]])).toEqual([]);
  });

  it('says limits as a person reads them', () => {
    expect(formatLimit(null)).toBe('no limit');
    expect(formatLimit(600)).toBe('10 min');
    expect(formatLimit(5400)).toBe('1 h 30 min');
    expect(formatLimit(7 * 86400)).toBe('7 days');
    expect(formatLimit(86400 + 12 * 3600)).toBe('1 day 12 h');
    expect(formatLimit(90)).toBe('1 min 30 s');
    expect(limitsText(part('cpu').limits)).toEqual([
      'max time 2 h',
      'default time 30 min',
      'at most 2 nodes per job'
    ]);
    expect(limitsText(part('chem').limits)).toEqual([
      'max time no limit',
      'at least 1 node per job',
      'at most 1.5 GiB per node'
    ]);
    expect(formatMemory(512)).toBe('512 MiB');
    expect(formatMemory(12052)).toBe('11.8 GiB');
    expect(formatMemory(2 * 1024 * 1024)).toBe('2.0 TiB');
  });

  it('says who may use a partition', () => {
    expect(accessText(part('cpu').access)).toBe('everyone');
    expect(accessText(part('gpu').access)).toBe('only groups root, hpcusers');
    expect(accessText(part('chem').access)).toBe('only accounts chem, physics');
    expect(accessText(part('batch').access)).toBe(
      'everyone except accounts guests'
    );
    expect(
      accessText({
        ...part('gpu').access,
        deny_qos: ['debug']
      })
    ).toBe('only groups root, hpcusers; except QOS debug');
  });

  it('speaks of queues on PBS and Torque', () => {
    expect(whereWord('slurm')).toBe('Partition');
    expect(whereWord('pbs')).toBe('Queue');
    expect(whereWord('torque')).toBe('Queue');
    expect(partitionStateText('drain', 'pbs')).toBe(
      'draining: the queue runs its jobs but takes no new ones'
    );
    expect(partitionStateText('down', 'slurm')).toBe(
      'down: the partition takes jobs but runs none'
    );
  });
});
