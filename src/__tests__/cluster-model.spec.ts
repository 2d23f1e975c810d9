/**
 * The cluster view's model: the summary and its version, the open partitions'
 * nodes, failures, and the Poll's interval.
 */
import { HPCApiError } from '../common/request';
import { ClusterModel } from '../cluster/model';
import { FakeClusterApi, recordedSummary } from './clusterFixtures';

describe('ClusterModel', () => {
  let api: FakeClusterApi;
  let model: ClusterModel;

  beforeEach(() => {
    api = new FakeClusterApi();
    model = new ClusterModel({ api, autoStart: false });
  });

  afterEach(() => model.dispose());

  it('holds the summary and sends its version back', async () => {
    expect(model.loading).toBe(true);
    let changes = 0;
    model.changed.connect(() => changes++);
    await model.refresh();
    expect(model.loading).toBe(false);
    expect(model.summary?.partitions.map(p => p.name)).toEqual([
      'cpu',
      'gpu',
      'chem',
      'batch',
      'old',
      'secret'
    ]);
    expect(model.kind).toBe('slurm');
    expect(api.fetchCluster).toHaveBeenLastCalledWith(undefined);
    const first = model.summary;
    await model.refresh();
    expect(api.fetchCluster).toHaveBeenLastCalledWith(7);
    expect(model.summary).toBe(first); // unchanged: the same object
    expect(changes).toBeGreaterThan(0);
  });

  it('opens a partition to its nodes and follows the summary', async () => {
    await model.refresh();
    expect(model.nodes('cpu')).toBeNull();
    await model.toggle('cpu');
    expect(model.isExpanded('cpu')).toBe(true);
    expect(model.nodes('cpu')?.map(n => n.name)).toEqual([
      'n1',
      'n2',
      'n3',
      'n4'
    ]);
    expect(api.fetchPartitionNodes).toHaveBeenCalledTimes(1);
    // Unchanged summary: the nodes are not asked for again.
    await model.refresh();
    expect(api.fetchPartitionNodes).toHaveBeenCalledTimes(1);
    // A new version: the open partition's nodes are asked for again.
    api.summary = recordedSummary(8);
    await model.refresh();
    await Promise.resolve();
    expect(api.fetchPartitionNodes).toHaveBeenCalledTimes(2);
    await model.toggle('cpu');
    expect(model.isExpanded('cpu')).toBe(false);
  });

  it('closes a partition that is gone', async () => {
    await model.refresh();
    await model.toggle('secret');
    const without = recordedSummary(9);
    without.partitions = without.partitions.filter(p => p.name !== 'secret');
    api.summary = without;
    await model.refresh();
    expect(model.isExpanded('secret')).toBe(false);
    expect(model.nodes('secret')).toBeNull();
  });

  it('keeps the last summary when a request fails, and says why', async () => {
    await model.refresh();
    const good = model.summary;
    api.failWith = new HPCApiError(
      'The batch system did not answer: sinfo failed',
      503
    );
    await model.refresh();
    expect(model.error).toBe('The batch system did not answer: sinfo failed');
    expect(model.summary).toBe(good);
    api.failWith = null;
    await model.refresh();
    expect(model.error).toBeNull();
  });

  it('says when the nodes of a partition cannot be had', async () => {
    await model.refresh();
    api.fetchPartitionNodes.mockRejectedValueOnce(
      new HPCApiError('There is no partition cpu (or you may not see it).', 404)
    );
    await model.toggle('cpu');
    expect(model.nodes('cpu')).toBeNull();
    expect(model.nodesError('cpu')).toContain('no partition cpu');
  });

  it('never asks more often than the server refreshes', async () => {
    model.refreshInterval = 10;
    expect(model.interval).toBe(10);
    await model.refresh(); // the server says 60 s
    expect(model.interval).toBe(60);
    model.refreshInterval = 120;
    expect(model.interval).toBe(120);
    model.refreshInterval = -1; // ignored
    expect(model.refreshInterval).toBe(120);
  });

  it('asks again when shown', async () => {
    const hidden = new ClusterModel({ api, autoStart: false, visible: false });
    hidden.setVisible(true);
    await new Promise(resolve => setTimeout(resolve, 0));
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(api.fetchCluster).toHaveBeenCalled();
    hidden.dispose();
  });
});
