import { LabIcon } from '@jupyterlab/ui-components';

import clusterSvgstr from '../style/icons/cluster.svg';
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

/** The cluster view's icon: four nodes, one of them idle. */
export const clusterIcon = new LabIcon({
  name: 'jupyterlab-hpc:cluster',
  svgstr: clusterSvgstr
});
