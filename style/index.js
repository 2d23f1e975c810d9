import './base.css';
import './modules.css';
import './kernels.css';
import './submit.css';
