/**
 * The output section's words: "Open in editor" is disabled until the file
 * exists, and says why in the batch system's terms (PBS copies the file when
 * the job ends); Follow says when the output is complete.
 */
import {
  followTitle,
  missingText,
  openInEditor
} from '../jobs/details/outputText';

const inRoot = { path: 'jobs/run.o12' };

describe('Open in editor', () => {
  it('is disabled while the file of a live PBS job does not exist, saying PBS copies it at the end', () => {
    const state = openInEditor(
      { path: '/srv/jobs/run.o12', exists: false, jobLive: true },
      inRoot,
      'pbs'
    );
    expect(state.enabled).toBe(false);
    expect(state.title).toBe(
      'The job has not written jobs/run.o12 yet: PBS keeps a job’s output on the node it runs on and copies it here when the job ends.'
    );
  });

  it('on Slurm says the file comes when the job starts', () => {
    const state = openInEditor(
      { path: '/srv/jobs/slurm-12.out', exists: false, jobLive: true },
      { path: 'jobs/slurm-12.out' },
      'slurm'
    );
    expect(state.enabled).toBe(false);
    expect(state.title).toMatch(/Slurm creates it when the job starts/);
  });

  it('is enabled as soon as a read found the file', () => {
    const state = openInEditor(
      { path: '/srv/jobs/run.o12', exists: true, jobLive: true },
      inRoot,
      'pbs'
    );
    expect(state).toEqual({
      enabled: true,
      title: "Open jobs/run.o12 in JupyterLab's editor"
    });
  });

  it('is disabled before the first read and for a file outside the root', () => {
    const file = { path: '/srv/x.out', exists: null, jobLive: true };
    expect(openInEditor(file, null, 'slurm').enabled).toBe(false);
    expect(openInEditor(file, inRoot, 'slurm').enabled).toBe(false);
    const outside = openInEditor(
      { ...file, exists: true },
      { reason: '/tmp/x.out is outside the root.' },
      'slurm'
    );
    expect(outside).toEqual({
      enabled: false,
      title: '/tmp/x.out is outside the root.'
    });
  });

  it('says a finished job never wrote its file', () => {
    const state = openInEditor(
      { path: '/srv/jobs/run.o12', exists: false, jobLive: false },
      inRoot,
      'pbs'
    );
    expect(state.enabled).toBe(false);
    expect(state.title).toMatch(/never wrote it/);
  });
});

describe('the output section words', () => {
  it('explain a missing file per batch system', () => {
    const file = { path: '/srv/run.o12', exists: false, jobLive: true };
    expect(missingText(file, 'pbs')).toMatch(
      /^\/srv\/run\.o12 does not exist yet: PBS .* copies it here when the job ends\./
    );
    expect(missingText(file, 'slurm')).toMatch(/Slurm creates it/);
    expect(missingText({ ...file, jobLive: false }, 'pbs')).toMatch(
      /does not exist: the job never wrote it/
    );
    expect(missingText({ ...file, jobLive: false }, 'pbs', true)).toBe(
      '/srv/run.o12 does not exist: the job was cancelled before it ran, so it wrote nothing.'
    );
  });

  it('give Follow a title that says when the output is complete', () => {
    expect(followTitle(false, true)).toMatch(/tail -f/);
    expect(followTitle(true, true)).toBe(
      'The job has ended: its output is complete'
    );
    expect(followTitle(true, false)).toMatch(/without writing this file/);
  });
});
