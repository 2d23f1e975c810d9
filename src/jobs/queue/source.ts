/**
 * Where the queue's rows came from, in a sentence for the panel: the hub's
 * queue service (and how old its listing is), or this server's own listing
 * while the service is unreachable. Pure.
 */
import { QueueStatus } from '../api';
import { formatAge } from './jobs';

export interface ISourceNote {
  /** `hub`: read from the service; `fallback`: listed here instead. */
  kind: 'hub' | 'fallback';
  text: string;
  /** The service's problem, for the tooltip (fallback only). */
  detail: string;
}

/**
 * The note, or null when this server does not use a hub service. `age` is
 * the shown data's age in seconds (null: none yet).
 */
export function sourceNote(
  status: QueueStatus | null,
  age: number | null
): ISourceNote | null {
  if (!status?.hub_service) {
    return null;
  }
  if (status.source === 'hub') {
    const when = age === null ? '' : `, ${formatAge(age)}`;
    const own = status.hub_private
      ? ' (it shows each user only their own jobs)'
      : '';
    return {
      kind: 'hub',
      text: `From the hub's queue service${when}${own}`,
      detail: ''
    };
  }
  return {
    kind: 'fallback',
    text: "The hub's queue service is unreachable: listing the queue here",
    detail: status.source_error ? `The service: ${status.source_error}` : ''
  };
}
