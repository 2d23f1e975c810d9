/**
 * *My share* in the Cluster tab: the words of each account's fair-share,
 * usage and allocation, and the model asks `cluster/share` at most once per
 * the server's interval, showing nothing where the site has no fair-share.
 */
import type { AccountShare, MyShareAnswer } from '../cluster/api';
import { ClusterModel } from '../cluster/model';
import { shareRows } from '../cluster/share';
import { FakeClusterApi } from './clusterFixtures';

const ACCOUNT: AccountShare = {
  account: 'physics',
  shares: '1',
  share: 0.25,
  usage: 0.12,
  fair_share: 0.71,
  raw_usage: 4321,
  allocation: { cpu: 60000 },
  used: { cpu: 1234 }
};

describe('shareRows', () => {
  it('words the fair-share, the usage against the share and the allocation', () => {
    expect(shareRows([ACCOUNT])).toEqual([
      {
        account: 'physics',
        fairShare: '0.71 (at or under its share: its jobs gain priority)',
        usage: "12 % of the account's use, against a 25 % share of it",
        allocation: ['CPU: 1,234 of 60,000 minutes used (2.1 %)']
      }
    ]);
    const over = shareRows([
      { ...ACCOUNT, fair_share: 0.1, share: null, allocation: {}, used: {} }
    ])[0];
    expect(over.fairShare).toBe(
      '0.10 (over its share: its jobs lose priority)'
    );
    expect(over.usage).toBe("12 % of the account's use");
    expect(over.allocation).toEqual([]);
    // An allocation of nothing: all of it is used.
    const none = shareRows([
      { ...ACCOUNT, allocation: { cpu: 0 }, used: { cpu: 0 } }
    ])[0];
    expect(none.allocation).toEqual(['CPU: 0 of 0 minutes used']);
  });
});

describe('ClusterModel and My share', () => {
  const answer = (available: boolean): MyShareAnswer => ({
    available,
    user: 'alice',
    accounts: available ? [ACCOUNT] : [],
    refresh_interval: 300,
    fetched_at: 1
  });

  it('reads it with the summary, at most once per its interval', async () => {
    const api = new FakeClusterApi();
    const fetchShare = jest.fn(async () => answer(true));
    const model = new ClusterModel({
      api: {
        ...api,
        fetchCluster: api.fetchCluster,
        fetchPartitionNodes: api.fetchPartitionNodes,
        fetchShare
      },
      autoStart: false
    });
    await model.refresh();
    await new Promise(r => setTimeout(r, 0));
    expect(model.share?.accounts[0].account).toBe('physics');
    await model.refresh();
    await new Promise(r => setTimeout(r, 0));
    expect(fetchShare).toHaveBeenCalledTimes(1);
    model.dispose();
  });

  it('without the call (or where the site has none) there is no share', async () => {
    const api = new FakeClusterApi();
    const model = new ClusterModel({ api, autoStart: false });
    await model.refresh();
    expect(model.share).toBeNull();
    model.dispose();
  });
});
