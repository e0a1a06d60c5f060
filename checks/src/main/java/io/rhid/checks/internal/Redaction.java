package io.rhid.checks.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in URLs before they are shown: status is readable by any local user, logs go to
 * the journal, and metric labels leave the host. Userinfo becomes {@code ***}, and so does every
 * query and fragment value; scheme, host, port, path and parameter names stay, so the operator
 * still sees which check it is. Stateless and thread-safe.
 */
public final class Redaction {

    public static final String MASK = "***";

    private static final Pattern URL = Pattern.compile("\\b[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>]+");

    private Redaction() {
    }

    /** {@code http://admin:hunter2@h/health?token=x} becomes {@code http://***@h/health?token=***}. */
    public static String url(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return url;
        }
        int authorityStart = scheme + 3;
        int authorityEnd = indexOfAny(url, "/?#", authorityStart);
        String authority = url.substring(authorityStart, authorityEnd);
        int at = authority.lastIndexOf('@');
        StringBuilder out = new StringBuilder(url.length()).append(url, 0, authorityStart);
        out.append(at < 0 ? authority : MASK + authority.substring(at));
        int query = url.indexOf('?', authorityEnd);
        int fragment = url.indexOf('#', authorityEnd);
        int pathEnd = query >= 0 ? query : fragment >= 0 ? fragment : url.length();
        out.append(url, authorityEnd, pathEnd);
        if (query >= 0) {
            int queryEnd = fragment > query ? fragment : url.length();
            out.append('?').append(parameters(url.substring(query + 1, queryEnd)));
        }
        if (fragment >= 0) {
            out.append('#').append(fragment + 1 < url.length() ? MASK : "");
        }
        return out.toString();
    }

    /** Every URL inside {@code text} (a failure reason, an error message) redacted as by {@link #url}. */
    public static String urlsIn(String text) {
        if (text == null || !text.contains("://")) {
            return text;
        }
        Matcher m = URL.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(url(m.group())));
        }
        return m.appendTail(out).toString();
    }

    /** {@code a=1&b&c=} becomes {@code a=***&***&c=***}: a bare parameter may be a secret itself. */
    private static String parameters(String query) {
        if (query.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String p : query.split("&", -1)) {
            if (out.length() > 0) {
                out.append('&');
            }
            int eq = p.indexOf('=');
            out.append(eq < 0 ? (p.isEmpty() ? "" : MASK) : p.substring(0, eq + 1) + MASK);
        }
        return out.toString();
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }
}
