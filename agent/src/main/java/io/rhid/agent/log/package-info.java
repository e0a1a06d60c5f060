/** Logging set-up: the text and JSON line formats and the key/value fields events carry. */
package io.rhid.agent.log;
