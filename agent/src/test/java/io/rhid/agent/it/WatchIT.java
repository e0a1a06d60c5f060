package io.rhid.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Death detection by watch connections, end to end with a real BIRD 2 and its eBGP peer: a
 * keep-alive HTTP server checked every 5 s is killed at random moments, and each time its route
 * leaves the router's kernel table far sooner than the next probe could have noticed.
 */
@Tag("integration")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
public class WatchIT {

    public static final String PREFIX = "198.51.100.80";
    public static final int PORT = 8080;
    static final int KILLS = 6;
    /** Kill to withdrawal at the router; a probe at this interval would take 2.5 s on average. */
    static final Duration BOUND = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @BeforeAll
    static void requireLab() {
        NetnsLab.assumeAvailable();
    }

    @Test
    void a_killed_server_is_withdrawn_at_once_whatever_the_interval() throws Exception {
        try (NetnsLab lab = NetnsLab.start(dir); RouteWatch routes = new RouteWatch(lab.routerNetns())) {
            lab.waitForSession(Duration.ofSeconds(20));
            Path config = writeConfig(lab, "5s", true);
            Process server = lab.startToyHttpService(PORT, true);
            try (RhidProcess rhid = RhidProcess.start(lab, config)) {
                routes.await(PREFIX, false, Duration.ofSeconds(30));
                Random random = new Random(16);
                List<Long> millis = new ArrayList<>();
                for (int i = 0; i < KILLS; i++) {
                    server = killAndRestart(lab, routes, server, random, millis, Duration.ofSeconds(30));
                }
                String seen = "kill -> route gone, ms: " + millis;
                System.out.println(seen);
                assertThat(Collections.max(millis)).as(seen + "\nrhid log tail:\n" + tail(rhid.log()))
                        .isLessThan(BOUND.toMillis());
                rhid.stop(Duration.ofSeconds(20));
            } finally {
                NetnsLab.terminate(server, Duration.ofSeconds(3));
            }
        }
    }

    /** rhid's config for one service with one HTTP check of the server, BIRD over its socket. */
    public static Path writeConfig(NetnsLab lab, String interval, boolean watch) throws IOException {
        return Files.writeString(lab.workDir().resolve("rhid.yaml"), """
                router:
                  bird: { include_file: %s, socket: %s }
                state_dir: %s
                control: { socket: %s }
                flap: { max_changes: 0 }     # each kill is two state changes
                services:
                  web:
                    prefixes: [%s/32]
                    interval: %s
                    fast_interval: 20ms
                    fall: 2
                    checks:
                      - { type: http, url: "http://127.0.0.1:%d/", watch: %s }
                """.formatted(lab.includeFile(), lab.hostBirdSocket(), lab.workDir().resolve("state"),
                lab.workDir().resolve("control.sock"), PREFIX, interval, PORT, watch));
    }

    /**
     * Waits a random 0.5–2.5 s (every phase of a 2 s interval, and time for the watch to
     * reconnect after the last restart), kills the server (SIGKILL), records the time until the
     * route is gone at the router, then starts the server again and waits for the route.
     */
    public static Process killAndRestart(NetnsLab lab, RouteWatch routes, Process server, Random random,
                                         List<Long> millis, Duration announceWait) throws Exception {
        routes.clear();
        Thread.sleep(500 + random.nextInt(2000)); // the random moment of death, not a wait for an event
        long killed = System.nanoTime();
        server.destroyForcibly();
        long gone = routes.await(PREFIX, true, Duration.ofSeconds(10));
        millis.add((gone - killed) / 1_000_000);
        server.waitFor();
        Process next = lab.startToyHttpService(PORT, true);
        routes.await(PREFIX, false, announceWait);
        return next;
    }

    private static String tail(String log) {
        return log.substring(Math.max(0, log.length() - 4000));
    }
}
