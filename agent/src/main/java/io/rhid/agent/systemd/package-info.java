/** The systemd notify protocol: READY, WATCHDOG, STOPPING and STATUS over NOTIFY_SOCKET. */
package io.rhid.agent.systemd;
