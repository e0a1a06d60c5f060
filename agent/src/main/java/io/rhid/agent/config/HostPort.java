package io.rhid.agent.config;

/** A listen address {@code HOST:PORT}: an IP literal or {@code localhost}, and a port 1-65535. */
record HostPort(String host, int port) {

    static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String host = text.substring(0, colon);
        String port = text.substring(colon + 1);
        if (!port.matches("[1-9]\\d{0,4}") || Integer.parseInt(port) > 65535) {
            return null;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            Prefix.Parsed p = Prefix.parse(host);
            if (p.prefix() == null || !p.prefix().v6()) {
                return null;
            }
            return new HostPort(p.prefix().address(), Integer.parseInt(port));
        }
        if (host.equals("localhost")) {
            return new HostPort(host, Integer.parseInt(port));
        }
        Prefix.Parsed p = Prefix.parse(host);
        if (p.prefix() == null || p.prefix().v6()) {
            return null;
        }
        return new HostPort(p.prefix().address(), Integer.parseInt(port));
    }

    boolean isLoopback() {
        return host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }
}
