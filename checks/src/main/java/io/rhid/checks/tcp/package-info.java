/** The {@code tcp} check type: a connect, optionally a send and an expected reply, and a look at the listener's accept queue. */
package io.rhid.checks.tcp;
