/**
 * The output window: follow mode chains offsets from `end`, "Load earlier"
 * reads `before` the window, the cap drops bytes from the far side, and
 * missing files / 403 / a truncated file are told apart.
 */
import { JobOutputChunk, OutputRange } from '../jobs/api';
import { HPCApiError } from '../common/request';
import { IOutputApi, OutputModel } from '../jobs/details/output';

/** A growing output file that answers like the server (ASCII content). */
class FakeFile implements IOutputApi {
  content: string | null = '';
  calls: OutputRange[] = [];
  failWith: HPCApiError | null = null;

  async fetchJobOutput(
    _jobId: string,
    _stream: string,
    range: OutputRange
  ): Promise<JobOutputChunk> {
    this.calls.push({ ...range });
    if (this.failWith) {
      throw this.failWith;
    }
    const path = '/home/alice/slurm-7.out';
    if (this.content === null) {
      return { path, exists: false, size: 0, start: 0, end: 0, data: '' };
    }
    const size = this.content.length;
    const limit = range.limit ?? 256 * 1024;
    let start: number;
    let end: number;
    if (range.offset !== undefined) {
      start = Math.min(range.offset, size);
      end = Math.min(start + limit, size);
    } else {
      end = range.before === undefined ? size : Math.min(range.before, size);
      start = Math.max(0, end - limit);
    }
    return {
      path,
      exists: true,
      size,
      start,
      end,
      data: this.content.slice(start, end)
    };
  }
}

const lines = (from: number, to: number) => {
  let text = '';
  for (let i = from; i < to; i++) {
    text += `line ${String(i).padStart(4, '0')}\n`; // 10 bytes each
  }
  return text;
};

function makeModel(
  file: FakeFile,
  options: Partial<OutputModel.IOptions> = {}
) {
  return new OutputModel({
    jobId: '7',
    stream: 'stdout',
    api: file,
    autoStart: false,
    pageSize: 100,
    readSize: 1000,
    cap: 300,
    ...options
  });
}

