/**
 * What every routing backend implements ({@link io.rhid.agent.router.RouterApplier},
 * {@link io.rhid.agent.router.ExportQuery}) and what they share: running commands, atomic files,
 * the record of the last apply, the bounded withdrawal, drift and errors. Knows no daemon; each
 * backend is one sub-package.
 */
package io.rhid.agent.router;
