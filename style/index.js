import './base.css';
import './modules.css';
