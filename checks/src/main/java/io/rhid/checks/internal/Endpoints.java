package io.rhid.checks.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.xbill.DNS.Address;

import static io.rhid.checks.internal.Reasons.quote;

/**
 * Parses and prints socket addresses written as IP literals, without ever resolving a name;
 * stateless and thread-safe.
 */
public final class Endpoints {

    private Endpoints() {
    }

    /** Thrown by {@link #parse} with a message fit for {@code SpecReader.error}. */
    public static final class InvalidEndpointException extends IllegalArgumentException {
        InvalidEndpointException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code host:port}, where host is an IPv4 literal, a bracketed IPv6 literal or
     * {@code localhost} (the loopback address, looked up without DNS).
     */
    public static InetSocketAddress parseHostPort(String text) {
        String portError = "must be host:port with a numeric port 1-65535 (found " + quote(text) + ")";
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || !text.startsWith(":", close + 1)) {
                throw new InvalidEndpointException(portError);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            InetAddress address = literal(host, true);
            if (!(address instanceof Inet6Address)) {
                throw new InvalidEndpointException(
                        "host in brackets must be an IPv6 address (found " + quote(text) + ")");
            }
            return new InetSocketAddress(address, port(port, portError));
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new InvalidEndpointException(portError);
        }
        host = text.substring(0, colon);
        port = text.substring(colon + 1);
        if (host.contains(":")) {
            throw new InvalidEndpointException(
                    "IPv6 address must be in brackets, like [::1]:53 (found " + quote(text) + ")");
        }
        InetAddress address = host.equals("localhost") ? InetAddress.getLoopbackAddress() : literal(host, false);
        if (address == null) {
            throw new InvalidEndpointException("host must be an IP address or localhost (found " + quote(text) + ")");
        }
        return new InetSocketAddress(address, port(port, portError));
    }

    /**
     * Parses an IP literal with an optional port: {@code 127.0.0.1}, {@code 127.0.0.1:5353},
     * {@code ::1}, {@code [::1]} or {@code [::1]:5353}.
     */
    public static InetSocketAddress parseIpWithOptionalPort(String text, int defaultPort) {
        String hostError = "must be an IP address with an optional port, like 127.0.0.1:53 or [::1]:53 (found "
                + quote(text) + ")";
        String portError = "port must be a number 1-65535 (found " + quote(text) + ")";
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            InetAddress address = close < 0 ? null : literal(text.substring(1, close), true);
            if (!(address instanceof Inet6Address)) {
                throw new InvalidEndpointException(hostError);
            }
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) {
                return new InetSocketAddress(address, defaultPort);
            }
            if (!rest.startsWith(":")) {
                throw new InvalidEndpointException(hostError);
            }
            return new InetSocketAddress(address, port(rest.substring(1), portError));
        }
        InetAddress bare = literal(text, true);
        if (bare != null) {
            return new InetSocketAddress(bare, defaultPort);
        }
        int colon = text.lastIndexOf(':');
        InetAddress v4 = colon < 0 ? null : literal(text.substring(0, colon), false);
        if (v4 == null) {
            throw new InvalidEndpointException(hostError);
        }
        return new InetSocketAddress(v4, port(text.substring(colon + 1), portError));
    }

    /** {@code 127.0.0.1:53} or {@code [2001:db8::1]:53}. */
    public static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        return ip instanceof Inet6Address
                ? "[" + ipv6(ip.getAddress()) + "]:" + address.getPort()
                : ip.getHostAddress() + ":" + address.getPort();
    }

    /**
     * The key that links checks of one server whatever their type: the transport, the address and
     * the port, such as {@code tcp 127.0.0.1:8080} or {@code udp [::1]:53}. A tcp check of
     * {@code 127.0.0.1:8080} and an http check of {@code http://127.0.0.1:8080/} share it.
     */
    public static String link(String transport, InetSocketAddress address) {
        return transport + " " + format(address);
    }

    /**
     * {@link #link} for a host as a URL spells it: an IP literal (an IPv6 one without brackets) is
     * printed canonically and {@code localhost} is the loopback address, as in
     * {@link #parseHostPort}; any other name is kept as written, never looked up.
     */
    public static String link(String transport, String host, int port) {
        InetAddress address = host.equalsIgnoreCase("localhost") ? InetAddress.getLoopbackAddress() : literal(host, true);
        return address != null
                ? link(transport, new InetSocketAddress(address, port))
                : transport + " " + host.toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }

    /** The IP literal {@code text} as an address, or null if it is not one; never looks up a name. */
    public static InetAddress literal(String text, boolean allowV6) {
        byte[] bytes = Address.toByteArray(text, Address.IPv4);
        if (bytes == null && allowV6) {
            bytes = Address.toByteArray(text, Address.IPv6);
        }
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte address was rejected", e);
        }
    }

    private static int port(String text, String error) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidEndpointException(error);
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new InvalidEndpointException(error);
        }
        return port;
    }

    /** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as ::. */
    private static String ipv6(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
