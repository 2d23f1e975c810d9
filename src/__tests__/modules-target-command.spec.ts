/**
 * The palette's target picker lists the session and the kernels that can
 * take modules, never the ones that cannot.
 */
import { targetItems } from '../modules/targetCommand';
import type { IKernelTarget } from '../modules/target';

const kernel = (name: string, label: string, blockedReason = '') =>
  ({ name, label, displayName: label, blockedReason }) as IKernelTarget;

describe('targetItems', () => {
  it('offers the session first, then each kernel that can take modules', () => {
    const items = targetItems({
      kernels: [
        kernel('py311', 'Python 3.11'),
        kernel('site', 'Site Python', 'It belongs to another user.'),
        kernel('r', 'R (r)')
      ]
    });
    expect([...items.keys()]).toEqual([
      'This server session (new kernels and terminals)',
      'Kernel: Python 3.11',
      'Kernel: R (r)'
    ]);
    expect(items.get('Kernel: R (r)')).toEqual({ kind: 'kernel', name: 'r' });
    expect(
      items.get('This server session (new kernels and terminals)')
    ).toEqual({ kind: 'server' });
  });
});
