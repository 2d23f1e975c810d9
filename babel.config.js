// Jest only: turns the ES modules that some @jupyterlab dependencies ship into
// CommonJS. The extension itself is compiled by tsc and bundled by the builder.
module.exports = require('@jupyterlab/testing/lib/babel-config');
