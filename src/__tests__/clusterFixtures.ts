/**
 * The cluster view's test answers: `clusterRecorded.json` is what the server's
 * parser makes of the recorded throwaway Slurm (a drained, a draining, a down,
 * a reserved, a mixed and an allocated node, GPUs, limits, access lists); the
 * Python test `test_the_frontends_fixture_is_what_the_parser_makes_of_the_recording`
 * keeps it equal to the parser's output.
 */
import type {
  ClusterAnswer,
  ClusterSummary,
  IClusterApi,
  NodeInfo,
  PartitionNodes
} from '../cluster/api';

// jest's CommonJS require (the tests' tsconfig has no Node types).
declare const require: (path: string) => unknown;
const RECORDED = require('./clusterRecorded.json') as ClusterSummary & {
  nodes: Record<string, NodeInfo[]>;
};

/** A fresh copy of the recorded answer (without the nodes), `version` as given. */
export function recordedSummary(version = 7): ClusterSummary {
  const copy = JSON.parse(JSON.stringify(RECORDED)) as ClusterSummary & {
    nodes?: unknown;
  };
  delete copy.nodes;
  return { ...copy, version };
}

export function recordedNodes(name: string): NodeInfo[] {
  return JSON.parse(JSON.stringify(RECORDED.nodes[name] ?? [])) as NodeInfo[];
}

/** A server that answers from a summary a test may change. */
export class FakeClusterApi implements IClusterApi {
  summary: ClusterSummary = recordedSummary();
  failWith: Error | null = null;
  fetchCluster = jest.fn(async (since?: number): Promise<ClusterAnswer> => {
    if (this.failWith) {
      throw this.failWith;
    }
    if (since === this.summary.version) {
      return {
        unchanged: true,
        version: this.summary.version,
        kind: this.summary.kind,
        refresh_interval: this.summary.refresh_interval,
        status: this.summary.status
      };
    }
    return this.summary;
  });
  fetchPartitionNodes = jest.fn(
    async (name: string): Promise<PartitionNodes> => ({
      partition: name,
      nodes: recordedNodes(name),
      version: this.summary.version,
      kind: this.summary.kind,
      refresh_interval: this.summary.refresh_interval,
      status: this.summary.status
    })
  );
}
