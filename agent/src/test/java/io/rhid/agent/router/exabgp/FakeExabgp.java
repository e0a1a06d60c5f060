package io.rhid.agent.router.exabgp;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for ExaBGP 4.2's text API on the other end of an {@link ExabgpPipe}: keeps an
 * adj-rib-out per prefix, answers {@code done} (or {@code error} for scripted prefixes), records
 * every command, and answers {@code show adj-rib out extensive} as ExaBGP does. Its own thread.
 */
final class FakeExabgp implements AutoCloseable {

    final List<String> commands = new CopyOnWriteArrayList<>();
    final Map<String, String> rib = new TreeMap<>(); // guarded by this
    final Set<String> refuse = ConcurrentHashMap.newKeySet();
    final ExabgpPipe pipe;
    private final PipedOutputStream toRhid;
    private final Thread thread;

    FakeExabgp() {
        try {
            PipedInputStream rhidIn = new PipedInputStream(1 << 16);
            toRhid = new PipedOutputStream(rhidIn);
            PipedInputStream fromRhid = new PipedInputStream(1 << 16);
            PipedOutputStream rhidOut = new PipedOutputStream(fromRhid);
            pipe = new ExabgpPipe(rhidIn, rhidOut);
            thread = new Thread(() -> serve(fromRhid), "fake-exabgp");
            thread.setDaemon(true);
            thread.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serve(PipedInputStream fromRhid) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fromRhid, US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                commands.add(line);
                answer(line);
            }
        } catch (IOException e) {
            // rhid's end closed: the fake stops
        }
    }

    private synchronized void answer(String line) throws IOException {
        String[] w = line.split(" ", 4);
        if (line.equals("show adj-rib out extensive")) {
            for (Map.Entry<String, String> e : rib.entrySet()) {
                String family = e.getKey().contains(":") ? "ipv6" : "ipv4";
                say("neighbor 10.255.0.2 local-ip 10.255.0.1 local-as 65000 peer-as 65001 router-id 10.255.0.1 "
                        + "family-allowed in-open " + family + " unicast " + e.getKey() + " next-hop self" + e.getValue());
            }
            say("done");
        } else if (w.length >= 3 && w[1].equals("route") && refuse.contains(w[2])) {
            say("error");
        } else if (w[0].equals("announce")) {
            String rest = line.substring(("announce route " + w[2] + " next-hop self").length());
            // ExaBGP prints lists padded and in its own order: as-path, med, community, large-community.
            rib.put(w[2], exabgpSpelling(rest));
            say("done");
        } else if (w[0].equals("withdraw")) {
            rib.remove(w[2]);
            say("done");
        } else {
            say("error");
        }
    }

    private static String exabgpSpelling(String attrs) {
        String canonical = AdjRibOut.canonical(attrs);
        StringBuilder out = new StringBuilder();
        for (String key : List.of("as-path", "med", "community", "large-community")) {
            int at = canonical.indexOf(key + " ");
            if (at < 0 || (at > 0 && canonical.charAt(at - 1) == '-')) {
                continue;
            }
            String rest = canonical.substring(at + key.length() + 1);
            String value = rest.startsWith("[") ? rest.substring(0, rest.indexOf(']') + 1) : rest.split(" ")[0];
            if (value.startsWith("[") && !value.contains(" ")) {
                value = value.substring(1, value.length() - 1); // ExaBGP prints a single value bare
            } else if (value.startsWith("[")) {
                value = "[ " + value.substring(1, value.length() - 1) + " ]";
            }
            out.append(' ').append(key).append(' ').append(value);
        }
        return out.toString();
    }

    synchronized void removeByHand(String prefix) {
        rib.remove(prefix);
    }

    synchronized Map<String, String> rib() {
        return new TreeMap<>(rib);
    }

    /** What ExaBGP does before it terminates its processes. */
    void shutdown() throws IOException {
        say("shutdown 100 1");
    }

    /** What ExaBGP writes before terminating a process whose encoder is json. */
    void shutdownJson() throws IOException {
        say("{ \"exabgp\": \"4.0.1\", \"time\": 1796282190.7254436, \"host\" : \"vm\", \"pid\" : 16801, "
                + "\"ppid\" : 16798, \"type\": \"notification\", \"notification\": \"shutdown\" }");
    }

    private void say(String line) throws IOException {
        OutputStream o = toRhid;
        o.write((line + "\n").getBytes(US_ASCII));
        o.flush();
    }

    @Override
    public void close() throws IOException {
        toRhid.close();
    }
}
