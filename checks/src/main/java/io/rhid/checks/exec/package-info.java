/** The {@code exec} check type: runs a trusted program without a shell, in its own session, and reads its exit status. */
package io.rhid.checks.exec;
