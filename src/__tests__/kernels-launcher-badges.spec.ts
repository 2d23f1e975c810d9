/**
 * The Launcher's badge on kernels in batch jobs: its words, and the style
 * rules that draw them on the right cards.
 */
import type { PartialJSONObject } from '@lumino/coreutils';
import type { KernelSpec } from '@jupyterlab/services';

import { badgeOf, badgeRules } from '../kernels/batch/launcherBadges';

function spec(
  name: string,
  displayName: string,
  metadata: PartialJSONObject = {}
): KernelSpec.ISpecModel {
  return {
    name,
    display_name: displayName,
    language: 'python',
    argv: ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
    resources: {},
    env: {},
    metadata
  };
}

const batch = (config: PartialJSONObject): PartialJSONObject => ({
  kernel_provisioner: { provisioner_name: 'hpc-batch', config }
});

describe('the Launcher badge of a batch kernel', () => {
  it('says the partition, the job it joins, or that it runs in a job', () => {
    expect(badgeOf(spec('a', 'A', batch({ partition: 'gpu' })))).toBe('gpu');
    expect(badgeOf(spec('b', 'B', batch({ allocation: '1234' })))).toBe(
      'job 1234'
    );
    expect(badgeOf(spec('c', 'C', batch({})))).toBe('batch job');
    expect(badgeOf(spec('d', 'D'))).toBeNull();
    expect(
      badgeOf(
        spec('e', 'E', { kernel_provisioner: { provisioner_name: 'other' } })
      )
    ).toBeNull();
  });

  it('matches each card by its title, whatever the display name holds', () => {
    const rules = badgeRules({
      default: 'plain',
      kernelspecs: {
        plain: spec('plain', 'Python 3'),
        gpu: spec('gpu', 'Python "GPU" \\ é', batch({ partition: 'gpu' }))
      }
    });
    expect(rules.split('\n')).toEqual([
      '.jp-LauncherCard[title="Python \\22 GPU\\22  \\5c  \\e9 "] .jp-LauncherCard-icon::after { content: "gpu"; }'
    ]);
    expect(badgeRules(null)).toBe('');
  });
});