describe('OutputModel', () => {
  it('reads the tail first, then follows from the last end', async () => {
    const file = new FakeFile();
    file.content = lines(0, 50); // 500 bytes
    const model = makeModel(file);
    await model.refresh();
    expect(file.calls[0]).toEqual({ limit: 100 });
    expect(model.status).toBe('ready');
    expect(model.start).toBe(400);
    expect(model.end).toBe(500);
    expect(model.text).toBe(lines(40, 50));
    expect(model.hasEarlier).toBe(true);

    file.content += lines(50, 53);
    await model.refresh();
    expect(file.calls[1]).toEqual({ offset: 500, limit: 1000 });
    expect(model.end).toBe(530);
    expect(model.text).toBe(lines(40, 53));

    // Nothing new: the next read starts at the same end.
    await model.refresh();
    expect(file.calls[2]).toEqual({ offset: 530, limit: 1000 });
    expect(model.text).toBe(lines(40, 53));
    model.dispose();
  });

  it('catches up in several reads when the job wrote a lot at once', async () => {
    const file = new FakeFile();
    file.content = lines(0, 1);
    const model = makeModel(file, { readSize: 100, cap: 10000 });
    await model.refresh();
    file.content += lines(1, 31); // 300 bytes more
    await model.refresh();
    expect(file.calls.slice(1).map(c => c.offset)).toEqual([10, 110, 210]);
    expect(model.text).toBe(lines(0, 31));
    model.dispose();
  });

  it('drops the oldest bytes past the cap and loads them again on request', async () => {
    const file = new FakeFile();
    file.content = lines(0, 10);
    const model = makeModel(file, { pageSize: 100, cap: 300 });
    await model.refresh(); // [0, 100)
    expect(model.hasEarlier).toBe(false);
    for (let i = 1; i <= 4; i++) {
      file.content += lines(i * 10, i * 10 + 10);
      await model.refresh();
    }
    // 500 bytes written, the window keeps at most 300.
    expect(model.end).toBe(500);
    expect(model.end - model.start).toBeLessThanOrEqual(300);
    expect(model.hasEarlier).toBe(true);
    const startBefore = model.start;

    await model.loadEarlier();
    expect(file.calls[file.calls.length - 1]).toEqual({
      before: startBefore,
      limit: 100
    });
    expect(model.start).toBe(startBefore - 100);
    expect(
      model.text.startsWith(lines(startBefore / 10 - 10, startBefore / 10))
    ).toBe(true);
    model.dispose();
  });

  it('stops following when "Load earlier" pushes the latest bytes out, until Jump to end', async () => {
    const file = new FakeFile();
    file.content = lines(0, 100); // 1000 bytes
    const model = makeModel(file, { pageSize: 100, cap: 200 });
    await model.refresh(); // [900, 1000)
    await model.loadEarlier(); // [800, 1000)
    expect(model.atTail).toBe(true);
    await model.loadEarlier(); // [700, 900): the tail is dropped
    expect(model.start).toBe(700);
    expect(model.end).toBe(900);
    expect(model.atTail).toBe(false);
    expect(model.follow).toBe(false);
    expect(model.hiddenAfter).toBe(100);

    const calls = file.calls.length;
    await model.refresh(); // not following: no read
    expect(file.calls.length).toBe(calls);

    await model.jumpToEnd();
    expect(model.follow).toBe(true);
    expect(model.atTail).toBe(true);
    expect(model.end).toBe(1000);
    expect(model.text).toBe(lines(90, 100));
    model.dispose();
  });

  it('says when the file does not exist yet, then shows it once it does', async () => {
    const file = new FakeFile();
    file.content = null;
    const model = makeModel(file);
    await model.refresh();
    expect(model.status).toBe('missing');
    expect(model.path).toBe('/home/alice/slurm-7.out');
    file.content = 'started\n';
    await model.refresh();
    expect(model.status).toBe('ready');
    expect(model.text).toBe('started\n');
    model.dispose();
  });

  it("tells another user's job (403) apart from a failure that is retried", async () => {
    const file = new FakeFile();
    file.failWith = new HPCApiError('Only the owner can read it.', 403);
    const model = makeModel(file);
    await model.refresh();
    expect(model.status).toBe('forbidden');

    const other = new FakeFile();
    other.content = 'a\n';
    const retried = makeModel(other);
    await retried.refresh();
    other.failWith = new HPCApiError('Server unreachable.', 0);
    other.content += 'b\n';
    await retried.refresh();
    expect(retried.status).toBe('error');
    expect(retried.text).toBe('a\n'); // kept
    other.failWith = null;
    await retried.refresh();
    expect(retried.status).toBe('ready');
    expect(retried.text).toBe('a\nb\n');
    model.dispose();
    retried.dispose();
  });

  it('starts over when the file was truncated', async () => {
    const file = new FakeFile();
    file.content = lines(0, 5);
    const model = makeModel(file);
    await model.refresh();
    file.content = 'new run\n';
    await model.refresh();
    expect(model.text).toBe('new run\n');
    expect(model.start).toBe(0);
    model.dispose();
  });

  it('polls while the job is live and stops after the last read once it ended', async () => {
    const file = new FakeFile();
    file.content = 'one\n';
    const model = new OutputModel({
      jobId: '7',
      stream: 'stdout',
      api: file,
      interval: 20
    });
    await waitFor(() => model.text === 'one\n');
    file.content += 'two\n';
    await waitFor(() => model.text === 'one\ntwo\n');
    file.content += 'three\n';
    model.jobLive = false;
    await waitFor(() => model.finished);
    expect(model.text).toBe('one\ntwo\nthree\n');
    const calls = file.calls.length;
    await new Promise(r => setTimeout(r, 100));
    expect(file.calls.length).toBe(calls);
    model.dispose();
  });

  it('knows whether the file exists, from the first answer on (Open in editor)', async () => {
    const file = new FakeFile();
    file.content = null;
    const model = makeModel(file);
    expect(model.exists).toBeNull(); // nothing read yet
    await model.refresh();
    expect(model.status).toBe('missing');
    expect(model.exists).toBe(false);
    // A failed read keeps what the last answer said.
    file.failWith = new HPCApiError('Server unreachable.', 0);
    await model.refresh();
    expect(model.exists).toBe(false);
    file.failWith = null;
    // PBS copies the file when the job ends: the next read finds it.
    file.content = 'done\n';
    await model.refresh();
    expect(model.exists).toBe(true);
    expect(model.status).toBe('ready');
    model.dispose();
  });

  it('ends follow once a read after the job ended reached the end of the file', async () => {
    const file = new FakeFile();
    file.content = lines(0, 5);
    const model = makeModel(file);
    await model.refresh();
    expect(model.follow).toBe(true);
    expect(model.ended).toBe(false);

    // The job ends having written more: not complete until a read catches up.
    file.content += lines(5, 7);
    model.jobLive = false;
    expect(model.ended).toBe(false);
    expect(model.follow).toBe(true);
    await model.refresh();
    expect(model.text).toBe(lines(0, 7));
    expect(model.ended).toBe(true);
    expect(model.follow).toBe(false);

    // No more follow reads, and the checkbox cannot turn it back on.
    const calls = file.calls.length;
    await model.refresh();
    model.follow = true;
    expect(model.follow).toBe(false);
    await model.refresh();
    expect(file.calls.length).toBe(calls);
    model.dispose();
  });

  it('keeps "Load earlier" and "Jump to end" working on a finished job', async () => {
    const file = new FakeFile();
    file.content = lines(0, 100); // 1000 bytes
    const model = makeModel(file, {
      jobLive: false,
      pageSize: 100,
      cap: 200
    });
    await model.refresh(); // [900, 1000)
    expect(model.ended).toBe(true);
    await model.loadEarlier(); // [800, 1000)
    expect(model.text).toBe(lines(80, 100));
    expect(model.ended).toBe(true);
    await model.loadEarlier(); // [700, 900): the end is out of the window
    expect(model.atTail).toBe(false);
    expect(model.ended).toBe(false);
    await model.jumpToEnd();
    expect(model.text).toBe(lines(90, 100));
    expect(model.atTail).toBe(true);
    expect(model.ended).toBe(true);
    expect(model.follow).toBe(false);
    model.dispose();
  });

  it('a read begun before the end does not make the output complete', async () => {
    const file = new FakeFile();
    file.content = 'one\n';
    let release: () => void = () => undefined;
    const slow: IOutputApi = {
      fetchJobOutput: async (jobId, stream, range) => {
        const answer = await file.fetchJobOutput(jobId, stream, range);
        await new Promise<void>(r => (release = r));
        return answer;
      }
    };
    const model = makeModel(file, { api: slow });
    const reading = model.refresh();
    await new Promise(r => setTimeout(r, 0));
    file.content += 'two\n';
    model.jobLive = false; // while the read is under way
    release();
    await reading;
    expect(model.text).toBe('one\n');
    expect(model.ended).toBe(false);
    model.dispose();
  });

  it('ends follow on a finished job that never wrote its file', async () => {
    const file = new FakeFile();
    file.content = null;
    const model = makeModel(file, { jobLive: false });
    await model.refresh();
    expect(model.status).toBe('missing');
    expect(model.ended).toBe(true);
    expect(model.follow).toBe(false);
    const calls = file.calls.length;
    await model.refresh();
    expect(file.calls.length).toBe(calls);
    model.dispose();
  });

  it('follows as before when the job is live again (requeued)', async () => {
    const file = new FakeFile();
    file.content = 'first run\n';
    const model = makeModel(file, { jobLive: false });
    await model.refresh();
    expect(model.ended).toBe(true);
    model.jobLive = true;
    expect(model.ended).toBe(false);
    expect(model.follow).toBe(true);
    file.content += 'second run\n';
    await model.refresh();
    expect(model.text).toBe('first run\nsecond run\n');
    expect(file.calls[file.calls.length - 1]).toEqual({
      offset: 10,
      limit: 1000
    });
    model.dispose();
  });

  it('stops its poll once a finished job is read to the end, with follow off', async () => {
    const file = new FakeFile();
    file.content = 'all\n';
    const model = new OutputModel({
      jobId: '7',
      stream: 'stdout',
      api: file,
      interval: 20,
      jobLive: false
    });
    await waitFor(() => model.finished);
    expect(model.ended).toBe(true);
    expect(model.follow).toBe(false);
    // Showing the tab again makes no read.
    const calls = file.calls.length;
    model.setActive(false);
    model.setActive(true);
    await new Promise(r => setTimeout(r, 100));
    expect(file.calls.length).toBe(calls);
    model.dispose();
  });
});

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('Timed out waiting for a condition.');
    }
    await new Promise(r => setTimeout(r, 10));
  }
}
