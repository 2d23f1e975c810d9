/**
 * The typed client of the cluster view's REST routes (server:
 * `jupyterlab_hpc/cluster/handlers.py`): `GET cluster` and
 * `GET cluster/partitions/{name}/nodes`.
 */
import { requestAPI } from '../common/request';

/** Node categories, in the order the bars draw them. */
export const NODE_CATEGORIES = [
  'idle',
  'mixed',
  'allocated',
  'reserved',
  'drained',
  'down',
  'other'
] as const;
export type NodeCategory = (typeof NODE_CATEGORIES)[number];

/**
 * A resource summed over nodes. `free` is what a new job could get now (on
 * nodes that take jobs, in a partition that takes jobs); `free`, `allocated`
 * and `unavailable` are null when the batch system does not report the use.
 */
export interface Amount {
  total: number;
  free: number | null;
  allocated: number | null;
  unavailable: number | null;
}

export interface Limits {
  /** Seconds; null: no limit. */
  max_time: number | null;
  default_time: number | null;
  max_nodes: number | null;
  min_nodes: number | null;
  max_cpus_per_node: number | null;
  /** MiB. */
  max_memory_per_node: number | null;
}

/** Who may use a partition; null = everyone. */
export interface Access {
  accounts: string[] | null;
  groups: string[] | null;
  qos: string[] | null;
  users: string[] | null;
  deny_accounts: string[];
  deny_qos: string[];
}

export interface PartitionSummary {
  name: string;
  default: boolean;
  /** `up`, `down`, `drain` (takes no new jobs) or `inactive`. */
  state: string;
  nodes: number;
  node_states: Record<NodeCategory, number>;
  cpus: Amount;
  /** MiB; null when no node reports its memory. */
  memory: Amount | null;
  gpus: Amount;
  limits: Limits;
  access: Access;
  /** A PBS routing queue's destinations (it has no nodes). */
  routes_to: string[];
}

export interface ClusterStatus {
  ok: boolean;
  fetched_at: number | null;
  error: string | null;
  error_since: number | null;
  now: number;
}

interface IClusterTail {
  version: number;
  kind: string;
  /** Seconds between two refreshes of the server's shared summary. */
  refresh_interval: number;
  status: ClusterStatus;
}

export interface ClusterSummary extends IClusterTail {
  unchanged: false;
  partitions: PartitionSummary[];
  /** The whole cluster, each node counted once. */
  total: PartitionSummary;
}

export interface ClusterUnchanged extends IClusterTail {
  unchanged: true;
}

export type ClusterAnswer = ClusterSummary | ClusterUnchanged;

export interface NodeInfo {
  name: string;
  state: NodeCategory;
  /** The batch system's own word: `draining`, `down*`, `job-busy`... */
  raw_state: string;
  cpus_total: number;
  cpus_allocated: number;
  memory_total: number | null;
  memory_allocated: number | null;
  gpus_total: number;
  gpus_used: number | null;
  gres: string;
  gres_used: string;
  features: string[];
  reason: string;
  reason_since: string | null;
  partitions: string[];
}

export interface PartitionNodes extends IClusterTail {
  partition: string;
  nodes: NodeInfo[];
}

/** The summary; with `since`, only `{unchanged: true}` when it is the same. */
export function fetchCluster(since?: number): Promise<ClusterAnswer> {
  const query = since !== undefined ? `?since=${since}` : '';
  return requestAPI<ClusterAnswer>(`cluster${query}`);
}

export function fetchPartitionNodes(name: string): Promise<PartitionNodes> {
  return requestAPI<PartitionNodes>(
    `cluster/partitions/${encodeURIComponent(name)}/nodes`
  );
}

/** One of the user's accounts in `GET cluster/share`. */
export interface AccountShare {
  account: string;
  /** The association's shares as configured (e.g. "1", "parent"). */
  shares: string;
  /** The user's normalized share within the account, 0..1; null when not set. */
  share: number | null;
  /** The user's effective (decayed) usage within the account, 0..1. */
  usage: number | null;
  /** Slurm's fair-share factor, 0..1: 1 is well under its share. */
  fair_share: number | null;
  raw_usage: number | null;
  /** The allocation, TRES minutes (e.g. {cpu: 60000}); {} when none. */
  allocation: Record<string, number>;
  /** Minutes used of each allocated TRES. */
  used: Record<string, number>;
}

/** `GET cluster/share`: `available` false where the batch system has no fair-share. */
export interface MyShareAnswer {
  available: boolean;
  user: string;
  accounts: AccountShare[];
  /** Seconds: the server asks the batch system at most this often. */
  refresh_interval: number;
  fetched_at: number;
}

export function fetchShare(): Promise<MyShareAnswer> {
  return requestAPI<MyShareAnswer>('cluster/share');
}

/** What the model needs of the client (tests give their own). */
export interface IClusterApi {
  fetchCluster(since?: number): Promise<ClusterAnswer>;
  fetchPartitionNodes(name: string): Promise<PartitionNodes>;
  /** Absent: the model shows no *My share*. */
  fetchShare?(): Promise<MyShareAnswer>;
}

export const CLUSTER_API: IClusterApi = {
  fetchCluster,
  fetchPartitionNodes,
  fetchShare
};
