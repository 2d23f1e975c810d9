/**
 * The Modules panel's view in jsdom: the target selector (kernels, read-only
 * ones with why), a kernel target's mode and list, and keyboard use of the
 * filter and the details.
 */
import * as React from 'react';
import { act } from 'react';
import { Root, createRoot } from 'react-dom/client';

import { IModulesApi, ModulesModel } from '../modules/model';
import { ModulesView } from '../modules/view';
import { FakeKernels, modulesApi } from './modulesFixtures';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const AVAILABLE = ['gcc/13.1.0', 'gcc/12.2.0', 'hdf5/1.14.0', 'tool/1.0'];

describe('ModulesView', () => {
  let host: HTMLElement;
  let root: Root;
  let model: ModulesModel;
  let kernels: FakeKernels;
  let api: IModulesApi;

  beforeEach(async () => {
    kernels = new FakeKernels();
    api = modulesApi(AVAILABLE);
    model = new ModulesModel({
      api,
      kernelsApi: kernels,
      autoStart: false
    });
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    await act(async () => {
      root.render(<ModulesView model={model} />);
    });
    await act(() => model.refresh());
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model.dispose();
  });

  const $ = <T extends Element = HTMLElement>(selector: string): T | null =>
    host.querySelector<T>(selector);

  /** Type into a React-controlled input as a person would. */
  async function type(input: HTMLInputElement, text: string): Promise<void> {
    await act(async () => {
      const setter = Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        'value'
      )!.set!;
      setter.call(input, text);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  async function key(
    element: HTMLElement,
    name: string,
    extra: KeyboardEventInit = {}
  ): Promise<void> {
    await act(async () => {
      element.dispatchEvent(
        new KeyboardEvent('keydown', { key: name, bubbles: true, ...extra })
      );
    });
  }

  it('shows the target, with kernels and the read-only ones disabled', () => {
    const select = $<HTMLSelectElement>(
      'select[aria-label="Target of loads"]'
    )!;
    expect(select.value).toBe('server');
    const options = Array.from(select.options).map(o => [
      o.textContent,
      o.disabled
    ]);
    expect(options).toEqual([
      ['This server session', false],
      ['Captured', false],
      ['Plain Python', false],
      ['Python 3 (ipykernel) (read-only)', true],
      ['Site Python (read-only)', true]
    ]);
    expect($('.jp-hpc-modules-readonly')?.textContent).toContain(
      'Site Python: The kernel folder belongs to another user'
    );
    // The running kernels the session does not reach, by name.
    const notAffected = $('.jp-hpc-modules-not-affected')!;
    expect(notAffected.textContent).toContain(
      'Not affected: 2 running kernels'
    );
    expect(notAffected.textContent).toContain('kernel plain (a.ipynb)');
  });

  it('shows a kernel target’s modules and mode', async () => {
    const select = $<HTMLSelectElement>(
      'select[aria-label="Target of loads"]'
    )!;
    await act(async () => {
      select.value = 'kernel:captured';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(model.target).toEqual({ kind: 'kernel', name: 'captured' });
    const loaded = $('[aria-label="Loaded modules"]')!;
    expect(loaded.textContent).toContain('Loaded in the kernel (1)');
    expect(loaded.textContent).toContain('gcc/12.2.0');
    expect(loaded.textContent).not.toContain('Reset');
    const capture = $<HTMLInputElement>(
      'input[type="radio"][value="capture"]'
    )!;
    expect(capture.checked).toBe(true);

    // Choosing the other mode offers to rewrite the kernel's modules now.
    const launch = $<HTMLInputElement>('input[type="radio"][value="launch"]')!;
    await act(async () => {
      launch.click();
    });
    expect(model.kernelMode).toBe('launch');
    expect($('.jp-hpc-modules-target')?.textContent).toContain(
      'Its modules are captured into its environment; the next change writes them loaded at each launch.'
    );
    // Session-only parts say why they are off.
    expect(host.textContent).toContain('This changes this server session only');
  });

  it('opens the best match with Enter and acts on it from the keyboard', async () => {
    const filter = $<HTMLInputElement>('input[aria-label="Filter modules"]')!;
    await type(filter, 'gcc');
    await key(filter, 'Enter');
    // The default version of the first match, with the focus on its Load.
    expect(model.selected).toBe('gcc/13.1.0');
    const details = $('[aria-label="Module details"]')!;
    expect(document.activeElement?.textContent).toBe('Load');
    expect(details.contains(document.activeElement)).toBe(true);

    // An exact full name wins.
    await type(filter, 'gcc/12.2.0');
    await key(filter, 'Enter');
    expect(model.selected).toBe('gcc/12.2.0');

    // Escape in the details closes them and goes back to the filter.
    await key(document.activeElement as HTMLElement, 'Escape');
    expect(model.selected).toBeNull();
    expect(document.activeElement).toBe(filter);

    // Escape in the filter clears it; nothing matching: Enter opens nothing.
    await key(filter, 'Escape');
    expect(model.filter).toBe('');
    await type(filter, 'nothing-like-this');
    await key(filter, 'Enter');
    expect(model.selected).toBeNull();
  });

  it('says when search hits are cut', async () => {
    const hits = Array.from({ length: 301 }, (_, i) => ({
      full_name: `lib${i}/1.0`,
      package: `lib${i}`,
      version: '1.0',
      description: '',
      path: '',
      default: true,
      load_first: []
    }));
    (api.fetchSpider as jest.Mock).mockResolvedValue({
      query: 'lib',
      hierarchy: true,
      message: '',
      cached: false,
      hits
    });
    await act(() => model.searchAll('lib'));
    expect(host.querySelectorAll('.jp-hpc-modules-hit')).toHaveLength(300);
    expect($('.jp-hpc-modules-spider')?.textContent).toContain(
      'Showing 300 of 301: make the search longer'
    );
    // Escape in the empty filter goes back from the results.
    const filter = $<HTMLInputElement>('input[aria-label="Filter modules"]')!;
    await key(filter, 'Escape');
    expect(model.spider).toBeNull();
  });

  it('offers to try again when the server did not answer', async () => {
    const failing = modulesApi(AVAILABLE);
    (failing.fetchStatus as jest.Mock).mockRejectedValueOnce(
      new Error('Server unreachable')
    );
    const other = new ModulesModel({
      api: failing,
      kernelsApi: kernels,
      autoStart: false
    });
    await act(async () => {
      root.render(<ModulesView model={other} />);
    });
    await act(() => other.refresh().catch(() => undefined));
    expect($('.jp-hpc-modules-empty')?.textContent).toContain(
      'Server unreachable'
    );
    const retry = Array.from(host.querySelectorAll('button')).find(
      b => b.textContent === 'Try again'
    )!;
    await act(async () => {
      retry.click();
    });
    await act(async () => {
      await new Promise(resolve => setTimeout(resolve, 0));
    });
    expect($('select[aria-label="Target of loads"]')).not.toBeNull();
    other.dispose();
  });
});
