import { LabIcon } from '@jupyterlab/ui-components';

import queueSvgstr from '../style/icons/queue.svg';

/** The job queue's icon: jobs stacked like bars in a queue. */
export const queueIcon = new LabIcon({
  name: 'jupyterlab-hpc:queue',
  svgstr: queueSvgstr
});

import kernelsSvgstr from '../style/icons/kernels.svg';

/** The kernel editor's icon: a file with a gear. */
export const kernelsIcon = new LabIcon({
  name: 'jupyterlab-hpc:kernels',
  svgstr: kernelsSvgstr
});
