package io.rhid.agent.cli;

/**
 * Process exit codes, from sysexits.h where one fits; one code per meaning. The launcher script
 * exits 72 (EX_OSFILE) when it finds no Java 17+ runtime or no rhid jars.
 */
final class ExitCodes {

    static final int OK = 0;
    /** {@code rhid probe}: at least one check failed. */
    static final int CHECKS_FAILED = 1;
    /** {@code drain}, {@code resume}, {@code recheck}, {@code reload}: the daemon refused or failed the request. */
    static final int REFUSED = 1;
    /** {@code rhid status}: a service is not up or the last apply failed, as {@code systemctl status} says 3 for "not running". */
    static final int NOT_ALL_UP = 3;
    /** EX_USAGE: bad command line. */
    static final int USAGE = 64;
    /**
     * EX_UNAVAILABLE: a daemon cannot be reached: rhid for the client commands; for {@code run}
     * (on stop) and {@code withdraw-all}, the routing daemon did not confirm the withdrawal.
     */
    static final int UNAVAILABLE = 69;
    /** EX_SOFTWARE: a bug; the message says what happened. */
    static final int SOFTWARE = 70;
    /**
     * EX_CANTCREAT: {@code rhid run} cannot listen on its status address or control socket
     * (another rhid holds it, or the path is not writable). Nothing was applied.
     */
    static final int CANNOT_LISTEN = 73;
    /** EX_CONFIG: the config file has errors. */
    static final int CONFIG = 78;

    private ExitCodes() {
    }
}
