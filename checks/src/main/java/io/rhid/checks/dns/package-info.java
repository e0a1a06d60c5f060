/** The {@code dns} check type: one query over UDP or TCP to a server given as an IP literal. */
package io.rhid.checks.dns;
