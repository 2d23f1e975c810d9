import './base.css';
import './modules.css';
import './kernels.css';
import './submit.css';
import './details.css';
import './history.css';
import './cluster.css';
import './rightsize.css';
