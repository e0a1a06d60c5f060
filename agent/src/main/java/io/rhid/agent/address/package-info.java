/** The service addresses on the loopback interface: adds them, removes only those rhid added, and reports drift. */
package io.rhid.agent.address;
