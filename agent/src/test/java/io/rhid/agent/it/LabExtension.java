package io.rhid.agent.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The namespace lab as a JUnit 5 extension, registered once per integration test class as
 * {@code @RegisterExtension static final LabExtension LAB = LabExtension.bird();}: it skips the
 * class where the lab cannot run, starts labs for the test ({@link #start} and friends), and
 * closes them after each test (labs started in {@code @BeforeAll} after the class). When a test
 * fails it prints, before anything is torn down, every lab's failure report: the tail of rhid's
 * log, its {@code /status}, and the routing daemons' views ({@link NetnsLab#failureReport}), and
 * attaches the same text to the failure so it reaches the surefire report too. Used by the
 * test thread only; JUnit runs the callbacks of one class on that thread.
 */
public final class LabExtension implements BeforeAllCallback, BeforeEachCallback, AfterTestExecutionCallback,
        AfterEachCallback, AfterAllCallback {

    /** Which daemons the class needs, checked once before its first test. */
    public enum Needs { BIRD, FRR, EXABGP }

    private final Needs needs;
    private final List<NetnsLab> classLabs = new ArrayList<>();
    private final List<NetnsLab> testLabs = new ArrayList<>();
    private boolean inTest;

    private LabExtension(Needs needs) {
        this.needs = needs;
    }

    /** Host and router run BIRD. */
    public static LabExtension bird() {
        return new LabExtension(Needs.BIRD);
    }

    /** The host runs FRR (the router is still BIRD). */
    public static LabExtension frr() {
        return new LabExtension(Needs.FRR);
    }

    /** The host's speaker is ExaBGP (the router is BIRD). */
    public static LabExtension exabgp() {
        return new LabExtension(Needs.EXABGP);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        switch (needs) {
            case BIRD -> NetnsLab.assumeAvailable();
            case FRR -> NetnsLab.assumeFrrAvailable();
            case EXABGP -> {
                NetnsLab.assumeAvailable();
                ExabgpHost.assumeAvailable();
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        inTest = true;
    }

    /** Host and router BIRD ({@link NetnsLab#start(Path)}), closed after the test (or class). */
    public NetnsLab start(Path workDir) {
        return track(NetnsLab.start(workDir));
    }

    /** As {@link #start(Path)} with other link addresses or BIRD configs. */
    public NetnsLab start(Path workDir, NetnsLab.Setup setup) {
        return track(NetnsLab.start(workDir, setup));
    }

    /** FRR on the host, BIRD on the router ({@link NetnsLab#startWithFrrHost}). */
    public NetnsLab startWithFrrHost(Path workDir, String hostFrrConf) {
        return track(NetnsLab.startWithFrrHost(workDir, hostFrrConf));
    }

    /** Only the router's BIRD; the test runs the host's speaker ({@link NetnsLab#startRouterOnly}). */
    public NetnsLab startRouterOnly(Path workDir) {
        return track(NetnsLab.startRouterOnly(workDir));
    }

    private NetnsLab track(NetnsLab lab) {
        (inTest ? testLabs : classLabs).add(lab);
        return lab;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        context.getExecutionException().ifPresent(failure -> {
            List<NetnsLab> labs = new ArrayList<>(testLabs);
            labs.addAll(classLabs);
            for (NetnsLab lab : labs) {
                String report = lab.failureReport();
                System.err.println("=== " + context.getDisplayName() + " failed; lab " + lab.hostNetns() + ":" + report);
                failure.addSuppressed(new LabReport(lab.hostNetns(), report));
            }
        });
    }

    @Override
    public void afterEach(ExtensionContext context) {
        inTest = false;
        closeAll(testLabs);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeAll(classLabs);
    }

    private static void closeAll(List<NetnsLab> labs) {
        for (NetnsLab lab : labs) {
            lab.close(); // never throws
        }
        labs.clear();
    }

    /** Carries a lab's failure report into the test's failure (a suppressed exception, no stack). */
    static final class LabReport extends RuntimeException {
        LabReport(String lab, String report) {
            super("lab " + lab + " when the test failed:" + report, null, false, false);
        }
    }
}
