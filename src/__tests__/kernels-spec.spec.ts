import {
  attachedModules,
  barePythonMatters,
  draftFromSpec,
  draftProblems,
  draftWarnings,
  envReferences,
  envRowFromPair,
  isOldCapture,
  isPathLike,
  joinPathList,
  moveItem,
  nameProblem,
  parseMetadata,
  parseModuleList,
  renameEnvRow,
  specFromDraft,
  splitPathList,
  suggestName
} from '../kernels/spec';

const SPEC = {
  argv: [
    '/opt/py/bin/python',
    '-m',
    'ipykernel_launcher',
    '-f',
    '{connection_file}'
  ],
  display_name: 'Py',
  language: 'python',
  env: { PATH: '/opt/py/bin:${PATH}', OMP_NUM_THREADS: '4' },
  metadata: { debugger: true },
  kernel_protocol_version: '5.5'
};

describe('path lists', () => {
  it('knows which variables are path-like', () => {
    for (const name of [
      'PATH',
      'LD_LIBRARY_PATH',
      'PYTHONPATH',
      'MANPATH',
      'CPATH',
      'JULIA_LOAD_PATH'
    ]) {
      expect(isPathLike(name)).toBe(true);
    }
    for (const name of ['OMP_NUM_THREADS', 'HOME', 'PATHS', 'path']) {
      expect(isPathLike(name)).toBe(false);
    }
  });

  it('splits and joins, keeping empty entries and ${VAR} references', () => {
    expect(splitPathList('')).toEqual([]);
    expect(splitPathList('/a:${PATH}')).toEqual(['/a', '${PATH}']);
    expect(splitPathList('/a::/b')).toEqual(['/a', '', '/b']);
    expect(joinPathList(['/a', '', '/b'])).toBe('/a::/b');
    expect(joinPathList([])).toBe('');
  });

  it('moves items and clamps', () => {
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 1, 9)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a'], 3, 0)).toEqual(['a']);
  });

  it('re-splits a variable renamed to a path-like name', () => {
    const row = envRowFromPair('X', '/a:/b');
    expect(row.entries).toEqual(['/a:/b']);
    expect(renameEnvRow(row, 'XPATH').entries).toEqual(['/a', '/b']);
    expect(renameEnvRow(renameEnvRow(row, 'XPATH'), 'Y').entries).toEqual([
      '/a:/b'
    ]);
  });
});

describe('names', () => {
  it('validates as the server does', () => {
    expect(nameProblem('my-env_2.1')).toBeNull();
    expect(nameProblem('')).toMatch(/required/);
    expect(nameProblem('..')).toMatch(/lowercase/);
    expect(nameProblem('../x')).toMatch(/lowercase/);
    expect(nameProblem('My Env')).toMatch(/lowercase/);
    expect(nameProblem('x'.repeat(101))).toMatch(/at most 100/);
    expect(nameProblem('taken', ['taken'])).toMatch(/already exists/);
  });

  it('suggests a name from a display name', () => {
    expect(suggestName('Python 3.12 (GPU!)')).toBe('python-3.12-gpu');
    expect(nameProblem(suggestName('  Ünïcode Env  '))).toBeNull();
  });
});

