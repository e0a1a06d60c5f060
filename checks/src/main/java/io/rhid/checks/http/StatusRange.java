package io.rhid.checks.http;

/** An inclusive range of HTTP status codes that counts as healthy, such as 200-299 for {@code 2xx}. */
record StatusRange(int low, int high) {

    boolean contains(int status) {
        return status >= low && status <= high;
    }
}
