package io.rhid.agent.it;

/**
 * Something a test runs in a {@link NetnsLab} (rhid, ExaBGP) that can say what it saw when the
 * test fails; it registers with {@link NetnsLab#attach} and is asked from the test thread, before
 * the lab is torn down.
 */
interface LabWitness {

    /** A few labelled sections (log tail, live status), each starting on a new line; never throws. */
    String failureReport();

    /** Whether it still runs; a lab reports the live ones (or the last one, if none is live). */
    default boolean live() {
        return true;
    }
}
