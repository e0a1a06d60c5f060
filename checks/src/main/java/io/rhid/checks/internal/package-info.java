/**
 * Helpers shared by the built-in check types (endpoint literals, failure reasons, redaction of
 * secrets in targets); not part of the plugin contract and free to change with them.
 */
package io.rhid.checks.internal;