describe('drafts', () => {
  it('round-trips a spec, keeping unknown fields', () => {
    const draft = draftFromSpec(SPEC);
    expect(draft.env[0].entries).toEqual(['/opt/py/bin', '${PATH}']);
    expect(draft.env[1].entries).toEqual(['4']);
    expect(draft.other).toEqual({ kernel_protocol_version: '5.5' });
    expect(specFromDraft(draft, SPEC)).toEqual(SPEC);
    expect(JSON.stringify(specFromDraft(draft, SPEC))).toBe(
      JSON.stringify(SPEC)
    );
  });

  it('reports problems per field', () => {
    const draft = draftFromSpec(SPEC);
    expect(draftProblems(draft)).toEqual([]);
    const bad = {
      ...draft,
      displayName: ' ',
      argv: ['python', '-f', 'conn.json'],
      env: [
        envRowFromPair('1X', 'a'),
        envRowFromPair('A', '1'),
        envRowFromPair('A', '2')
      ],
      metadataText: '[1]'
    };
    expect(draftProblems(bad).map(p => p.field)).toEqual([
      'display_name',
      'argv',
      'env.1X',
      'env.A',
      'metadata'
    ]);
    expect(draftProblems({ ...draft, argv: [] })[0].field).toBe('argv');
    expect(draftProblems({ ...draft, metadataText: '{' })[0].message).toMatch(
      /not valid JSON/
    );
  });

  it('warns about a bare python', () => {
    const draft = {
      ...draftFromSpec(SPEC),
      argv: ['python3', '{connection_file}']
    };
    expect(draftWarnings(draft, ['python', 'python3'])[0].message).toMatch(
      /server's own Python/
    );
    expect(draftWarnings(draftFromSpec(SPEC), ['python', 'python3'])).toEqual(
      []
    );
    expect(draftWarnings(draft, ['python', 'python3'], null, false)).toEqual(
      []
    );
    expect(barePythonMatters({ location: 'user', writable: true })).toBe(true);
    expect(barePythonMatters({ location: 'env', writable: true })).toBe(false);
    expect(barePythonMatters({ location: 'system', writable: false })).toBe(
      false
    );
  });

  it('warns about references the server cannot expand', () => {
    expect(envReferences('${A}:$B:$$C:${D_1}x')).toEqual(['A', 'B', 'D_1']);
    const draft = {
      ...draftFromSpec(SPEC),
      env: [
        envRowFromPair('PATH', '/x:${PATH}'),
        envRowFromPair('LD_LIBRARY_PATH', '/l:${LD_LIBRARY_PATH}')
      ]
    };
    const found = draftWarnings(draft, [], new Set(['PATH']));
    expect(found.map(w => w.field)).toEqual(['env.LD_LIBRARY_PATH']);
    expect(found[0].message).toMatch(/\$\{LD_LIBRARY_PATH\}, which is not set/);
    expect(draftWarnings(draft, [], null)).toEqual([]);
  });

  it('parses metadata', () => {
    expect(parseMetadata('')).toEqual({ value: undefined });
    expect(parseMetadata('{"a": 1}')).toEqual({ value: { a: 1 } });
    expect(parseMetadata('null')).toHaveProperty('error');
  });

  it('leaves out empty optional fields', () => {
    const spec = specFromDraft({
      displayName: 'D',
      language: '',
      interruptMode: '',
      argv: ['x', '{connection_file}'],
      env: [],
      metadataText: '',
      other: {}
    });
    expect(spec).toEqual({
      argv: ['x', '{connection_file}'],
      display_name: 'D'
    });
  });
});

describe('modules attached to a kernel', () => {
  it('reads the record from metadata', () => {
    expect(
      attachedModules({
        metadata: {
          jupyterlab_hpc: { modules: { mode: 'launch', modules: ['gcc', 7] } }
        }
      })
    ).toEqual({ mode: 'launch', modules: ['gcc'] });
    expect(attachedModules({})).toBeNull();
    expect(
      attachedModules({
        metadata: {
          jupyterlab_hpc: { modules: { mode: 'other', modules: [] } }
        }
      })
    ).toBeNull();
  });

  it('tells a capture of the old form (no launcher) from a new one', () => {
    const own = ['/py', '-m', 'ipykernel_launcher', '-f', '{connection_file}'];
    const capture = {
      metadata: {
        jupyterlab_hpc: { modules: { mode: 'capture', modules: ['gcc'] } }
      }
    };
    expect(isOldCapture({ ...capture, argv: own })).toBe(true);
    const prefix = [
      '/srv/bin/python',
      '-m',
      'jupyterlab_hpc.kernel_launcher',
      '--system',
      'lmod',
      '--command',
      '/lmod',
      '--captured',
      '{resource_dir}',
      '--'
    ];
    expect(isOldCapture({ ...capture, argv: [...prefix, ...own] })).toBe(false);
    expect(isOldCapture({ argv: own })).toBe(false);
  });

  it('parses a typed list of module names', () => {
    expect(parseModuleList(' gcc/12.2.0, openmpi  gcc/12.2.0 ')).toEqual([
      'gcc/12.2.0',
      'openmpi'
    ]);
    expect(parseModuleList('  ')).toEqual([]);
  });
});
