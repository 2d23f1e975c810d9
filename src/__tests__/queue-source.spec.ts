/**
 * Where the queue's rows came from: the hub's queue service, or this server's
 * own listing while the service is unreachable.
 */
import { QueueStatus } from '../jobs/api';
import { sourceNote } from '../jobs/queue/source';

function status(extra: Partial<QueueStatus>): QueueStatus {
  return {
    ok: true,
    fetched_at: 1000,
    error: null,
    error_since: null,
    now: 1012,
    ...extra
  };
}

describe('sourceNote', () => {
  it('says nothing on a server without a hub service', () => {
    expect(sourceNote(null, null)).toBeNull();
    expect(sourceNote(status({}), 3)).toBeNull();
    expect(sourceNote(status({ source: 'scheduler' }), 3)).toBeNull();
  });

  it("names the hub's service and the listing's age", () => {
    expect(
      sourceNote(status({ source: 'hub', hub_service: true }), 12)
    ).toEqual({
      kind: 'hub',
      text: "From the hub's queue service, 12 s ago",
      detail: ''
    });
    expect(
      sourceNote(
        status({ source: 'hub', hub_service: true, hub_private: true }),
        null
      )?.text
    ).toBe(
      "From the hub's queue service (it shows each user only their own jobs)"
    );
  });

  it('says the server lists the queue itself while the service is down', () => {
    expect(
      sourceNote(
        status({
          source: 'scheduler',
          hub_service: true,
          source_error: 'it cannot be reached (Connection refused).'
        }),
        1
      )
    ).toEqual({
      kind: 'fallback',
      text: "The hub's queue service is unreachable: listing the queue here",
      detail: 'The service: it cannot be reached (Connection refused).'
    });
  });
});
