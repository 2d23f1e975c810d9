/**
 * The test launch's result in jsdom: the loaded modules, and every variable
 * that differs from the server's environment (what a wrapper script or the
 * modules set), Jupyter's own apart.
 */
import * as React from 'react';
import { act } from 'react';
import { Root, createRoot } from 'react-dom/client';

import type { ILaunchResult } from '../kernels/api';
import {
  LaunchResult,
  modulesSentence,
  pathEntryChanges,
  splitDifferences
} from '../kernels/launchResult';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const RESULT: ILaunchResult = {
  ok: true,
  name: 'wrapped',
  language: 'python',
  message: 'The kernel started and printed its environment.',
  executable: '/opt/py/bin/python',
  variables: { PATH: '/opt/gcc/12.2.0/bin:/usr/bin:/bin' },
  differences: [
    {
      name: 'GCC_HOME',
      change: 'changed',
      kernel: '/opt/gcc/12.2.0',
      server: '/opt/gcc/13.1.0',
      set_by: null
    },
    {
      name: 'JPY_PARENT_PID',
      change: 'added',
      kernel: '42',
      server: null,
      set_by: 'jupyter'
    },
    {
      name: 'LOADEDMODULES',
      change: 'changed',
      kernel: 'gcc/12.2.0',
      server: 'gcc/13.1.0:tool/1.0',
      set_by: null
    },
    {
      name: 'PATH',
      change: 'changed',
      kernel: '/opt/gcc/12.2.0/bin:/usr/bin:/bin',
      server: '/opt/gcc/13.1.0/bin:/usr/bin:/bin',
      set_by: null
    },
    {
      name: 'SOMETHING',
      change: 'added',
      kernel: '12345',
      server: null,
      set_by: null
    },
    {
      name: 'TERM',
      change: 'changed',
      kernel: 'xterm-color',
      server: 'xterm',
      set_by: 'kernel'
    },
    {
      name: 'TOOL',
      change: 'removed',
      kernel: null,
      server: '1.0',
      set_by: null
    }
  ],
  modules: { kernel: ['gcc/12.2.0'], server: ['gcc/13.1.0', 'tool/1.0'] },
  output: '',
  stderr: '',
  seconds: 1.5
};

describe('test launch result', () => {
  it('marks path entries added and removed', () => {
    expect(pathEntryChanges('/b:/c', '/a:/b:/c')).toEqual([
      { entry: '/a', mark: 'added' },
      { entry: '/b', mark: 'same' },
      { entry: '/c', mark: 'same' }
    ]);
    expect(pathEntryChanges('/x:/c', '/c')).toEqual([
      { entry: '/c', mark: 'same' },
      { entry: '/x', mark: 'removed' }
    ]);
    expect(pathEntryChanges(null, '/a')).toEqual([
      { entry: '/a', mark: 'added' }
    ]);
  });

  it('says the modules of the kernel and of the session', () => {
    expect(modulesSentence(RESULT.modules)).toBe(
      'Modules in the kernel: gcc/12.2.0 (the server session has gcc/13.1.0, tool/1.0).'
    );
    expect(modulesSentence({ kernel: [], server: ['tool/1.0'] })).toBe(
      'No modules in the kernel (the server session has tool/1.0).'
    );
    expect(modulesSentence({ kernel: [], server: [] })).toBeNull();
    expect(modulesSentence(null)).toBeNull();
  });

  it("keeps Jupyter's own variables apart", () => {
    const { own, byJupyter } = splitDifferences(RESULT.differences!);
    expect(own.map(d => d.name)).toEqual([
      'GCC_HOME',
      'LOADEDMODULES',
      'PATH',
      'SOMETHING',
      'TOOL'
    ]);
    expect(byJupyter.map(d => d.name)).toEqual(['JPY_PARENT_PID', 'TERM']);
  });

  describe('view', () => {
    let host: HTMLElement;
    let root: Root;

    beforeEach(() => {
      host = document.createElement('div');
      document.body.appendChild(host);
      root = createRoot(host);
    });

    afterEach(() => {
      act(() => root.unmount());
      host.remove();
    });

    const render = (result: ILaunchResult) =>
      act(() => {
        root.render(<LaunchResult result={result} launching={false} />);
      });
    const row = (name: string) =>
      host.querySelector<HTMLElement>(`tr[data-difference="${name}"]`);

    it('shows every difference, the modules, and Jupyter’s own folded', () => {
      render(RESULT);
      expect(
        host.querySelector('.jp-hpc-kernels-launch-modules')!.textContent
      ).toContain('gcc/12.2.0');
      const something = row('SOMETHING')!;
      expect(something.dataset.change).toBe('added');
      expect(something.textContent).toContain('12345');
      expect(row('TOOL')!.textContent).toContain('not set');
      expect(row('TOOL')!.textContent).toContain('1.0');
      expect(row('GCC_HOME')!.textContent).toContain(
        'the server has /opt/gcc/13.1.0'
      );
      const path = row('PATH')!;
      const added = path.querySelector('.jp-mod-added')!;
      expect(added.textContent).toBe('+/opt/gcc/12.2.0/bin');
      expect(path.querySelector('.jp-mod-removed')!.textContent).toBe(
        '−/opt/gcc/13.1.0/bin'
      );
      const folded = host.querySelector(
        '.jp-hpc-kernels-launch-differences details'
      )!;
      expect(folded.querySelector('summary')!.textContent).toContain('(2)');
      expect(folded.querySelector('tr[data-difference="TERM"]')).not.toBeNull();
      // The variables of interest stay as before.
      expect(host.querySelector('tr[data-variable="PATH"]')).not.toBeNull();
    });

    it('says when nothing else differs, and shows nothing for other kernels', () => {
      render({
        ...RESULT,
        differences: [],
        modules: { kernel: [], server: [] }
      });
      expect(host.textContent).toContain(
        "Nothing else differs from the server's environment."
      );
      expect(host.querySelector('.jp-hpc-kernels-launch-modules')).toBeNull();
      render({ ...RESULT, differences: null, modules: null, variables: null });
      expect(
        host.querySelector('.jp-hpc-kernels-launch-differences')
      ).toBeNull();
    });
  });
});
