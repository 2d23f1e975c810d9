/**
 * Pure parts of the job details: the timeline, durations, the script
 * highlighter's tokens, paths inside the server root, resubmit arguments.
 */
import type { JobDetail } from '../jobs/api';
import { pathInRoot } from '../jobs/details/paths';
import { resubmitArgs } from '../jobs/details/resubmit';
import { tokenizeLine, tokenizeScript } from '../jobs/details/script';
import { isLive, jobDurations, jobTimeline } from '../jobs/details/timeline';
import { makeRecord } from './fixtures';

describe('jobTimeline', () => {
  it('a pending job: submitted, an expected start, not ended', () => {
    const steps = jobTimeline(
      makeRecord({
        id: '1',
        state: 'pending',
        reason: 'Resources',
        start_time: '2026-11-22T01:00:00'
      })
    );
    expect(steps.map(s => [s.id, s.status])).toEqual([
      ['submitted', 'done'],
      ['started', 'future'],
      ['ended', 'future']
    ]);
    expect(steps[1].note).toBe('expected');
    expect(steps[1].time).toBe('2026-11-22T01:00:00');
  });

  it('a held job without a start estimate says why it waits', () => {
    const steps = jobTimeline(
      makeRecord({
        id: '1',
        state: 'held',
        reason: 'JobHeldUser',
        start_time: null
      })
    );
    expect(steps[1].note).toBe('waiting: JobHeldUser');
  });

  it('a running job is at its start', () => {
    const steps = jobTimeline(makeRecord({ id: '1', state: 'running' }));
    expect(steps.map(s => s.status)).toEqual(['done', 'current', 'future']);
    expect(steps[1].note).toBe('running');
  });

  it('a failed job ended with its exit code', () => {
    const steps = jobTimeline(
      makeRecord({
        id: '1',
        state: 'failed',
        end_time: '2026-11-22T00:20:00',
        exit_code: 3
      })
    );
    expect(steps.map(s => s.status)).toEqual(['done', 'done', 'done']);
    expect(steps[2].note).toBe('failed (exit 3)');
    expect(steps[2].time).toBe('2026-11-22T00:20:00');
  });

  it('a job cancelled while pending never started', () => {
    const steps = jobTimeline(
      makeRecord({
        id: '1',
        state: 'cancelled',
        start_time: '2026-11-22T00:19:00',
        end_time: '2026-11-22T00:19:00',
        time_used: 0
      })
    );
    expect(steps[1].status).toBe('skipped');
    expect(steps[1].note).toBe('never started');
    expect(steps[2].note).toBe('cancelled');
  });

  it('durations: waited and ran', () => {
    const job = makeRecord({
      id: '1',
      state: 'completed',
      submit_time: '2026-11-22T00:00:00',
      start_time: '2026-11-22T00:01:30',
      end_time: '2026-11-22T00:11:30'
    });
    expect(jobDurations(job)).toEqual({ waited: 90, ran: 600 });
    const pending = makeRecord({
      id: '2',
      state: 'pending',
      submit_time: '2026-11-22T00:00:00',
      start_time: null
    });
    expect(jobDurations(pending, '2026-11-22T00:00:42')).toEqual({
      waited: 42,
      ran: null
    });
  });

  it('final states are not live', () => {
    expect(isLive('running')).toBe(true);
    expect(isLive('completing')).toBe(true);
    expect(isLive('completed')).toBe(false);
    expect(isLive('timeout')).toBe(false);
  });
});

describe('script tokens', () => {
  it('shebang, directives, comments, strings, variables and keywords', () => {
    const lines = tokenizeScript(
      '#!/bin/bash\n#SBATCH -t 5\n# a comment\nfor i in 1 2; do echo "$i" $HOME; done # end'
    );
    expect(lines[0]).toEqual([{ kind: 'shebang', text: '#!/bin/bash' }]);
    expect(lines[1]).toEqual([{ kind: 'directive', text: '#SBATCH -t 5' }]);
    expect(lines[2]).toEqual([{ kind: 'comment', text: '# a comment' }]);
    const kinds = lines[3].filter(t => t.kind !== 'text');
    expect(kinds).toEqual([
      { kind: 'keyword', text: 'for' },
      { kind: 'keyword', text: 'do' },
      { kind: 'string', text: '"$i"' },
      { kind: 'variable', text: '$HOME' },
      { kind: 'keyword', text: 'done' },
      { kind: 'comment', text: '# end' }
    ]);
    // Joined back, the tokens are the line.
    expect(lines[3].map(t => t.text).join('')).toBe(
      'for i in 1 2; do echo "$i" $HOME; done # end'
    );
  });

  it('a # inside a word is not a comment; keywords only where commands start', () => {
    expect(tokenizeLine('echo a#b done')).toEqual([
      { kind: 'text', text: 'echo a#b done' }
    ]);
    expect(tokenizeLine('#PBS -l walltime=1:00:00')[0].kind).toBe('directive');
    expect(tokenizeLine('x=${HOME}/a')).toEqual([
      { kind: 'text', text: 'x=' },
      { kind: 'variable', text: '${HOME}' },
      { kind: 'text', text: '/a' }
    ]);
  });
});

describe('pathInRoot', () => {
  it('a path inside the root is relative to it', () => {
    expect(pathInRoot('/home/alice/run/slurm-1.out', '/home/alice')).toEqual({
      path: 'run/slurm-1.out'
    });
    expect(pathInRoot('/home/alice/./run//x.out', '/home/alice/')).toEqual({
      path: 'run/x.out'
    });
  });

  it('outside the root (or a sibling folder with the same prefix) says why', () => {
    const outside = pathInRoot('/scratch/alice/x.out', '/home/alice');
    expect('reason' in outside && outside.reason).toMatch(
      /outside the Jupyter server's root folder/
    );
    const sibling = pathInRoot('/home/alice2/x.out', '/home/alice');
    expect('reason' in sibling).toBe(true);
    const escape = pathInRoot('/home/alice/../bob/x.out', '/home/alice');
    expect('reason' in escape).toBe(true);
    expect('reason' in pathInRoot('/x.out', '')).toBe(true);
  });
});

describe('resubmitArgs', () => {
  const detail = (script: string | null): JobDetail => ({
    job: makeRecord({
      id: '5',
      name: 'fit',
      partition: 'debug',
      account: '',
      qos: 'normal',
      nodes: 1,
      time_limit: 300,
      gres: '',
      work_dir: '/home/alice/run'
    }),
    fields: [],
    tasks: [],
    script,
    requested: { tasks: '2', cpus_per_task: '4', memory: '500M per CPU' },
    used: {}
  });

  it('script and options, without output paths', () => {
    const args = resubmitArgs(detail('#!/bin/bash\necho hi\n'));
    expect(args).toEqual({
      script: '#!/bin/bash\necho hi\n',
      options: {
        name: 'fit',
        partition: 'debug',
        qos: 'normal',
        nodes: 1,
        ntasks: 2,
        cpus: 4,
        time_limit: '5',
        workdir: '/home/alice/run'
      }
    });
  });

  it('nothing to copy without a script', () => {
    expect(resubmitArgs(detail(null))).toBeNull();
  });
});
