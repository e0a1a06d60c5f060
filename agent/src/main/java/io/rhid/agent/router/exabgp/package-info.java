/** All of ExaBGP: rhid as its API process, the pipe, the API commands, the adj-rib-out reader and the applier. */
package io.rhid.agent.router.exabgp;
