package io.rhid.agent.testing;

import io.rhid.agent.router.CommandResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A network interface as `ip` shows and changes it: answers {@code ip -j address show} and
 * applies {@code ip -force -batch -} lines, refusing to add addresses listed in {@link #refuse}.
 */
public final class FakeInterface {

    private final Set<String> addresses = new TreeSet<>(Set.of("127.0.0.1/8", "::1/128"));
    private final Set<String> refused = new TreeSet<>();
    private final List<String> log;

    public FakeInterface() {
        this(new ArrayList<>());
    }

    /** Records every address change into {@code journal} as "add A" / "del A". */
    public FakeInterface(List<String> journal) {
        this.log = journal;
    }

    public synchronized void refuse(String address) {
        refused.add(address);
    }

    public synchronized Set<String> addresses() {
        return new TreeSet<>(addresses);
    }

    public synchronized void add(String address) {
        addresses.add(address);
    }

    public synchronized void remove(String address) {
        addresses.remove(address);
    }

    /** Every address change in order, as "add A" / "del A". */
    public synchronized List<String> changes() {
        return List.copyOf(log);
    }

    public FakeCommandRunner runner() {
        return new FakeCommandRunner(this::reply);
    }

    private synchronized CommandResult reply(List<String> argv, String stdin) {
        if (argv.contains("show")) {
            StringBuilder json = new StringBuilder("[{\"ifname\":\"lo\",\"addr_info\":[");
            boolean first = true;
            for (String a : addresses) {
                int slash = a.indexOf('/');
                json.append(first ? "" : ",").append("{\"local\":\"").append(a, 0, slash).append("\",\"prefixlen\":")
                        .append(a.substring(slash + 1)).append('}');
                first = false;
            }
            return FakeCommandRunner.ok(argv, json.append("]}]").toString());
        }
        StringBuilder out = new StringBuilder();
        String[] lines = stdin.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String[] w = lines[i].split(" ");
            String address = w[2];
            if (w[1].equals("add") && refused.contains(address)) {
                out.append("RTNETLINK answers: Operation not permitted\nCommand failed -:").append(i + 1).append('\n');
                continue;
            }
            if (w[1].equals("add")) {
                addresses.add(address);
                log.add("add " + address);
            } else {
                addresses.remove(address);
                log.add("del " + address);
            }
        }
        return out.length() == 0 ? FakeCommandRunner.ok(argv, "") : FakeCommandRunner.failed(argv, 1, out.toString());
    }
}
