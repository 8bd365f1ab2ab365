// Loaded with `node --require` (NODE_OPTIONS) by scripts/compat/run.sh: every
// `require('aws-cdk-lib')` and `require('aws-cdk-lib/...')`, from the library,
// the examples, cdk-nag and the kubectl layer alike, resolves in the directory
// named by CDK_COMPAT_DIR (a `node_modules` parent holding another aws-cdk-lib),
// so one process sees a single aws-cdk-lib and the lockfile stays untouched.
'use strict';
const Module = require('module');

const dir = process.env.CDK_COMPAT_DIR;
if (dir) {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, isMain, options) {
    if (request === 'aws-cdk-lib' || request.startsWith('aws-cdk-lib/')) {
      return resolve.call(this, request, parent, isMain, { ...options, paths: [dir] });
    }
    return resolve.call(this, request, parent, isMain, options);
  };
}
