import { LabIcon } from '@jupyterlab/ui-components';

import kernelsSvgstr from '../style/icons/kernels.svg';
import modulesSvgstr from '../style/icons/modules.svg';
import queueSvgstr from '../style/icons/queue.svg';

/** The job queue's icon: jobs stacked like bars in a queue. */
export const queueIcon = new LabIcon({
  name: 'jupyterlab-hpc:queue',
  svgstr: queueSvgstr
});

/** The Modules panel's icon: stacked layers of software. */
export const modulesIcon = new LabIcon({
  name: 'jupyterlab-hpc:modules',
  svgstr: modulesSvgstr
});

/** The kernel editor's icon: a file with a gear. */
export const kernelsIcon = new LabIcon({
  name: 'jupyterlab-hpc:kernels',
  svgstr: kernelsSvgstr
});
